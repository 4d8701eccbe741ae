import { requestRun } from '../lib/harness.js';
import { CHATS } from '../lib/lark-bodies.js';
import {
  closeLarkServiceBot,
  freshAtHead,
  type LarkServiceBot,
  startLarkServiceBot,
} from '../lib/lark-service.js';
import { line, ms, type Row, summarize } from '../lib/stats.js';
import { ensureBuild } from './drill.js';

const N = Number(process.env.BENCH_EMERGENCY_RUNS ?? 5);

/** The preflight lines' own span (first start → last end), when the bot records it on the run's view. */
async function preflightSpan(bot: LarkServiceBot, runId: string): Promise<number | undefined> {
  const r = await bot.h.ctx.pool.query(`SELECT view->'preflight' AS lines FROM runs WHERE id = $1`, [runId]);
  const lines = (r.rows[0]?.lines ?? []) as { startedAt?: string; finishedAt?: string }[];
  const starts = lines.map((l) => Date.parse(l.startedAt ?? ''));
  const ends = lines.map((l) => Date.parse(l.finishedAt ?? ''));
  if (!lines.length || [...starts, ...ends].some((t) => !Number.isFinite(t))) return undefined;
  return Math.max(...ends) - Math.min(...starts);
}

/**
 * 8. `/rollback emergency` → the approval card offers Approve (its preflight done: revision, the downgrade's
 * preview, the latest backup), on the shipped runbook and target against a scratch database at head.
 */
export async function emergency(): Promise<Row[]> {
  console.log(
    `\n## 8. Emergency: "/rollback emergency" sent → approval card in the chat, → Approve offered (preflight done); ` +
      `${N} requests per variant, alternating (bot from src/, bot from dist/); each on a fresh lark_service ` +
      'database at head (untimed), the run cancelled afterwards (untimed UPDATE)',
  );
  const built = ensureBuild();
  const bots: LarkServiceBot[] = [];
  const card = new Map<LarkServiceBot, number[]>();
  const offered = new Map<LarkServiceBot, number[]>();
  const span = new Map<LarkServiceBot, number[]>();
  try {
    bots.push(await startLarkServiceBot('src', 'emergency'));
    if (built) bots.push(await startLarkServiceBot('dist', 'emergency'));
    for (let i = 0; i < N; i++) {
      const row = [`  run ${i + 1}:`];
      for (const bot of bots) {
        await freshAtHead(bot);
        const r = await requestRun(bot.h, CHATS[i % CHATS.length] ?? '', '/rollback emergency', 60_000);
        card.set(bot, [...(card.get(bot) ?? []), r.cardAt - r.sent]);
        offered.set(bot, [...(offered.get(bot) ?? []), r.approvableAt - r.sent]);
        const s = await preflightSpan(bot, r.value.run);
        if (s !== undefined) span.set(bot, [...(span.get(bot) ?? []), s]);
        await bot.h.ctx.pool.query(`UPDATE runs SET state = 'cancelled' WHERE id = $1`, [r.value.run]);
        row.push(`bot (${bot.build}) card ${ms(r.cardAt - r.sent)}, Approve ${ms(r.approvableAt - r.sent)}`);
      }
      console.log(row.join(' | '));
    }
    const rows: Row[] = [];
    for (const bot of bots) {
      const s = summarize(offered.get(bot) ?? []);
      console.log(line(`bot (${bot.build}) command → card`, summarize(card.get(bot) ?? [])));
      console.log(line(`bot (${bot.build}) command → Approve offered`, s));
      const spans = span.get(bot);
      if (spans?.length)
        console.log(line(`  of which the preflight lines (first start → last end)`, summarize(spans)));
      rows.push({
        part: '8 emergency',
        measure: `bot (${bot.build}) command → Approve offered, p50 / p95 (n=${N})`,
        figure: `${ms(s.p50)} / ${ms(s.p95)}`,
        budget: '',
        within: '',
      });
    }
    return rows;
  } finally {
    for (const bot of bots) await closeLarkServiceBot(bot);
  }
}
