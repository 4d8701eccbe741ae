import type { Pool } from '../db/pool.js';
import type { Catalog } from '../runbooks/types.js';

/** What the runs domain needs from the outside, passed in (never imported), so tests can swap any part. */
export interface JobPort {
  execute(runId: string): Promise<void>;
  /** Trigger delivery of one outbox row's stream. */
  deliver(stream: string, outboxId: string): Promise<void>;
  expireAt(runId: string, at: Date): Promise<void>;
  /** Run the read-only preflight of a requested run. */
  preflight(runId: string): Promise<void>;
  /** Start a scheduled run at `at` (a delayed job; the sweep starts it if the job is lost). */
  startAt?(runId: string, at: Date): Promise<void>;
  /** Run `/rollback impact` request `requestId` on a runner of `pool` (issue 14; the sweep re-queues a lost one). */
  impact?(requestId: string, pool: string): Promise<void>;
  /** Ask the worker running `runId` to kill its current step now. */
  cancelNow?(runId: string): Promise<void>;
}

export interface Policy {
  incidentChatIds: string[];
  techLeadOpenIds: string[];
  /** Empty: anyone in an incident chat may request. */
  requesterOpenIds: string[];
  /** TIMEZONE, for times in replies and exports. @defaultValue the window's zone, else UTC */
  timezone?: string;
  /** The recommended window, e.g. `02:00-04:00`, in `timezone`. */
  window?: { text: string; timezone: string };
  /** Scheduling (`at=`): the furthest start, reminders before it, the seed's notice period; all in ms. */
  schedule?: { maxAheadMs: number; remindersMs: number[]; noticeMs: number };
}

export interface RunsDeps {
  pool: Pool;
  catalog: () => Catalog;
  policy: Policy;
  jobs: JobPort;
  now: () => number;
  newRunId: () => string;
  /** Folder relative cwd's resolve against (the bot's working directory). */
  baseDir: string;
  /** PATH, HOME, LANG, TZ for step processes. */
  stepBaseEnv: Record<string, string>;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}
