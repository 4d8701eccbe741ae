import type { Command } from '../commands/parse.js';
import { replies } from '../commands/replies.js';
import type { PoolClient } from '../db/pool.js';
import { findRunbook, pickTarget } from '../runbooks/catalog.js';
import { createRedactor, secretsOfTarget } from '../runbooks/redact.js';
import { renderSteps, validateParams } from '../runbooks/render.js';
import { DRILL_RUNBOOK, DURATION_SAMPLES, estimateDuration } from './durations.js';
import { successfulDurations } from './history-repo.js';
import { planHashOf } from './ids.js';
import { requestNotices } from './notices.js';
import type { Owed } from './outbox-writer.js';
import type { RunsDeps } from './ports.js';
import { refusedByEnvironment } from './refuse-on.js';
import { activeRunOnTarget, getApprovals, getRun, getSteps, insertRun } from './run-repo.js';
import { runnerUpFor } from './runners-repo.js';
import { remindersTooLate, resolveStart, scheduleNotices } from './schedule.js';
import { setStartAt } from './schedule-repo.js';
import { approvalOf, chatsOf, leadsOf } from './target-policy.js';
import { toRunView } from './view.js';

type RequestCommand = Extract<Command, { kind: 'request' }>;

/**
 * Validate a request and create the run awaiting approval, with its approval card owed to Lark.
 * Every refusal is a chat reply that says what to change. Returns the new run's id.
 */
export async function requestRun(
  deps: RunsDeps,
  tx: PoolClient,
  owed: Owed,
  msg: { chatId: string; messageId: string; senderOpenId: string },
  command: RequestCommand,
): Promise<{ runId: string; expiresAt: Date; preflight: boolean } | undefined> {
  const catalog = deps.catalog();
  const say = (text: Parameters<Owed['reply']>[2]) => owed.reply(msg.chatId, msg.messageId, text);
  const runbook = findRunbook(catalog, command.runbook);
  if (!runbook) return void (await say(replies.unknownRunbook(command.runbook, catalog)));
  // Parameters first: a bad value is named even when stray words follow it.
  const checked = validateParams(runbook, command.params);
  if (!checked.ok) return void (await say(replies.badParams(checked.errors)));
  const choice = pickTarget(catalog, runbook, command.target);
  if (!choice.ok) return void (await say(replies.targetRefused(choice.reason)));
  const target = choice.target;
  const chats = chatsOf(deps.policy, target);
  if (!chats.some((c) => c.id === msg.chatId)) return void (await say(replies.wrongChat(target.id, chats)));
  const approval = approvalOf(runbook, target);
  const approvers = leadsOf(deps.policy, target).filter(
    (id) => !(approval.fourEyes && id === msg.senderOpenId),
  );
  if (runbook.approval.required && approvers.length < approval.quorum) {
    return void (await say(
      replies.quorumUnreachable(target.id, approval.quorum, approvers.length, approval.fourEyes),
    ));
  }
  const refused = refusedByEnvironment(runbook, target, checked.params);
  if (refused) return void (await say(refused));
  if (command.extras.length > 0) return void (await say(replies.extraWords(command.extras)));
  // A runbook that needs no approval starts once its preflight passes: there is no approval to hold it until `at=`.
  if (command.at !== undefined && !runbook.approval.required)
    return void (await say(replies.atNeedsApproval(runbook.id)));
  const start = command.at !== undefined ? resolveStart(deps, command.at) : undefined;
  if (start && !start.ok) return void (await say(start.reason));
  const startAt = start?.ok ? start.startAt : undefined;

  const busy = await activeRunOnTarget(tx, target.id);
  if (busy) return void (await say(replies.targetBusy(target.id, busy.id, busy.state)));

  const pool = target.runner ?? 'default';
  const runnerUp = await runnerUpFor(tx, pool, target.id);
  const runId = deps.newRunId();
  const steps = renderSteps(runbook, 'steps', target, checked.params, {
    runId,
    baseDir: deps.baseDir,
    extraEnv: deps.stepBaseEnv,
  });
  const redact = createRedactor(secretsOfTarget(target));
  const hash = planHashOf(runbook.hash, target.id, checked.params, steps);
  const expiresAt = new Date(deps.now() + approval.expiresInSeconds * 1000);
  // Measured now, before this run exists: the card's expectation and, since the target admits one active run at
  // a time, exactly the earlier runs the summary compares with.
  const durations = estimateDuration(
    await successfulDurations(tx, runbook.id, target.id, DURATION_SAMPLES),
    runbook.id === DRILL_RUNBOOK
      ? undefined
      : (await successfulDurations(tx, DRILL_RUNBOOK, target.id, 1))[0],
  );
  const inserted = await insertRun(tx, {
    id: runId,
    runbookId: runbook.id,
    runbookHash: runbook.hash,
    targetId: target.id,
    params: checked.params,
    planHash: hash,
    meta: {
      title: runbook.title,
      ...(runbook.rtoSeconds !== undefined ? { rtoSeconds: runbook.rtoSeconds } : {}),
      notices: [
        ...(startAt ? scheduleNotices(deps, startAt) : []),
        // Scheduled: the window notice is about the start time, not now.
        ...requestNotices(runbook, deps.policy.window, startAt?.getTime() ?? deps.now()),
      ],
      ...(runnerUp ? {} : { waitingForRunner: pool }),
      durations,
      // Who the card asks (and mentions): the Tech Leads, without the requester under four-eyes.
      approvers,
      ...(runbook.approval.required ? {} : { approvalNotNeeded: true }),
    },
    chatId: msg.chatId,
    requesterOpenId: msg.senderOpenId,
    sourceMessageId: msg.messageId,
    state: runbook.preflight.length > 0 ? 'requested' : 'awaiting_approval',
    runnerPool: target.runner ?? 'default',
    quorum: approval.quorum,
    fourEyes: approval.fourEyes,
    expiresAt,
    steps: steps.map((s) => ({
      stepId: s.id,
      title: s.title,
      argv: s.argv.map(redact),
      idempotent: s.idempotent,
    })),
  });
  if (!inserted) {
    const other = await activeRunOnTarget(tx, target.id);
    return void (await say(replies.targetBusy(target.id, other?.id ?? '?', other?.state ?? 'active')));
  }
  if (startAt) await setStartAt(tx, runId, startAt, remindersTooLate(deps, startAt));
  const row = await getRun(tx, runId);
  if (!row) throw new Error(`run ${runId} vanished inside its own transaction`);
  const view = toRunView(row, await getSteps(tx, runId), await getApprovals(tx, runId));
  await owed.runCard(view, msg.chatId, 'create', `${runId}-card`);
  return { runId, expiresAt, preflight: runbook.preflight.length > 0 };
}
