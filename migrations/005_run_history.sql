-- Issue 14, item 2: measured durations and `/rollback history`. Both read finished runs of one target (and one
-- runbook), newest first: the approval card's median of the last successful runs, and the history list.
CREATE INDEX runs_history ON runs (target_id, runbook_id, finished_at DESC) WHERE finished_at IS NOT NULL;
