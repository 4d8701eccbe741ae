import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalog, RunbookError } from '../../src/runbooks/index.js';
import { runbookYaml, SHIPPED_TARGETS, tempDir } from './helpers.js';

/** Pieces of runbook-shaped YAML, so generated files reach the schema and the checks, not only the parser. */
const TOKEN = fc.constantFrom(
  'id: ',
  'title: ',
  '{ zh-CN: a, en-US: b }',
  'steps:',
  'preflight:',
  'params:',
  'aliases: ',
  '[紧急, check]',
  '  - id: one',
  '    run: ',
  '[echo, "{{params.x}}"]',
  '"{{target.stop_app}}"',
  '"{{target.logs}}"',
  '{{foo}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: targets.yaml ${VAR} syntax, not a JS template.
  '"${X:-y}"',
  '${',
  'timeout: ',
  '10m',
  'ten',
  'retry: { attempts: 2, every: 1s }',
  '  x: { pattern: "(" }',
  '&a ',
  '*a',
  '*b',
  '!!binary ',
  '---',
  ': ',
  '- ',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '#',
  '\t',
  '\n',
  '\n  ',
  '\n    ',
  '-1',
  'true',
  'null',
  '__proto__: ',
  'targets:',
);

const yamlish = fc.oneof(
  fc.array(TOKEN, { maxLength: 40 }).map((t) => t.join('')),
  fc.string({ maxLength: 200 }),
  fc.tuple(fc.nat(120), fc.nat(40), fc.string({ maxLength: 20 })).map(([at, cut, insert]) => {
    const valid = runbookYaml('x', '    cwd: "{{target.alembic_dir}}"\n');
    return valid.slice(0, at) + insert + valid.slice(at + cut);
  }),
);

describe('loadCatalog on arbitrary input', () => {
  it('returns a catalog or throws RunbookError, never anything else', () => {
    const dir = tempDir({});
    fc.assert(
      fc.property(yamlish, yamlish, fc.boolean(), (runbook, targets, realTargets) => {
        writeFileSync(join(dir, 'targets.yaml'), realTargets ? SHIPPED_TARGETS : targets);
        writeFileSync(join(dir, 'fuzz.yaml'), runbook);
        try {
          const catalog = loadCatalog({ dir, env: { X: 'x' } });
          expect(catalog.runbooks.size).toBe(1);
        } catch (error) {
          if (!(error instanceof RunbookError)) throw error;
          expect(error.issues.length).toBeGreaterThan(0);
        } finally {
          rmSync(join(dir, 'fuzz.yaml'), { force: true });
        }
      }),
      { numRuns: 300 },
    );
  });
});
