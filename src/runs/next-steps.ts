import { inEnglish } from '../../cards/i18n.js';
import type { I18nText, NextStep, RunView, StepView } from '../../cards/model.js';

/**
 * Which runbooks fit the state a run left behind, as ready-to-send commands (issue 10: no dead ends). Pure: it
 * reads only the run's view (preflight details and step outputs, already redacted) and says, for a failed or
 * cancelled run and for a preflight that refused, what to run next:
 * - the database ended at base (a downgrade went too far) or the app's health check failed after a change:
 *   `recover` (troubleshooting 问题2: upgrade back to the revision the run started from, restart, health) and
 *   `restore` (the backup this run took before it changed anything, else the latest);
 * - a downgrade failed because a table was already gone (troubleshooting 问题1): `stamp-base`.
 * Nothing is suggested when the run changed nothing (failed or cancelled before its first change).
 */

const REVISION = /\b(?:at|says) (base|[0-9a-f]{12})\b/g;
const MIGRATED = /Running (?:downgrade|upgrade) \S* -> ([0-9a-f]{12})?,/g;
const WROTE = /wrote (?:\S*\/)?([A-Za-z0-9][A-Za-z0-9._-]{0,199}\.dump)\b/;
const TABLE_GONE = /relation "[^"]+" does not exist|UndefinedTable/;
const NOTHING_TO_DOWNGRADE = /\bat base\b|nothing to downgrade/;

const FINISHED = new Set(['succeeded', 'failed', 'timed_out']);
const failed = (s: StepView) => s.state === 'failed' || s.state === 'timed_out';

/** The last revision a text names: `at base`, `at 6fc3f28b87c8 (head)`, alembic's `Running downgrade a -> b,`. */
export function lastRevisionIn(text: string): string | undefined {
  let last: { at: number; rev: string } | undefined;
  for (const m of text.matchAll(REVISION)) {
    if (!last || m.index >= last.at) last = { at: m.index, rev: m[1] ?? 'base' };
  }
  for (const m of text.matchAll(MIGRATED)) {
    if (!last || m.index >= last.at) last = { at: m.index, rev: m[1] ?? 'base' };
  }
  return last?.rev;
}

export interface RunFacts {
  /** The revision the run first saw (its preflight), if it named one. */
  startRevision?: string;
  /** The last revision any of its outputs named. */
  lastRevision?: string;
  /** The health step's verdict, when it ran. */
  healthy?: boolean;
  /** Whether a non-idempotent step (a change) ran at all. */
  changed: boolean;
  /** A backup file this run wrote before its first change. */
  ownBackup?: string;
  /** A downgrade failed because a table was already gone. */
  tableGone: boolean;
}

export function factsOf(view: RunView): RunFacts {
  const texts: string[] = (view.preflight ?? []).map((p) => inEnglish(p.detail));
  const facts: RunFacts = { changed: false, tableGone: false };
  for (const step of view.steps) {
    if (!FINISHED.has(step.state) && step.state !== 'interrupted') continue;
    if (!step.idempotent) facts.changed = true;
    const out = step.outputTail ?? '';
    texts.push(out);
    const wrote = WROTE.exec(out)?.[1];
    if (wrote && !facts.changed && step.state === 'succeeded' && !facts.ownBackup) facts.ownBackup = wrote;
    if (step.id === 'health' || step.id === 'watch-logs') {
      facts.healthy = (facts.healthy ?? true) && step.state === 'succeeded';
    }
    if (failed(step) && /downgrade/.test(step.id) && TABLE_GONE.test(out)) facts.tableGone = true;
  }
  for (const text of texts) {
    const rev = lastRevisionIn(text);
    if (rev === undefined) continue;
    facts.startRevision ??= rev;
    facts.lastRevision = rev;
  }
  return facts;
}

const WHY: Record<'recover' | 'restore' | 'stampBase', I18nText> = {
  recover: {
    'zh-CN': '重新升级数据库、重启应用并做健康检查（故障排查问题2）',
    'en-US': 'upgrade the database again, restart the app and check its health (troubleshooting problem 2)',
  },
  restore: {
    'zh-CN': '恢复备份（无需先回滚），再启动应用并做健康检查',
    'en-US': 'restore a backup (no downgrade first), then start the app and check its health',
  },
  stampBase: {
    'zh-CN': '版本表与实际不符：标记 base 并重新升级（故障排查问题1）',
    'en-US':
      'the version table disagrees with the schema: stamp base and upgrade (troubleshooting problem 1)',
  },
};

function command(runbook: string, target: string, params: Record<string, string | undefined>): string {
  const words = ['/rollback', runbook];
  if (target) words.push(target);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) words.push(`${k}=${v}`);
  return words.join(' ');
}

export interface NextStepOptions {
  /** Whether a runbook id exists (the shipped ones are assumed when not given). */
  has?: (runbookId: string) => boolean;
}

const HEX = /^[0-9a-f]{12}$/;

/** The suggestions for a run's current state; empty when there is nothing to suggest. */
export function nextStepsFor(view: RunView, opts: NextStepOptions = {}): NextStep[] {
  // The target is always named: the command must act on what this run acted on, whatever the default is.
  const target = view.targetId;
  const facts = factsOf(view);
  const wanted: { runbook: string; params: Record<string, string | undefined>; why: I18nText }[] = [];
  const recoverTo = (rev: string | undefined) => (rev && HEX.test(rev) ? rev : undefined);
  const refusable = view.state === 'awaiting_approval' || view.preflightFailed === true;
  const preflightRefused = refusable && (view.preflight ?? []).some((p) => !p.ok);
  if (preflightRefused) {
    const atBase = (view.preflight ?? []).some(
      (p) => !p.ok && NOTHING_TO_DOWNGRADE.test(inEnglish(p.detail)),
    );
    if (atBase) {
      wanted.push({ runbook: 'recover', params: {}, why: WHY.recover });
      wanted.push({ runbook: 'restore', params: {}, why: WHY.restore });
    }
  } else if ((view.state === 'failed' || view.state === 'cancelled') && facts.changed) {
    if (facts.tableGone) wanted.push({ runbook: 'stamp-base', params: {}, why: WHY.stampBase });
    if (facts.lastRevision === 'base' || facts.healthy === false) {
      const back = facts.lastRevision === facts.startRevision ? undefined : recoverTo(facts.startRevision);
      wanted.push({ runbook: 'recover', params: { revision: back }, why: WHY.recover });
      wanted.push({ runbook: 'restore', params: { backup: facts.ownBackup }, why: WHY.restore });
    }
  }
  const has = opts.has ?? (() => true);
  return wanted
    .filter((w) => w.runbook !== view.runbookId && has(w.runbook))
    .map((w) => ({ runbook: w.runbook, command: command(w.runbook, target, w.params), why: w.why }));
}
