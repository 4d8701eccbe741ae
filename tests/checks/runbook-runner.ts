import { loadCatalog } from '../../src/runbooks/index.js';
import { createRedactor, secretsOfTarget } from '../../src/runbooks/redact.js';
import { renderSteps } from '../../src/runbooks/render.js';
import type { Catalog, Target } from '../../src/runbooks/types.js';
import { runStep } from '../../src/worker/run-step.js';

/** One step as the worker would run it: rendered from the shipped YAML, run by the worker's runStep (checks in-process). */
export interface StepResult {
  id: string;
  status: string;
  exitCode: number | null;
  ms: number;
  tail: string;
}

export interface PhaseResult {
  steps: StepResult[];
  /** Wall time of the phase, ms. */
  ms: number;
  ok: boolean;
}

export class Runner {
  readonly catalog: Catalog;
  readonly target: Target;
  private seq = 0;

  constructor(env: Record<string, string>) {
    this.catalog = loadCatalog({ dir: 'runbooks', env });
    const target = this.catalog.targets.get('lark-service');
    if (!target || target.unavailable)
      throw new Error(`lark-service target unavailable: ${target?.unavailable}`);
    this.target = target;
  }

  /** Render the runbook's phase and run its steps in order, stopping at the first that does not succeed. */
  async run(
    id: string,
    phase: 'preflight' | 'steps',
    params: Record<string, string> = {},
  ): Promise<PhaseResult> {
    const runbook = this.catalog.runbooks.get(id);
    if (!runbook) throw new Error(`no runbook ${id}`);
    const steps = renderSteps(runbook, phase, this.target, params, {
      runId: `rtest${++this.seq}`,
      baseDir: process.cwd(),
      extraEnv: process.env,
    });
    const redact = createRedactor(secretsOfTarget(this.target));
    const started = performance.now();
    const results: StepResult[] = [];
    for (const step of steps) {
      if (step.skip) {
        // The step's `when` does not hold: the worker spawns nothing and ends it skipped.
        results.push({ id: step.id, status: 'skipped', exitCode: null, ms: 0, tail: step.skip['en-US'] });
        continue;
      }
      const outcome = await runStep(step, { redact });
      results.push({
        id: step.id,
        status: outcome.status,
        exitCode: outcome.exitCode,
        ms: outcome.durationMs,
        tail: outcome.outputTail,
      });
      if (outcome.status !== 'succeeded') break;
    }
    const ok =
      results.length === steps.length &&
      results.every((r) => r.status === 'succeeded' || r.status === 'skipped');
    return { steps: results, ms: Math.round(performance.now() - started), ok };
  }

  /** Preflight then steps; throws with every step's output when something fails. */
  async runAll(id: string, params: Record<string, string> = {}): Promise<PhaseResult> {
    const pre = await this.run(id, 'preflight', params);
    if (!pre.ok) throw new Error(`${id} preflight failed:\n${describe(pre)}`);
    const main = await this.run(id, 'steps', params);
    if (!main.ok) throw new Error(`${id} failed:\n${describe(main)}`);
    return main;
  }
}

export function describe(result: PhaseResult): string {
  return result.steps.map((s) => `[${s.id}] ${s.status} exit=${s.exitCode} ${s.ms}ms\n${s.tail}`).join('\n');
}
