import { botCheckRest } from '../runbooks/bot-argv.js';
import { runCheckStep } from './check-step.js';
import { type SpawnableStep, type SpawnStepOptions, type StepOutcome, spawnStep } from './spawn-step.js';

/**
 * Run one step: a `{{bot.check}}` step inside this process (no Node start per check), anything else as a
 * process of its own. Both end in the same StepOutcome: status, exit code, redacted output tail.
 */
export function runStep(step: SpawnableStep, opts: SpawnStepOptions): Promise<StepOutcome> {
  const checkArgv = botCheckRest(step.argv);
  return checkArgv ? runCheckStep(step, checkArgv, opts) : spawnStep(step, opts);
}
