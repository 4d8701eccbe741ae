import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../util/paths.js';

/**
 * `{{bot.check}}`: the argv that runs the bot's own check program (src/checks), spliced into a step's argv
 * like a target's argv list. Built (dist/) it is `node dist/src/checks/main.js`; from source it runs through
 * tsx, located by absolute path so a step whose cwd is elsewhere still finds it.
 */
export function botCheckArgv(): string[] {
  const root = packageRoot();
  const built = join(root, 'dist', 'src', 'checks', 'main.js');
  if (import.meta.url.endsWith('.js') && existsSync(built)) return [process.execPath, built];
  const tsx = createRequire(join(root, 'package.json')).resolve('tsx');
  return [process.execPath, '--import', pathToFileURL(tsx).href, join(root, 'src', 'checks', 'main.ts')];
}

/**
 * The check's own arguments (`revision --expect head`) when a rendered step runs the bot's check program as
 * `{{bot.check}}` renders it (first in its argv); undefined for any other command. The worker runs such a step
 * inside its own process (src/worker/check-step.ts); the rendered argv, and so the approved plan, stay the same.
 */
export function botCheckRest(argv: readonly string[]): string[] | undefined {
  const program = botCheckArgv();
  if (argv.length < program.length || program.some((arg, i) => argv[i] !== arg)) return undefined;
  return argv.slice(program.length);
}
