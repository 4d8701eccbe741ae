/**
 * The one error class of the runbooks module. Every problem found in a file is an issue naming the file, the path
 * inside it and (when known) the line, so `rollback-bot runbooks check` and start-up can list them all at once.
 */

export type RunbookErrorCode =
  /** A runbook or target file is missing, unreadable, not YAML, or does not follow the format. */
  | 'RUNBOOK_INVALID'
  /** Steps cannot be rendered for this target and these parameters (unavailable target, missing key, bad value). */
  | 'RUNBOOK_RENDER';

export interface RunbookIssue {
  /** The file as the loader was given it, e.g. `runbooks/emergency.yaml`. */
  file: string;
  /** Path inside the file, e.g. `steps[2].timeout`; empty for the file as a whole. */
  path: string;
  /** 1-based line of the offending node, when it can be located. */
  line?: number;
  message: string;
}

export class RunbookError extends Error {
  constructor(
    readonly code: RunbookErrorCode,
    readonly issues: readonly RunbookIssue[],
  ) {
    const header = code === 'RUNBOOK_INVALID' ? 'invalid runbooks' : 'cannot prepare the steps';
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`${header} (${count}):\n${issues.map((issue) => `  - ${formatIssue(issue)}`).join('\n')}`);
    this.name = 'RunbookError';
  }
}

/** `<file>: <path> (line N): <what is wrong>`, leaving out the parts that are unknown. */
export function formatIssue(issue: RunbookIssue): string {
  const line = issue.line === undefined ? '' : `line ${issue.line}`;
  let where = issue.path;
  if (where && line) where = `${where} (${line})`;
  else if (!where) where = line;
  return where ? `${issue.file}: ${where}: ${issue.message}` : `${issue.file}: ${issue.message}`;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['steps', 2, 'timeout']` → `steps[2].timeout`; keys that are not plain words are quoted: `env["A B"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      if (PLAIN_KEY.test(key)) out += out ? `.${key}` : key;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}
