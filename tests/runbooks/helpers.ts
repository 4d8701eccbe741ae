import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { formatIssue, readCatalog } from '../../src/runbooks/index.js';

/** The shipped targets file, so test runbooks can name `{{target.alembic_dir}}` and friends. */
export const SHIPPED_TARGETS = readFileSync(new URL('../../runbooks/targets.yaml', import.meta.url), 'utf8');

/** A minimal valid runbook; `extra` is appended (YAML), e.g. more keys or steps. */
export function runbookYaml(id: string, extra = ''): string {
  return `id: ${id}\ntitle: { zh-CN: 标题, en-US: Title }\nsteps:\n  - id: one\n    run: [echo, one]\n${extra}`;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under os.tmpdir() holding `files` (name → content); removed after the test. */
export function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'runbooks-test-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** The formatted problems of a directory, with the temp dir shown as `runbooks`. */
export function problemsOf(
  files: Record<string, string>,
  env: Record<string, string | undefined> = {},
): string[] {
  const dir = tempDir({ 'targets.yaml': SHIPPED_TARGETS, ...files });
  return readCatalog({ dir, env }).issues.map((issue) => formatIssue(issue).replaceAll(dir, 'runbooks'));
}
