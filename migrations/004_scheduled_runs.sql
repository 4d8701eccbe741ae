-- Issue 14, item 1: a run approved to start later waits in state `scheduled`. Postgres holds the schedule (the
-- start time and which reminders were sent), so a lost delayed job or a Redis flush loses nothing: the sweep
-- re-triggers from these columns.
ALTER TYPE run_state ADD VALUE IF NOT EXISTS 'scheduled' AFTER 'awaiting_approval';
ALTER TABLE runs ADD COLUMN start_at timestamptz;
-- Reminder offsets (ms before start_at) already posted to the chat.
ALTER TABLE runs ADD COLUMN reminders_sent bigint[] NOT NULL DEFAULT '{}';
-- A scheduled run holds its target. The new enum value cannot be named in this transaction, so the predicate
-- lists the final states instead (same set: every state not final is active).
DROP INDEX runs_one_active_per_target;
CREATE UNIQUE INDEX runs_one_active_per_target ON runs (target_id)
  WHERE state NOT IN ('succeeded', 'failed', 'rejected', 'expired', 'cancelled');
CREATE INDEX runs_scheduled_start ON runs (start_at) WHERE start_at IS NOT NULL;
