-- Issue 14, item 3: `/rollback impact [target]` asks a runner of the target's pool for the live impact analysis.
-- The request is a row, so a job Redis lost is queued again by the sweep; the answer card is written to the outbox
-- in the same transaction that marks the row done, so it is posted once.
CREATE TABLE impact_requests (
  id text PRIMARY KEY,
  chat_id text NOT NULL,
  -- The command's message: the card answers it.
  message_id text NOT NULL,
  requester_open_id text NOT NULL,
  target_id text NOT NULL,
  runner_pool text NOT NULL DEFAULT 'default',
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
  -- ok | unreachable | no_alembic | failed, once done.
  outcome text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX impact_requests_pending ON impact_requests (created_at) WHERE state = 'pending';
