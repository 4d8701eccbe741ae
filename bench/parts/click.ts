import { approveValue, requestRun, startBenchHarness } from '../lib/harness.js';
import { CHATS, LEAD_A, STRANGER } from '../lib/lark-bodies.js';
import { targetId, tempDir, writeTargets } from '../lib/scratch.js';
import { line, ms, type Row, summarize } from '../lib/stats.js';

const WARMUP = 10;
const COUNT = 100;

/** 4. Card click → answer (toast + card in the HTTP response). */
export async function click(): Promise<Row[]> {
  return [...(await clickIn('webhook')), ...(await clickIn('websocket'))];
}

async function clickIn(eventMode: 'webhook' | 'websocket'): Promise<Row[]> {
  console.log(
    `\n## 4. Click → answer (${eventMode}): card.action.trigger → toast + card in the answer (${eventMode === 'webhook' ? 'HTTP response to a signed+encrypted POST' : 'ack frame on the long connection'}); ${COUNT} fresh runs ` +
      `(+${WARMUP} warm-up), each clicked by a non-lead (toast only) and then approved by a Tech Lead (toast + new card; ` +
      'the approved run executes meanwhile); clicks one after another; in-process server + worker + sandbox',
  );
  const dir = tempDir('click');
  const h = await startBenchHarness({
    targetsFile: writeTargets(dir, WARMUP + COUNT),
    markerDir: dir,
    eventMode,
  });
  try {
    const runs = [];
    for (let i = 0; i < WARMUP + COUNT; i++) {
      runs.push(await requestRun(h, CHATS[i % CHATS.length] ?? '', `/rollback bench ${targetId(i)}`));
    }
    const approveWall: number[] = [];
    const approveHttp: number[] = [];
    const strangerWall: number[] = [];
    const odd: string[] = [];
    for (const [i, run] of runs.entries()) {
      const t0 = performance.now();
      const no = await h.sandbox.click({
        operatorOpenId: STRANGER,
        messageId: run.card.messageId,
        value: run.value,
      });
      const t1 = performance.now();
      const yes = await h.sandbox.click({
        operatorOpenId: LEAD_A,
        messageId: run.card.messageId,
        value: run.value,
      });
      const t2 = performance.now();
      if (
        no.toast?.type !== 'error' ||
        yes.toast?.type !== 'success' ||
        !yes.card ||
        approveValue(h.sandbox.message(run.card.messageId))
      )
        odd.push(
          `${run.value.run}: stranger ${no.toast?.type}, lead ${yes.toast?.type}${yes.card ? ' + card' : ''}`,
        );
      if (i < WARMUP) continue;
      strangerWall.push(t1 - t0);
      approveWall.push(t2 - t1);
      approveHttp.push(yes.durationMs);
    }
    const s = summarize(approveWall);
    console.log(line('approve: click → toast + card applied', s));
    console.log(line('  delivery round trip only (sandbox, whole ms)', summarize(approveHttp)));
    console.log(line('non-lead: click → error toast', summarize(strangerWall)));
    if (odd.length)
      console.log(`  unexpected answers: ${odd.slice(0, 5).join('; ')}${odd.length > 5 ? ' …' : ''}`);
    return [
      {
        part: `4 click → answer (${eventMode})`,
        measure: `approve, toast + card, p50 / p95 / p99 (n=${COUNT})`,
        figure: `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)}`,
        budget: 'p99 ≤ 50 ms',
        within: s.p99 <= 50 ? 'yes' : 'no',
      },
      {
        part: `4 click → answer (${eventMode})`,
        measure: `non-lead, toast only, p99 (n=${COUNT})`,
        figure: ms(summarize(strangerWall).p99),
        budget: '',
        within: '',
      },
    ];
  } finally {
    await h.close();
  }
}
