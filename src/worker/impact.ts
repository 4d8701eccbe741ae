import type { ImpactView } from '../../cards/impact-model.js';
import { IMPACT_MARK } from '../checks/impact.js';
import { inTransaction } from '../db/pool.js';
import { createRedactor, secretsOfTarget } from '../runbooks/redact.js';
import { renderSteps } from '../runbooks/render.js';
import type { Runbook, Target } from '../runbooks/types.js';
import { finishImpactRequest, getImpactRequest } from '../runs/impact-repo.js';
import { Owed } from '../runs/outbox-writer.js';
import type { PreflightDeps } from './preflight.js';
import { runStep } from './run-step.js';

/** What the impact job needs: what a preflight does, but it is never stopped half-way by a shutdown. */
export type ImpactDeps = Omit<PreflightDeps, 'shutdown'>;

/**
 * The analysis as a one-step read-only runbook, so it is spawned exactly as any step is: the target's env
 * (redacted), a minimal environment, argv without a shell, a timeout that kills its process group.
 */
const IMPACT_RUNBOOK: Runbook = {
  id: 'impact',
  file: '(built in: /rollback impact)',
  hash: '',
  aliases: [],
  title: { 'zh-CN': '回滚影响分析', 'en-US': 'Rollback impact analysis' },
  approval: { approvers: 'tech_leads', quorum: 1, fourEyes: false, expiresInSeconds: 600, required: false },
  params: {},
  preflight: [
    {
      id: 'impact',
      title: { 'zh-CN': '回滚影响分析', 'en-US': 'Rollback impact analysis' },
      run: ['{{bot.check}}', 'impact', '--alembic-dir', '{{target.alembic_dir}}'],
      timeoutSeconds: 300,
      idempotent: true,
    },
  ],
  steps: [],
};

/** Room for the analysis line: well above what 200 revisions print. */
const OUTPUT_BYTES = 1024 * 1024;

/** Run the `impact` check for `target` and read its `::impact` line; a check that said nothing is `failed`. */
export async function runImpactCheck(
  deps: Pick<ImpactDeps, 'baseDir' | 'stepBaseEnv'>,
  target: Target,
  requestId: string,
): Promise<ImpactView> {
  const [step] = renderSteps(
    IMPACT_RUNBOOK,
    'preflight',
    target,
    {},
    {
      runId: requestId,
      baseDir: deps.baseDir,
      extraEnv: deps.stepBaseEnv,
    },
  );
  if (!step) throw new Error('the impact runbook has no step');
  const redact = createRedactor(secretsOfTarget(target));
  const outcome = await runStep(step, { redact, tailBytes: OUTPUT_BYTES });
  const lines = outcome.outputTail.split('\n');
  const line = lines.findLast((l) => l.startsWith(IMPACT_MARK));
  if (line) {
    try {
      const said = JSON.parse(line.slice(IMPACT_MARK.length)) as Omit<ImpactView, 'targetId'>;
      if (typeof said.outcome === 'string' && typeof said.at === 'string')
        return { ...said, targetId: target.id };
    } catch {
      // fall through: reported as a failure with the output's last lines
    }
  }
  const said = lines
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith(IMPACT_MARK))
    .slice(-3)
    .join(' · ');
  const how = outcome.status === 'timed_out' ? 'timed out' : `exit ${outcome.exitCode ?? outcome.signal}`;
  return {
    targetId: target.id,
    at: new Date().toISOString(),
    outcome: 'failed',
    reason: `${said || 'no output'} (${how})`.slice(0, 500),
  };
}

/**
 * The impact job, on a runner of the target's pool: analyse, then in one transaction mark the request done
 * and owe its card to the chat (a second attempt that finds it done posts nothing).
 */
export async function analyseImpact(deps: ImpactDeps, requestId: string): Promise<void> {
  const row = await getImpactRequest(deps.pool, requestId);
  if (row?.state !== 'pending') return;
  const target = deps.catalog().targets.get(row.target_id);
  // A runner of the pool without the target's secrets leaves the job to one that has them (BullMQ retries).
  if (target?.secretsMissing)
    throw new Error(
      `this runner cannot run target ${target.id}: ${target.secretsMissing} in its environment`,
    );
  const view: ImpactView = target
    ? await runImpactCheck(deps, target, requestId)
    : {
        targetId: row.target_id,
        at: new Date().toISOString(),
        outcome: 'failed',
        reason: `target ${row.target_id} is no longer configured`,
      };
  let owed: Owed | undefined;
  await inTransaction(deps.pool, async (tx) => {
    if (!(await finishImpactRequest(tx, requestId, view.outcome))) return;
    owed = new Owed(tx);
    await owed.replyImpact(row.chat_id, row.message_id, view);
  });
  await owed?.flush(deps.jobs, (error) => deps.log.warn({ err: error }, 'delivery trigger failed'));
}
