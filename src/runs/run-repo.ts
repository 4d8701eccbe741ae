import type {
  DurationEstimate,
  I18nText,
  PlanChange,
  PreflightLine,
  RunState,
  StepState,
} from '../../cards/model.js';
import type { Queryable } from '../db/pool.js';

/** SQL for runs, steps and approvals. Every state change is one guarded UPDATE … RETURNING. */

export interface RunRow {
  id: string;
  runbook_id: string;
  runbook_hash: string;
  target_id: string;
  runner_pool: string;
  params: Record<string, string>;
  plan_hash: string;
  view: RunMeta;
  chat_id: string;
  requester_open_id: string;
  source_message_id: string | null;
  card_message_id: string | null;
  state: RunState;
  quorum: number;
  four_eyes: boolean;
  expires_at: Date | null;
  /** When a scheduled run starts (issue 14; migrations/004). */
  start_at?: Date | null;
  created_at: Date;
  approved_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  lease_token: string;
  cancel_requested: 'after_step' | 'now' | null;
  actor_open_id: string | null;
  reason: string | null;
}

/** What the cards need that is fixed at request time. */
export interface RunMeta {
  title: I18nText;
  rtoSeconds?: number;
  notices?: I18nText[];
  preflight?: PreflightLine[];
  /** What the binding preflight steps saw (e.g. `revision=6fc3f28b87c8 (head)`); part of the plan hash. */
  observed?: string;
  /** Who may approve, fixed at request time (Tech Leads; without the requester under four-eyes). */
  approvers?: string[];
  /** What a re-check before execution saw differently (the plan was re-bound; earlier approvals are void). */
  planChanges?: PlanChange[];
  /** No live runner of this pool could run the target when this was last looked at: Approve is withheld. */
  waitingForRunner?: string;
  /** What earlier runs of this runbook on this target took, measured when requested (issue 14). */
  durations?: DurationEstimate;
  /** The runbook needs no approval (`approval.required: false`, read-only): it runs once its preflight passes. */
  approvalNotNeeded?: boolean;
}

export interface StepRow {
  run_id: string;
  idx: number;
  step_id: string;
  title: I18nText;
  argv: string[];
  idempotent: boolean;
  state: StepState;
  attempt: number;
  started_at: Date | null;
  finished_at: Date | null;
  exit_code: number | null;
  output_tail: string | null;
  /** What the step said (its `::result` line, else its last output line), or why it was skipped. */
  result: I18nText | null;
  /** Set when this attempt re-runs the step after its worker was lost: when the lost worker's lease lapsed. */
  interrupted_at: Date | null;
}

export interface ApprovalRow {
  approver_open_id: string;
  decision: 'approve' | 'reject';
  created_at: Date;
  plan_hash: string;
}

export interface NewRun {
  id: string;
  runbookId: string;
  runbookHash: string;
  targetId: string;
  /** The runner pool that executes it (its target's `runner`). @defaultValue 'default' */
  runnerPool?: string;
  params: Record<string, string>;
  planHash: string;
  meta: RunMeta;
  chatId: string;
  requesterOpenId: string;
  sourceMessageId: string;
  state: RunState;
  quorum: number;
  fourEyes: boolean;
  expiresAt: Date;
  steps: { stepId: string; title: I18nText; argv: string[]; idempotent: boolean }[];
}

/** Inserts the run and its steps; returns false when the target already has an active run. */
export async function insertRun(q: Queryable, run: NewRun): Promise<boolean> {
  const inserted = await q.query(
    `INSERT INTO runs (id, runbook_id, runbook_hash, target_id, params, plan_hash, view, chat_id,
       requester_open_id, source_message_id, state, quorum, four_eyes, expires_at, runner_pool)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)
     ON CONFLICT (target_id) WHERE state NOT IN ('succeeded','failed','rejected','expired','cancelled')
     DO NOTHING RETURNING id`,
    [
      run.id,
      run.runbookId,
      run.runbookHash,
      run.targetId,
      run.params,
      run.planHash,
      run.meta,
      run.chatId,
      run.requesterOpenId,
      run.sourceMessageId,
      run.state,
      run.quorum,
      run.fourEyes,
      run.expiresAt,
      run.runnerPool ?? 'default',
    ],
  );
  if (inserted.rowCount !== 1) return false;
  for (const [idx, step] of run.steps.entries()) {
    await q.query(
      'INSERT INTO steps (run_id, idx, step_id, title, argv, idempotent) VALUES ($1,$2,$3,$4,$5,$6)',
      [run.id, idx, step.stepId, step.title, JSON.stringify(step.argv), step.idempotent],
    );
  }
  return true;
}

