import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requestRun } from '../lib/harness.js';
import { CHATS, LEAD_A } from '../lib/lark-bodies.js';
import {
  closeLarkServiceBot,
  freshAtHead,
  type LarkServiceBot,
  startLarkServiceBot,
} from '../lib/lark-service.js';
import { ADMIN_URL } from '../lib/scratch.js';
import { line, median, ms, type Row, summarize } from '../lib/stats.js';
import { englishLines, threadLag, threadOf } from '../lib/thread-lag.js';

const run = promisify(execFile);
const N = Number(process.env.BENCH_DRILL_RUNS ?? 5);

/** Newest modification time under a folder (.ts files), ms. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path));
    else if (entry.name.endsWith('.ts')) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

/** dist/ as `npm run build` leaves it, rebuilt when older than the sources; false when the build failed. */
export function ensureBuild(): boolean {
  const marker = 'dist/src/checks/main.js';
  let built = 0;
  try {
    built = statSync(marker).mtimeMs;
  } catch {
    // not built yet
  }
  if (built > Math.max(newest('src'), newest('cards'))) {
    console.log('  dist/ is newer than src/ and cards/: using it as is');
    return true;
  }
  console.log('  dist/ is missing or older than the sources: npm run build …');
  const t0 = performance.now();
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
    console.log(`  built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return true;
  } catch {
    console.log('  the build failed: the dist variant is skipped');
    return false;
  }
}

interface Variant extends LarkServiceBot {
  /** approval click → run succeeded (DB), ms */
  finished: number[];
  /** approval click → summary reply in the chat thread, ms */
  summary: number[];
  /** Σ of the run's step durations (DB), ms */
  inSteps: number[];
  steps: { id: string; ms: number; gapBefore: number }[];
  /** a step's end (DB) → the reply carrying its end line stored in the sandbox, ms, every step of every run */
  lag: number[];
  /** thread lines (step starts and ends) and thread replies, per run */
  lines: number[];
  replies: number[];
}

async function startVariant(build: 'src' | 'dist'): Promise<Variant> {
  const bot = await startLarkServiceBot(build, 'drill');
  return { ...bot, finished: [], summary: [], inSteps: [], steps: [], lag: [], lines: [], replies: [] };
}

/**
 * One drill through the bot on a fresh lark_service database migrated to head first (untimed). From an empty
 * database the bot's drill cannot finish: the approval binds to the revision the preflight saw (base), the
 * drill's own step 3 upgrades to head, and the re-check before the first mutating step (insert-row) then sees
 * a changed state and sends the run back for approval.
 */
async function botDrill(v: Variant, chat: string): Promise<void> {
  await freshAtHead(v);
  const req = await requestRun(v.h, chat, '/rollback drill', 60_000);
  const runId = req.value.run;
  let summaryAt = 0;
  const summary = v.h.sandbox.waitFor(() => {
    const found = v.h.sandbox
      .botMessages(chat)
      .find(
        (m) =>
          (m.parentId === req.card.messageId || m.rootId === req.card.messageId) &&
          englishLines(m).some((l) => /Total time/.test(l)),
      );
    if (found && !summaryAt) summaryAt = performance.now();
    return found;
  }, 90_000);
  summary.catch(() => {}); // awaited below, once the run is known to have succeeded
  const t0 = performance.now();
  const click = await v.h.sandbox.click({
    operatorOpenId: LEAD_A,
    messageId: req.card.messageId,
    value: req.value,
  });
  if (click.toast?.type !== 'success') throw new Error(`approve answered ${JSON.stringify(click.toast)}`);
  let state = '';
  let started = false;
  const deadline = Date.now() + 60_000;
  // Ends at a final state, or back at awaiting_approval (a re-check found the state changed: rebound).
  while (
    !['succeeded', 'failed', 'paused', 'cancelled'].includes(state) &&
    !(started && state === 'awaiting_approval')
  ) {
    if (Date.now() > deadline) throw new Error(`drill run ${runId} still ${state} after 60 s`);
    await new Promise((r) => setTimeout(r, 5));
    state = (await v.h.ctx.pool.query('SELECT state FROM runs WHERE id = $1', [runId])).rows[0]?.state;
    if (state === 'running') started = true;
  }
  const finishedAt = performance.now();
  const steps = await v.h.ctx.pool.query(
    `SELECT step_id, state, exit_code, output_tail, extract(epoch FROM started_at) * 1000 AS started,
            extract(epoch FROM finished_at) * 1000 AS finished
       FROM steps WHERE run_id = $1 ORDER BY idx`,
    [runId],
  );
  if (state !== 'succeeded') {
    const bad =
      steps.rows.find((s) => s.state !== 'succeeded' && s.state !== 'pending') ??
      steps.rows.find((s) => s.state === 'pending');
    throw new Error(
      `the drill through the bot (${v.build}) ended ${state}: step ${bad?.step_id} ${bad?.state} exit ${bad?.exit_code}\n${bad?.output_tail}`,
    );
  }
  await summary;
  v.finished.push(finishedAt - t0);
  v.summary.push(summaryAt - t0);
  v.steps = steps.rows.map((s, i) => ({
    id: String(s.step_id),
    ms: Number(s.finished) - Number(s.started),
    gapBefore: i === 0 ? 0 : Number(s.started) - Number(steps.rows[i - 1]?.finished),
  }));
  v.inSteps.push(v.steps.reduce((a, s) => a + s.ms, 0));
  const lag = await threadLag(
    v.h.ctx.pool,
    runId,
    threadOf(v.h.sandbox.botMessages(chat), req.card.messageId),
  );
  v.lag.push(...lag.lags);
  v.lines.push(lag.lines);
  v.replies.push(lag.replies);
}

async function byHand(): Promise<number> {
  const { stdout } = await run('bash', ['bench/drill-by-hand.sh'], {
    env: { ...process.env, RUNS: '1', PG_ADMIN_URL: ADMIN_URL },
    maxBuffer: 1 << 20,
  });
  const m = /run 1: (\d+) ms/.exec(stdout);
  if (!m?.[1]) throw new Error(`drill-by-hand.sh printed:\n${stdout}`);
  return Number(m[1]);
}

/** 6. The seed's drill through the bot (approval → summary) vs the same commands by hand, alternating. */
export async function drill(): Promise<Row[]> {
  console.log(
    `\n## 6. The drill (runbooks/drill.yaml) through the bot vs bench/drill-by-hand.sh — ${N} runs each, alternating ` +
      '(by hand, bot from src/, bot from dist/); by hand on a fresh empty database (the script creates it), the bot on a ' +
      'fresh database at head (alembic upgrade head first, untimed: from base its own re-check stops the drill); ' +
      'the bot: approval click → run succeeded, and → summary reply in the thread',
  );
  const built = ensureBuild();
  const variants: Variant[] = [];
  const hand: number[] = [];
  try {
    variants.push(await startVariant('src'));
    if (built) variants.push(await startVariant('dist'));
    for (let i = 0; i < N; i++) {
      hand.push(await byHand());
      const row = [`  run ${i + 1}: by hand ${ms(hand[i] ?? Number.NaN)}`];
      for (const v of variants) {
        await botDrill(v, CHATS[i % CHATS.length] ?? '');
        row.push(
          `bot (${v.build}) ${ms(v.finished[i] ?? Number.NaN)} to finished, ${ms(v.summary[i] ?? Number.NaN)} to summary`,
        );
      }
      console.log(row.join(' | '));
    }
    const handMed = median(hand);
    console.log(`  by hand: median ${ms(handMed)}`);
    const rows: Row[] = [
      {
        part: '6 drill',
        measure: `by hand (bash), median of ${N}`,
        figure: ms(handMed),
        budget: '',
        within: '',
      },
    ];
    for (const v of variants) {
      const fin = median(v.finished);
      const sum = median(v.summary);
      console.log(
        `  bot (${v.build}): median ${ms(fin)} approval → finished (${(fin / handMed).toFixed(2)}× by hand), ` +
          `${ms(sum)} approval → summary in the chat (${(sum / handMed).toFixed(2)}×)`,
      );
      const inSteps = median(v.inSteps);
      console.log(
        `    Σ step durations ${ms(inSteps)} (median); approval → finished beyond them ${ms(fin - inSteps)} ` +
          '(the click, queueing, the binding re-check before insert-row, the step transactions)',
      );
      console.log(
        `    its last run's steps (DB, step start → end): ${v.steps.map((s) => `${s.id} ${s.ms.toFixed(0)}`).join(', ')} ms`,
      );
      const lag = summarize(v.lag);
      console.log(line(`bot (${v.build}) thread lag: step end → its line in the chat`, lag));
      console.log(
        `    thread lines per run ${median(v.lines)} (median) in ${median(v.replies)} replies (incl. the summary)`,
      );
      const gaps = [...v.steps].sort((a, b) => b.gapBefore - a.gapBefore);
      console.log(
        `    its last run's largest gaps between steps: ${gaps
          .slice(0, 2)
          .map((s) => `before ${s.id} ${ms(s.gapBefore)}`)
          .join(', ')}; median gap ${ms(median(v.steps.slice(1).map((s) => s.gapBefore)))}`,
      );
      rows.push(
        {
          part: '6 drill',
          measure: `bot (${v.build}) approval → summary, median`,
          figure: `${ms(sum)} = ${(sum / handMed).toFixed(2)}× by hand`,
          // Issue 13: the summary in the chat within 1.2× of the person pasting the commands.
          budget: '≤ 1.2×',
          within: sum / handMed <= 1.2 ? 'yes' : 'no',
        },
        {
          part: '6 drill',
          measure: `bot (${v.build}) thread lag p50 / p95 (n=${lag.n})`,
          figure: `${ms(lag.p50)} / ${ms(lag.p95)}`,
          budget: 'p95 ≤ 1 s',
          within: lag.p95 <= 1000 ? 'yes' : 'no',
        },
        {
          part: '6 drill',
          measure: `bot (${v.build}) approval → run finished, median`,
          figure: `${ms(fin)} = ${(fin / handMed).toFixed(2)}× by hand`,
          // Issue 13: the run itself no slower than by hand from dist/, within 1.1× from source (tsx).
          budget: v.build === 'dist' ? '≤ 1.0×' : '≤ 1.1×',
          within: fin / handMed <= (v.build === 'dist' ? 1.0 : 1.1) ? 'yes' : 'no',
        },
      );
    }
    return rows;
  } finally {
    for (const v of variants) await closeLarkServiceBot(v);
  }
}
