import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
  return [process.execPath, '--import', import.meta.resolve('tsx'), join(root, 'src', 'checks', 'main.ts')];
}
