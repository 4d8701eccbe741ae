import { requestRun, startBenchHarness } from '../lib/harness.js';
import { CHATS } from '../lib/lark-bodies.js';
import { targetId, tempDir, writeTargets } from '../lib/scratch.js';
import { line, ms, type Row, sleep, summarize } from '../lib/stats.js';

const WARMUP = 5;
const COUNT = 50;
const PACE_MS = 300;

/** 3. Command → approval card in the chat, end to end (the worker's delivery included). */
export async function commandToCard(): Promise<Row[]> {
  return [...(await commandToCardIn('webhook')), ...(await commandToCardIn('websocket'))];
}

async function commandToCardIn(eventMode: 'webhook' | 'websocket'): Promise<Row[]> {
  console.log(
    `\n## 3. Command → card (${eventMode}): sandbox sends "/rollback bench <target>" (${eventMode === 'webhook' ? 'signed+encrypted HTTP POST' : 'a frame on the long connection'}) → approval card stored in the sandbox; ` +
      `${COUNT} requests one after another (+${WARMUP} warm-up), rotating over ${CHATS.length} chats, each chat's previous card ≥ ${PACE_MS} ms old so the bot's 220 ms per-chat pacing (Lark's 5/s) does not delay them; in-process server + worker + sandbox`,
  );
  const dir = tempDir('card');
  const h = await startBenchHarness({
    targetsFile: writeTargets(dir, WARMUP + COUNT),
    markerDir: dir,
    eventMode,
  });
  try {
    const total: number[] = [];
    const ack: number[] = [];
    const delivery: number[] = [];
    const lastCard = new Map<string, number>();
    for (let i = 0; i < WARMUP + COUNT; i++) {
      const chat = CHATS[i % CHATS.length] ?? '';
      // The bot paces sends per chat at 220 ms (Lark: 5/s); keep this chat's previous card out of the way.
      const since = performance.now() - (lastCard.get(chat) ?? 0);
      if (since < PACE_MS) await sleep(PACE_MS - since);
      const r = await requestRun(h, chat, `/rollback bench ${targetId(i)}`);
      lastCard.set(chat, r.cardAt);
      if (i < WARMUP) continue;
      total.push(r.cardAt - r.sent);
      ack.push(r.acked - r.sent);
      delivery.push(r.cardAt - r.acked);
    }
    const s = summarize(total);
    console.log(line('event sent → card in the chat', s));
    console.log(line('  of which: event sent → HTTP 200 (the command)', summarize(ack)));
    console.log(line('  of which: HTTP 200 → card (queue + delivery)', summarize(delivery)));
    return [
      {
        part: `3 command → card (${eventMode})`,
        measure: `end to end p50 / p95 (n=${COUNT})`,
        figure: `${ms(s.p50)} / ${ms(s.p95)}`,
        budget: '',
        within: '',
      },
    ];
  } finally {
    await h.close();
  }
}
