import { buildApprovalCard } from './approval-card.js';
import type { LarkCard } from './elements.js';
import { buildExpiredCard } from './expired-card.js';
import type { RenderOptions, RunState, RunView } from './model.js';
import { buildPausedCard } from './paused-card.js';
import { buildProgressCard } from './progress-card.js';
import { buildRejectedCard } from './rejected-card.js';
import { buildSummaryCard } from './summary-card.js';

type Builder = (view: RunView, opts: RenderOptions) => LarkCard;

const BY_STATE: Record<RunState, Builder> = {
  requested: buildApprovalCard,
  awaiting_approval: buildApprovalCard,
  scheduled: buildProgressCard,
  queued: buildProgressCard,
  running: buildProgressCard,
  paused: buildPausedCard,
  succeeded: buildSummaryCard,
  failed: buildSummaryCard,
  cancelled: buildSummaryCard,
  rejected: buildRejectedCard,
  expired: buildExpiredCard,
};

/**
 * The card for the run's current state: the one card per run, patched in place as the state changes.
 * Throws CardTooLargeError only when identifiers alone are too large; an unknown state (bad JSON) gets the
 * summary card rather than a crash.
 */
export function buildRunCard(view: RunView, opts: RenderOptions): LarkCard {
  // A request that ended at its preflight keeps the approval card: it shows which check failed and why.
  if (view.preflightFailed) return buildApprovalCard(view, opts);
  const builder = Object.hasOwn(BY_STATE, view.state) ? BY_STATE[view.state] : buildSummaryCard;
  return builder(view, opts);
}
