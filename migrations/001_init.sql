-- The bot's own schema: runs, approvals, steps, inbound events (dedupe), outbox.
CREATE TYPE run_state AS ENUM (
  'requested', 'awaiting_approval', 'queued', 'running', 'paused',
  'succeeded', 'failed', 'rejected', 'expired', 'cancelled'
);
CREATE TYPE step_state AS ENUM (
  'pending', 'running', 'succeeded', 'failed', 'timed_out', 'skipped', 'interrupted', 'cancelled'
);

CREATE TABLE runs (
  id                text PRIMARY KEY,
  runbook_id        text NOT NULL,
  runbook_hash      text NOT NULL,
  target_id         text NOT NULL,
  params            jsonb NOT NULL,
  plan_hash         text NOT NULL,
  view              jsonb NOT NULL,           -- title, rto, quorum, four_eyes, step titles: what the cards show
  chat_id           text NOT NULL,
  requester_open_id text NOT NULL,
  source_message_id text,
  card_message_id   text,
  state             run_state NOT NULL,
  quorum            integer NOT NULL CHECK (quorum >= 1),
  four_eyes         boolean NOT NULL,
  expires_at        timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  approved_at       timestamptz,
  started_at        timestamptz,
  finished_at       timestamptz,
  lease_token       bigint NOT NULL DEFAULT 0,
  lease_expires_at  timestamptz,
  cancel_requested  text CHECK (cancel_requested IN ('after_step', 'now')),
  actor_open_id     text,
  reason            text
);
-- Invariant 4: at most one active run per target.
CREATE UNIQUE INDEX runs_one_active_per_target ON runs (target_id)
  WHERE state IN ('requested', 'awaiting_approval', 'queued', 'running', 'paused');
CREATE INDEX runs_chat_recent ON runs (chat_id, created_at DESC);

CREATE TABLE approvals (
  run_id          text NOT NULL REFERENCES runs (id),
  approver_open_id text NOT NULL,
  decision        text NOT NULL CHECK (decision IN ('approve', 'reject')),
  plan_hash       text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  -- Invariant: one decision per approver per run and plan. A plan that drifted after approval is a new plan
  -- that needs new approvals; the old rows stay as the audit trail.
  PRIMARY KEY (run_id, approver_open_id, plan_hash)
);

CREATE TABLE steps (
  run_id      text NOT NULL REFERENCES runs (id),
  idx         integer NOT NULL,
  step_id     text NOT NULL,
  title       jsonb NOT NULL,
  argv        jsonb NOT NULL,                 -- redacted, for the audit trail
  idempotent  boolean NOT NULL,
  state       step_state NOT NULL DEFAULT 'pending',
  attempt     integer NOT NULL DEFAULT 0,
  started_at  timestamptz,
  finished_at timestamptz,
  exit_code   integer,
  output_tail text,
  PRIMARY KEY (run_id, idx)
);

-- Dedupe of inbound deliveries: one row per event_id (and per message_id), kept past Lark's ~7 h retry window.
CREATE TABLE inbound_events (
  event_id    text PRIMARY KEY,
  message_id  text UNIQUE,
  received_at timestamptz NOT NULL DEFAULT now()
);

-- Transactional outbox: every message owed to Lark, written with the state change that caused it.
CREATE TABLE outbox (
  id          bigserial PRIMARY KEY,
  stream      text NOT NULL,                  -- 'run:<id>' or 'chat:<chat_id>': delivery order is per stream
  run_id      text REFERENCES runs (id),
  chat_id     text NOT NULL,
  op          text NOT NULL CHECK (op IN ('create', 'reply', 'thread', 'patch')),
  reply_to    text,                           -- message id for 'reply'; thread/patch target the run's card
  payload     jsonb NOT NULL,                 -- {msgType, content} already rendered and redacted
  uuid        text NOT NULL UNIQUE,
  state       text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'superseded', 'failed')),
  attempts    integer NOT NULL DEFAULT 0,
  last_error  text,
  lark_message_id text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz
);
CREATE INDEX outbox_pending ON outbox (stream, id) WHERE state = 'pending';
