/**
 * The live impact analysis (`/rollback impact [target]`, issue 14): the seed's two hand-kept tables, "迁移版本"
 * and "回滚影响分析", generated from the target's alembic history and its database now. Produced by the
 * `impact` check (src/checks/impact.ts) as JSON, carried by the outbox, rendered by cards/impact-card.ts.
 */

/** One group of consecutive drops of one kind, in the order the downgrade runs them. */
export interface DropGroup {
  kind: 'table' | 'index' | 'column';
  /** Tables and indexes by name; columns as `table.column`. */
  names: string[];
}

/** A table's rows now; `rows` null: the table does not exist; `approx`: the planner's estimate (a big table). */
export interface TableRows {
  table: string;
  rows: number | null;
  approx?: boolean;
}

export interface ImpactRevision {
  id: string;
  /** The migration's message (first line of its docstring). */
  message: string;
  /** `YYYY-MM-DD` from its `Create Date`, when the script has one. */
  date?: string;
  /** Its down revisions; empty for the first one (below it is base). */
  parents: string[];
  head: boolean;
  /** The database is at or above it: downgrading past it runs its `downgrade()`. */
  applied: boolean;
  current: boolean;
  /** What its `downgrade()` drops, from the offline SQL (`alembic downgrade <rev>:<down> --sql`). */
  drops: DropGroup[];
  /** Rows held now by the tables its downgrade drops: the data it would lose. */
  rows: TableRows[];
  /** The offline SQL could not be produced: why (redacted). */
  error?: string;
}

export interface ImpactView {
  targetId: string;
  /** ISO instant of the analysis. */
  at: string;
  /**
   * `ok`: the tables; `unreachable`: the target's database did not answer (nothing else is shown);
   * `no_alembic`: the target has no alembic project where it says; `failed`: the analysis itself failed.
   */
  outcome: 'ok' | 'unreachable' | 'no_alembic' | 'failed';
  /** Why, for an outcome other than `ok` (redacted; the same in both languages: it is the tool's message). */
  reason?: string;
  /** `alembic_version` now; empty at base; null when the table does not exist. */
  current?: string[] | null;
  /** Newest first. */
  revisions?: ImpactRevision[];
  /** Older revisions left out of the analysis (beyond its limit). */
  omitted?: number;
}
