import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { runCheck } from './run.js';

export { KINDS, runCheck, usageText } from './run.js';

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

// `node --import tsx src/checks/main.ts <kind> …` (built: `node dist/src/checks/main.js <kind> …`).
if (invokedDirectly()) {
  process.exitCode = await runCheck(process.argv.slice(2), process.env);
}
