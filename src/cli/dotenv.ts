import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import util from 'node:util';
import { ConfigError } from '../config/env.js';

/**
 * The README's `.env`: read from the working directory (or ENV_FILE) into `env`, never overriding a variable
 * the process already has. Returns the file read, or undefined when there is none.
 */
export function loadDotEnv(
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): string | undefined {
  const explicit = env.ENV_FILE;
  const file = explicit || join(cwd, '.env');
  if (!existsSync(file)) {
    if (explicit) throw new ConfigError([`ENV_FILE ${explicit} does not exist`]);
    return undefined;
  }
  // util.parseEnv is Node ≥ 20.12; the engines field asks for 20.19, but an older Node should get a sentence.
  if (typeof util.parseEnv !== 'function') {
    throw new ConfigError([`.env needs Node 20.12 or later to be read (this is ${process.version})`]);
  }
  const values = util.parseEnv(readFileSync(file, 'utf8'));
  for (const [name, value] of Object.entries(values)) {
    if (env[name] === undefined && value !== undefined) env[name] = value;
  }
  return file;
}
