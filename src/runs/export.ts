import type { ExportFormat } from '../commands/parse.js';
import { replies } from '../commands/replies.js';
import type { Queryable } from '../db/pool.js';
import { getRun } from './run-repo.js';
import { timelineCsv, timelineJson, timelineMarkdown } from './timeline.js';
import { loadRunView } from './view.js';

/** The export of one run as text; `chatId` restricts it to that chat's runs (undefined: any, for the CLI). */
export async function exportRun(q: Queryable, runId: string, format: ExportFormat, chatId?: string) {
  const run = await getRun(q, runId);
  const view =
    run && (chatId === undefined || run.chat_id === chatId) ? await loadRunView(q, runId) : undefined;
  if (!view) return replies.noSuchRun(runId);
  if (format === 'json') return timelineJson(view);
  if (format === 'csv') return timelineCsv(view);
  return timelineMarkdown(view);
}