export async function getRun(q: Queryable, runId: string, lock = false): Promise<RunRow | undefined> {
  const result = await q.query(`SELECT * FROM runs WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [runId]);
  return result.rows[0];
}

export async function activeRunOnTarget(q: Queryable, targetId: string): Promise<RunRow | undefined> {
  const result = await q.query(
    `SELECT * FROM runs WHERE target_id = $1
       AND state NOT IN ('succeeded','failed','rejected','expired','cancelled')`,
    [targetId],
  );
  return result.rows[0];
}

/** A run's state alone (what a poll needs), or undefined when there is no such run. */
export async function runStateOf(q: Queryable, runId: string): Promise<string | undefined> {
  const result = await q.query('SELECT state FROM runs WHERE id = $1', [runId]);
  return result.rows[0]?.state;
}

export async function getSteps(q: Queryable, runId: string): Promise<StepRow[]> {
  return (await q.query('SELECT * FROM steps WHERE run_id = $1 ORDER BY idx', [runId])).rows;
}

export async function getApprovals(q: Queryable, runId: string): Promise<ApprovalRow[]> {
  const result = await q.query(
    'SELECT approver_open_id, decision, created_at, plan_hash FROM approvals WHERE run_id = $1 ORDER BY created_at, approver_open_id',
    [runId],
  );
  return result.rows;
}

/** One decision per approver per run (primary key); false when this approver already decided. */
export async function insertApproval(
  q: Queryable,
  runId: string,
  approver: string,
  decision: 'approve' | 'reject',
  planHash: string,
): Promise<boolean> {
  const result = await q.query(
    `INSERT INTO approvals (run_id, approver_open_id, decision, plan_hash) VALUES ($1,$2,$3,$4)
     ON CONFLICT DO NOTHING`,
    [runId, approver, decision, planHash],
  );
  return result.rowCount === 1;
}

export async function countApprovals(q: Queryable, runId: string, planHash: string): Promise<number> {
  const result = await q.query(
    `SELECT count(*)::int AS n FROM approvals WHERE run_id = $1 AND decision = 'approve' AND plan_hash = $2`,
    [runId, planHash],
  );
  return result.rows[0].n;
}

/**
 * The one transition primitive: move `runId` from one of `from` to `to`, setting extra columns, only if it is
 * still in an expected state. Returns the updated row, or undefined when someone else moved it first.
 */
export async function transition(
  q: Queryable,
  runId: string,
  from: readonly RunState[],
  to: RunState,
  set: Partial<
    Record<'approved_at' | 'started_at' | 'finished_at' | 'actor_open_id' | 'reason', unknown>
  > = {},
): Promise<RunRow | undefined> {
  const columns = Object.keys(set) as (keyof typeof set)[];
  const assignments = columns.map((column, i) => `${column} = $${i + 4}`);
  const result = await q.query(
    `UPDATE runs SET state = $2${assignments.length ? `, ${assignments.join(', ')}` : ''}
     WHERE id = $1 AND state = ANY($3::run_state[]) RETURNING *`,
    [runId, to, from, ...columns.map((c) => set[c])],
  );
  return result.rows[0];
}

export async function setCardMessageId(q: Queryable, runId: string, messageId: string): Promise<void> {
  await q.query('UPDATE runs SET card_message_id = $2 WHERE id = $1 AND card_message_id IS NULL', [
    runId,
    messageId,
  ]);
}

export async function recentRunsInChat(q: Queryable, chatId: string, limit = 5): Promise<RunRow[]> {
  const result = await q.query(
    `SELECT * FROM runs WHERE chat_id = $1
     ORDER BY (state NOT IN ('succeeded','failed','rejected','expired','cancelled')) DESC, created_at DESC
     LIMIT $2`,
    [chatId, limit],
  );
  return result.rows;
}

/** The runner pool of a run ('default' for a run that is not there). */
export async function runnerPoolOf(q: Queryable, runId: string): Promise<string> {
  const result = await q.query('SELECT runner_pool FROM runs WHERE id = $1', [runId]);
  return result.rows[0]?.runner_pool ?? 'default';
}

/** The expiry transition: only a run still awaiting approval whose deadline has passed. */
export async function expireIfDue(q: Queryable, runId: string): Promise<RunRow | undefined> {
  const result = await q.query(
    `UPDATE runs SET state = 'expired', finished_at = now()
     WHERE id = $1 AND state = 'awaiting_approval' AND expires_at <= now() RETURNING *`,
    [runId],
  );
  return result.rows[0];
}

/** Ask the executing worker to stop (it checks between steps, and kills the step when mode is 'now'). */
export async function requestCancel(
  q: Queryable,
  runId: string,
  mode: 'after_step' | 'now',
  actor: string,
): Promise<RunRow | undefined> {
  const result = await q.query(
    `UPDATE runs SET cancel_requested = $2, actor_open_id = $3
     WHERE id = $1 AND state = 'running' RETURNING *`,
    [runId, mode, actor],
  );
  return result.rows[0];
}

export async function latestActiveRunInChat(q: Queryable, chatId: string): Promise<RunRow | undefined> {
  const result = await q.query(
    `SELECT * FROM runs WHERE chat_id = $1
       AND state NOT IN ('succeeded','failed','rejected','expired','cancelled')
     ORDER BY created_at DESC LIMIT 1`,
    [chatId],
  );
  return result.rows[0];
}
