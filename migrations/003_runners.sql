-- Runner pools (issue 12): which pool executes a run (its target's `runner`), which runner ran each step, and
-- the runners' heartbeats.
ALTER TABLE runs ADD COLUMN runner_pool text NOT NULL DEFAULT 'default';
ALTER TABLE steps ADD COLUMN runner_id text;
CREATE TABLE runners (
  id text PRIMARY KEY,
  host text NOT NULL,
  pools text[] NOT NULL,
  version text NOT NULL,
  -- Targets of its pools whose env this runner can fill completely.
  targets text[] NOT NULL DEFAULT '{}',
  started_at timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runners_last_seen ON runners (last_seen);
