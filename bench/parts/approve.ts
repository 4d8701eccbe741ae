import { existsSync, readFileSync } from 'node:fs';
import { spawnStep } from '../../src/worker/spawn-step.js';
import { type BenchHarness, markerFile, requestRun, startBenchHarness } from '../lib/harness.js';
import { CHATS, LEAD_A } from '../lib/lark-bodies.js';
import { targetId, tempDir, writeTargets } from '../lib/scratch.js';
import { line, median, ms, type Row, sleep, summarize } from '../lib/stats.js';

const WARMUP = 3;
const COUNT = 30;
const STEPS = 20;
const OVERHEAD_RUNS = 5;

const wallMs = () => performance.timeOrigin + performance.now();

/** Epoch ms (fractional) of a run's and its steps' timestamps, from Postgres (µs precision). */
async function timeline(h: BenchHarness, runId: string) {
  const run = await h.ctx.pool.query(
    `SELECT extract(epoch FROM approved_at) * 1000 AS approved, extract(epoch FROM started_at) * 1000 AS started,
            extract(epoch FROM finished_at) * 1000 AS finished FROM runs WHERE id = $1`,
    [runId],
  );
  const steps = await h.ctx.pool.query(
    `SELECT extract(epoch FROM started_at) * 1000 AS started, extract(epoch FROM finished_at) * 1000 AS finished
       FROM steps WHERE run_id = $1 ORDER BY idx`,
    [runId],
  );
  const r = run.rows[0] ?? {};
  return {
    approved: Number(r.approved),
    started: Number(r.started),
    finished: Number(r.finished),
    steps: steps.rows.map((s) => ({ started: Number(s.started), finished: Number(s.finished) })),
  };
}

/** 5. Approve → first step spawned, and the bot's own overhead per step. */
export async function approve(): Promise<Row[]> {
  console.log(
    `\n## 5. Approve → first step spawned: click (Tech Lead approves) → the first step's own timestamp (date +%s%N written by the step); ` +
      `${COUNT} runs one after another (+${WARMUP} warm-up), each run finished before the next click; in-process server + worker + sandbox`,
  );
  const dir = tempDir('approve');
  const h = await startBenchHarness({
    targetsFile: writeTargets(dir, WARMUP + COUNT + OVERHEAD_RUNS + 1),
    markerDir: dir,
  });
  try {
    const total: number[] = [];
    const answer: number[] = [];
    const decided: number[] = [];
    const pickup: number[] = [];
    const prepare: number[] = [];
    const spawn: number[] = [];
    let t = 0;
    for (let i = 0; i < WARMUP + COUNT; i++, t++) {
      const run = await requestRun(h, CHATS[i % CHATS.length] ?? '', `/rollback marker ${targetId(t)}`);
      const runId = run.value.run;
      const clicked = wallMs();
      const res = await h.sandbox.click({
        operatorOpenId: LEAD_A,
        messageId: run.card.messageId,
        value: run.value,
      });
      const answered = wallMs();
      if (res.toast?.type !== 'success') throw new Error(`approve answered ${JSON.stringify(res.toast)}`);
      const file = markerFile(dir, runId);
      const deadline = Date.now() + 10_000;
      while (!existsSync(file) || readFileSync(file, 'utf8').trim() === '') {
        if (Date.now() > deadline) throw new Error(`no marker from run ${runId}\n${h.logTail()}`);
        await sleep(1);
      }
      const marked = Number(readFileSync(file, 'utf8').trim()) / 1e6;
      await h.waitForState(runId, 'succeeded');
      if (i < WARMUP) continue;
      const tl = await timeline(h, runId);
      const step0 = tl.steps[0]?.started ?? Number.NaN;
      total.push(marked - clicked);
      answer.push(answered - clicked);
      decided.push(tl.approved - clicked);
      pickup.push(tl.started - tl.approved);
      prepare.push(step0 - tl.started);
      spawn.push(marked - step0);
    }
    const s = summarize(total);
    console.log(line('click → first step running (its own clock)', s));
    console.log(line('  click → run approved (approved_at, DB)', summarize(decided)));
    console.log(line('  approved → run leased by the worker (DB)', summarize(pickup)));
    console.log(line('  leased → step 1 marked running (DB)', summarize(prepare)));
    console.log(line('  step 1 marked running → process wrote its time', summarize(spawn)));
    console.log(line('(click → approval answered, HTTP round trip)', summarize(answer)));

    // --- overhead per step: a run of STEPS × `true`.
    console.log(
      `\n   Overhead per step: runbook "steps" = ${STEPS} × \`true\`, ${OVERHEAD_RUNS} runs (+1 warm-up); ` +
        '(run duration − Σ step durations) / N from the DB timestamps, and run duration / N − the cost of spawning `true` directly',
    );
    const spawnDirect: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      await spawnStep(
        {
          argv: ['true'],
          cwd: process.cwd(),
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
          timeoutMs: 10_000,
        },
        { redact: (x) => x },
      );
      if (i >= 5) spawnDirect.push(performance.now() - t0);
    }
    const spawnCost = median(spawnDirect);
    const perRunGap: number[] = [];
    const perRunBeyondSpawn: number[] = [];
    const perRunDuration: number[] = [];
    for (let i = 0; i <= OVERHEAD_RUNS; i++, t++) {
      const run = await requestRun(h, CHATS[i % CHATS.length] ?? '', `/rollback steps ${targetId(t)}`);
      await h.sandbox.click({ operatorOpenId: LEAD_A, messageId: run.card.messageId, value: run.value });
      await h.waitForState(run.value.run, 'succeeded', 60_000);
      if (i === 0) continue;
      const tl = await timeline(h, run.value.run);
      const duration = tl.finished - tl.started;
      const inSteps = tl.steps.reduce((a, st) => a + (st.finished - st.started), 0);
      perRunDuration.push(duration);
      perRunGap.push((duration - inSteps) / STEPS);
      perRunBeyondSpawn.push(duration / STEPS - spawnCost);
    }
    console.log(`  spawnStep(['true']) called directly: median ${ms(spawnCost)} (35 calls)`);
    console.log(line(`run of ${STEPS} steps, leased → finished`, summarize(perRunDuration)));
    console.log(line('(run − Σ step durations) / N', summarize(perRunGap)));
    console.log(line('run / N − direct spawn of `true`', summarize(perRunBeyondSpawn)));
    return [
      {
        part: '5 approve → 1st step',
        measure: `click → step running p50 / p95 (n=${COUNT})`,
        figure: `${ms(s.p50)} / ${ms(s.p95)}`,
        budget: 'p95 ≤ 100 ms',
        within: s.p95 <= 100 ? 'yes' : 'no',
      },
      {
        part: '5 overhead per step',
        measure: `(run − Σ steps) / N, median (${OVERHEAD_RUNS} runs × ${STEPS})`,
        figure: ms(median(perRunGap)),
        budget: '≤ 20 ms',
        within: median(perRunGap) <= 20 ? 'yes' : 'no',
      },
      {
        part: '5 overhead per step',
        measure: 'run / N − direct spawn of `true`, median',
        figure: ms(median(perRunBeyondSpawn)),
        budget: '≤ 20 ms',
        within: median(perRunBeyondSpawn) <= 20 ? 'yes' : 'no',
      },
    ];
  } finally {
    await h.close();
  }
}
