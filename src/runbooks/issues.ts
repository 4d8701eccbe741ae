import type { z } from 'zod';
import { describeValue } from './describe.js';
import { formatPath, type RunbookIssue } from './errors.js';
import type { YamlSource } from './yaml-source.js';

/** Every key the two formats know, for "did you mean" hints on unknown keys. */
const KNOWN_KEYS = [
  'id',
  'aliases',
  'title',
  'description',
  'rto',
  'approval',
  'approvers',
  'quorum',
  'four_eyes',
  'expires_in',
  'params',
  'default',
  'pattern',
  'preflight',
  'steps',
  'run',
  'cwd',
  'env',
  'timeout',
  'idempotent',
  'retry',
  'attempts',
  'every',
  'targets',
  'zh-CN',
  'en-US',
];

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list',
};

/** Zod issues → located, human-worded issues (one per unknown key). */
export function toIssues(
  file: string,
  source: YamlSource,
  issues: readonly z.core.$ZodIssue[],
): RunbookIssue[] {
  const out: RunbookIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        const hint = suggest(key);
        out.push(
          located(file, source, path, `unknown key "${key}"${hint ? `; did you mean "${hint}"?` : ''}`, true),
        );
      }
      continue;
    }
    out.push(located(file, source, issue.path, describeIssue(issue)));
  }
  // Zod reports in schema order; a person reads the file top to bottom.
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

export function located(
  file: string,
  source: YamlSource,
  path: readonly PropertyKey[],
  message: string,
  key = false,
): RunbookIssue {
  const line = source.lineOf(path, { key });
  return { file, path: formatPath(path), ...(line !== undefined ? { line } : {}), message };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) return 'is required';
      if (issue.path.length === 0 && input === null)
        return 'the file is empty; expected a mapping (key: value)';
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      const quote =
        issue.expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')
          ? ` (quote it: "${String(input)}")`
          : '';
      return `expected ${expected}, got ${describeValue(input)}${quote}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return `needs at least ${issue.minimum} item(s)`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be at least ${issue.minimum}, got ${describeValue(input)}`;
    case 'too_big':
      if (issue.origin === 'array') return `has more than ${issue.maximum} item(s)`;
      if (issue.origin === 'string') return `is longer than ${issue.maximum} characters`;
      return `must be at most ${issue.maximum}, got ${describeValue(input)}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describeValue(input)}`;
    default:
      return issue.message;
  }
}

function suggest(key: string): string | undefined {
  let best: string | undefined;
  // One typo in a short key, two in a longer one; beyond that a hint is more confusing than helpful.
  let bestDistance = key.length <= 4 ? 2 : 3;
  for (const known of KNOWN_KEYS) {
    const d = distance(key.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, for typo hints on short keys. */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
