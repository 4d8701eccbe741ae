import { existsSync, readFileSync } from 'node:fs';
import { type BenchHarness, markerFile, requestRun, startBenchHarness } from '../lib/harness.js';
import { CHATS, LEAD_A } from '../lib/lark-bodies.js';
import { targetId, tempDir, writeTargets } from '../lib/scratch.js';
import { line, ms, type Row, sleep, summarize } from '../lib/stats.js';

const WARMUP = 3;
const COUNT = 20;
const ROUNDS = 2;
const wallMs = () => performance.timeOrigin + performance.now();

/** Click → the first step's own timestamp, for `count` runs one after another on targets from `from`. */
async function clickToFirstStep(
  h: BenchHarness,
  dir: string,
  from: number,
  count: number,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const run = await requestRun(h, CHATS[i % CHATS.length] ?? '', `/rollback marker ${targetId(from + i)}`);
    const clicked = wallMs();
    await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: run.card.messageId, value: run.value });
    const file = markerFile(dir, run.value.run);
    const deadline = Date.now() + 10_000;
    while (!existsSync(file) || readFileSync(file, 'utf8').trim() === '') {
      if (Date.now() > deadline) throw new Error(`no marker from run ${run.value.run}\n${h.logTail()}`);
      await sleep(1);
    }
    out.push(Number(readFileSync(file, 'utf8').trim()) / 1e6 - clicked);
    await h.waitForState(run.value.run, 'succeeded');
  }
  return out;
}

/** 7. Approve → first step with the targets in a runner pool of their own, against the single default queue. */
export async function pools(): Promise<Row[]> {
  console.log(
    `\n## 7. Runner pools: approve → first step spawned (its own clock), targets in pool "bench-a" served by a worker with --pools bench-a, ` +
      `vs the default pool; ${ROUNDS} alternating rounds × ${COUNT} runs (+${WARMUP} warm-up each); in-process server + worker + sandbox`,
  );
  const per = ROUNDS * (WARMUP + COUNT);
  const results: Record<'default' | 'pool', number[]> = { default: [], pool: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of ['default', 'pool'] as const) {
      const dir = tempDir(`pools-${kind}`);
      const h = await startBenchHarness({
        targetsFile: writeTargets(dir, per, kind === 'pool' ? 'bench-a' : undefined),
        markerDir: dir,
        ...(kind === 'pool' ? { pools: ['bench-a'] } : {}),
      });
      try {
        const all = await clickToFirstStep(h, dir, round * (WARMUP + COUNT), WARMUP + COUNT);
        results[kind].push(...all.slice(WARMUP));
      } finally {
        await h.close();
      }
    }
  }
  const d = summarize(results.default);
  const p = summarize(results.pool);
  console.log(line('default pool (queue "execute")', d));
  console.log(line('pool bench-a (queue "execute-bench-a")', p));
  return [
    {
      part: '7 runner pools',
      measure: `approve → first step p50 / p95, default vs pool (n=${results.default.length} each)`,
      figure: `${ms(d.p50)} / ${ms(d.p95)} vs ${ms(p.p50)} / ${ms(p.p95)}`,
      budget: '',
      within: '',
    },
  ];
}
