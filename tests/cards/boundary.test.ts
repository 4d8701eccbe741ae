import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** `cards/` is pure: it imports only its own files, and reads no clock, environment or network. */
const dir = join(import.meta.dirname, '../../cards');
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

describe('cards/ boundary', () => {
  it('has files to check', () => expect(files.length).toBeGreaterThan(10));

  for (const file of files) {
    it(`${file} imports only relative .js modules and reads no clock or environment`, () => {
      const source = readFileSync(join(dir, file), 'utf8');
      const imports = [...source.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
      for (const spec of imports) expect(spec).toMatch(/^\.\/[a-z0-9-]+\.js$/);
      expect(source).not.toMatch(/Date\.now\(|new Date\(\)|process\.|Math\.random|fetch\(/);
      expect(source.split('\n').length).toBeLessThan(300);
    });
  }
});
