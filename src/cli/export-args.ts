import type { ExportFormat } from '../commands/parse.js';
import { RUN_ID } from '../commands/parse.js';

export const EXPORT_USAGE = 'usage: rollback-bot export <run> [--format md|json|csv]';

const FORMATS: readonly ExportFormat[] = ['md', 'json', 'csv'];

/** `export <run> [--format md|json|csv]`: the run and format, or the one thing that is wrong with the arguments. */
export function parseExportArgs(args: string[]): { runId: string; format: ExportFormat } | { error: string } {
  let runId: string | undefined;
  let format: ExportFormat = 'md';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg === '--format' ? args[++i] : arg.slice('--format='.length);
      if (value === undefined || value === '') return { error: '--format needs a value: md, json or csv' };
      if (!FORMATS.includes(value as ExportFormat)) {
        return { error: `unknown format "${value}": use md, json or csv` };
      }
      format = value as ExportFormat;
    } else if (arg.startsWith('-')) {
      return { error: `unknown option ${arg}` };
    } else if (runId !== undefined) {
      return { error: `one run at a time: got "${runId}" and "${arg}"` };
    } else {
      runId = arg;
    }
  }
  if (runId === undefined) return { error: 'which run? give its id (e.g. r1a2b3c4), as shown on its card' };
  if (!RUN_ID.test(runId)) return { error: `"${runId}" is not a run id (they look like r1a2b3c4)` };
  return { runId, format };
}
