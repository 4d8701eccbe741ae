import type { RunState, StepState } from '../../cards/model.js';

export type { RunState, StepState };

/** States that hold the target: every state not final (the partial unique index of migrations/004). */
export const ACTIVE_STATES: readonly RunState[] = [
  'requested',
  'awaiting_approval',
  'scheduled',
  'queued',
  'running',
  'paused',
];
export const FINAL_STATES: readonly RunState[] = ['succeeded', 'failed', 'rejected', 'expired', 'cancelled'];

export function isFinal(state: RunState): boolean {
  return FINAL_STATES.includes(state);
}

/** Step outcomes that end a run as failed. */
export const FAILED_STEP_STATES: readonly StepState[] = ['failed', 'timed_out'];
