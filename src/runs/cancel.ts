import { replies } from '../commands/replies.js';
import type { PoolClient } from '../db/pool.js';
import { closePendingSteps } from './exec-repo.js';
import type { Owed } from './outbox-writer.js';
import { patchUuid } from './outbox-writer.js';
import type { RunsDeps } from './ports.js';
import {
  getApprovals,
  getRun,
  getSteps,
  latestActiveRunInChat,
  requestCancel,
  transition,
} from './run-repo.js';
import { isFinal } from './states.js';
import { isLeadOf } from './target-policy.js';
import { loadRunView, toRunView } from './view.js';

export interface CancelRequest {
  chatId: string;
  messageId: string;
  senderOpenId: string;
  runId: string | undefined;
  mode: 'after_step' | 'now';
}

/**
 * Cancel from chat. Before execution the run ends at once; while running, the worker stops after the
 * current step, or kills it now. Only the requester or a Tech Lead may cancel.
 */
export async function cancelRun(
  deps: RunsDeps,
  tx: PoolClient,
  owed: Owed,
  req: CancelRequest,
): Promise<void> {
  const say = (text: Parameters<Owed['reply']>[2]) => owed.reply(req.chatId, req.messageId, text);
  const run = req.runId ? await getRun(tx, req.runId, true) : await latestActiveRunInChat(tx, req.chatId);
  if (!run || run.chat_id !== req.chatId) {
    return say(req.runId ? replies.noSuchRun(req.runId) : replies.noActiveRun);
  }
  if (run.requester_open_id !== req.senderOpenId && !isLeadOf(deps, run, req.senderOpenId)) {
    return say(replies.cancelNotAllowed);
  }
  if (isFinal(run.state)) return say(replies.cancelNotActive(run.id, run.state));
  if (run.state === 'running') {
    await requestCancel(tx, run.id, req.mode, req.senderOpenId);
    if (req.mode === 'now') await deps.jobs.cancelNow?.(run.id).catch(() => {});
    // The card says it is stopping and drops what can no longer be pressed.
    const stopping = await loadRunView(tx, run.id);
    if (stopping) await owed.runCard(stopping, run.chat_id, 'patch', patchUuid(run.id));
    return say(req.mode === 'now' ? replies.cancelNow(run.id) : replies.cancelAfterStep(run.id));
  }
  const moved = await transition(
    tx,
    run.id,
    ['requested', 'awaiting_approval', 'scheduled', 'queued', 'paused'],
    'cancelled',
    {
      finished_at: new Date(deps.now()),
      actor_open_id: req.senderOpenId,
    },
  );
  if (!moved) return say(replies.cancelNotActive(run.id, run.state));
  await closePendingSteps(tx, run.id, 'cancelled');
  const view = toRunView(moved, await getSteps(tx, run.id), await getApprovals(tx, run.id));
  await owed.runCard(view, run.chat_id, 'patch', patchUuid(run.id));
  return say(replies.cancelled(run.id));
}
