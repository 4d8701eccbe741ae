/**
 * The view models the card builders render. Built by the runs domain from Postgres state, already redacted;
 * stored as JSON in the outbox and rendered to Lark JSON only at the boundary. Times are ISO-8601 strings.
 */

export type Locale = 'zh-CN' | 'en-US';
export type I18nText = Record<Locale, string>;

export type RunState =
  | 'requested'
  | 'awaiting_approval'
  | 'scheduled'
  | 'queued'
  | 'running'
  | 'paused'
  | 'succeeded'
  | 'failed'
  | 'rejected'
  | 'expired'
  | 'cancelled';

export type StepState =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'timed_out'
  | 'skipped'
  | 'interrupted'
  | 'cancelled';

export interface StepView {
  idx: number;
  id: string;
  title: I18nText;
  state: StepState;
  idempotent: boolean;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number | null;
  /** Redacted tail of stdout+stderr; present for failed steps. */
  outputTail?: string;
  /** The step's timeout, so a timed-out reply can name it (falls back to the measured duration). */
  timeoutSeconds?: number;
  /** What the step said, redacted and bounded (one or two lines): a check's result, or why it was skipped. */
  result?: I18nText;
  /** The step is being re-run after its worker was lost: when that worker was declared lost. */
  interruptedAt?: string;
}

export interface ApprovalView {
  openId: string;
  decision: 'approve' | 'reject';
  at: string;
  /** Given for an earlier plan (the state changed since): shown struck through, never counted. */
  void?: boolean;
}

/** One line of the read-only preflight, shown on the approval card. */
export interface PreflightLine {
  id: string;
  title: I18nText;
  ok: boolean;
  /** Short redacted result (e.g. the current revision): the check's bilingual result, or its output's last lines. */
  detail: string | I18nText;
  /** When the check started and ended (ISO). Preflight checks run side by side; the card lists them in runbook order. */
  startedAt?: string;
  finishedAt?: string;
}

/** One thing a re-check saw differently from what the approvers saw (the plan changed; earlier approvals are void). */
export interface PlanChange {
  title: I18nText;
  before: I18nText;
  after: I18nText;
}

/** A runbook that fits the state a run left (src/runs/next-steps.ts), as a command ready to send. */
export interface NextStep {
  runbook: string;
  /** e.g. `/rollback recover revision=6fc3f28b87c8`: ids, `key=value` words and nothing else. */
  command: string;
  why: I18nText;
}

/**
 * What earlier runs of the same runbook on the same target took (issue 14), measured from Postgres when the
 * run was requested: the approval card's expected duration and the summary's comparison.
 */
export interface DurationEstimate {
  /** Successful runs the median is taken over (the latest, at most 10); 0 when none is recorded yet. */
  successes: number;
  /** Median duration of those runs (start to finish). */
  medianMs?: number;
  /** The last successful drill (runbook `drill`) on the same target, when there is one. */
  lastDrillMs?: number;
  /** The seed's reserve (预留 3 倍操作时间): 3 × the expected duration (the median, else the last drill). */
  reserveMs?: number;
}

export interface RunView {
  runId: string;
  runbookId: string;
  title: I18nText;
  targetId: string;
  params: Record<string, string>;
  state: RunState;
  requesterOpenId: string;
  approvals: ApprovalView[];
  quorum: number;
  fourEyes: boolean;
  /** Hash of the plan the approval binds to; echoed in the approve button's value. */
  planHash: string;
  createdAt: string;
  expiresAt?: string;
  /** A scheduled run's start (`at=`, issue 14). */
  startAt?: string;
  startedAt?: string;
  finishedAt?: string;
  rtoSeconds?: number;
  steps: StepView[];
  preflight?: PreflightLine[];
  /** Warnings shown on the approval card (e.g. outside the recommended window, backup skipped). */
  notices?: I18nText[];
  /** Why a run failed / was cancelled, redacted. */
  reason?: string;
  /** Who cancelled / rejected, when relevant. */
  actorOpenId?: string;
  /** Who may approve (Tech Leads, without the requester under four-eyes): mentioned on the approval card. */
  approverOpenIds?: string[];
  /** The state changed between approval and execution: what changed; earlier approvals are void. */
  planChanges?: PlanChange[];
  /** The runner pool that executes it, when it is not the default one. */
  runnerPool?: string;
  /** No runner of this pool is up to run the target: Approve is withheld until one starts. */
  waitingForRunner?: string;
  /** The read-only preflight failed, so the request ended (`failed`) and the target is free. */
  preflightFailed?: boolean;
  /** A running run someone asked to stop (after the current step, or now); the actor is `actorOpenId`. */
  cancelRequested?: 'after_step' | 'now';
  /** What to run next after a failure or a refused preflight (shown on the summary and approval cards). */
  nextSteps?: NextStep[];
  /** Measured durations of earlier runs (approval card: expected duration and reserve; summary: comparison). */
  durations?: DurationEstimate;
  /** A read-only runbook that needs no approval: "Approved by" says so rather than "none". */
  approvalNotNeeded?: boolean;
  /** A step runs `alembic downgrade`: the approval card points to `/rollback impact <target>` (issue 14). */
  downgrades?: boolean;
}

/** Display settings shared by every builder. */
export interface RenderOptions {
  /** IANA zone for wall-clock times, e.g. Asia/Shanghai. */
  timezone: string;
  /** Locale used for the plain `content` fallback (i18n_content carries both). */
  locale: Locale;
}

/** The value carried by every button's callback behaviour. Identifiers are never truncated. */
export interface CardActionValue {
  action: 'approve' | 'reject' | 'cancel_after_step' | 'cancel_now' | 'retry' | 'skip' | 'abort';
  run: string;
  /** planHash for approve; step idx for retry/skip. */
  plan?: string;
}

/** The reject form's input: a Tech Lead's optional reason, sent as `form_value[REJECT_REASON_FIELD]`. */
export const REJECT_REASON_FIELD = 'reject_reason';
/** At most this many characters of a reject reason are kept. */
export const REJECT_REASON_MAX = 300;
