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
