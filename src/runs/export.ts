import type { I18nText } from '../../cards/model.js';
import type { ExportFormat } from '../commands/parse.js';
import { replies } from '../commands/replies.js';
import type { Queryable } from '../db/pool.js';
import { getRun } from './run-repo.js';
import { type TimelineOptions, timelineCsv, timelineJson, timelineMarkdown } from './timeline.js';
import { loadRunView } from './view.js';

/** A Markdown export this short is also shown inline (a post); anything longer arrives only as the file. */
export const INLINE_EXPORT_CHARS = 6_000;

/** What the chat gets for `/rollback export`: the whole document as a file, plus the Markdown inline if short. */
export type ChatExport =
  | { found: false; reply: I18nText }
  | { found: true; fileName: string; body: string; inline?: string };

function render(view: Parameters<typeof timelineJson>[0], format: ExportFormat, opts: TimelineOptions) {
  if (format === 'json') return timelineJson(view, opts);
  if (format === 'csv') return timelineCsv(view, opts);
  return timelineMarkdown(view, opts);
}

async function viewFor(q: Queryable, runId: string, chatId?: string) {
  const run = await getRun(q, runId);
  return run && (chatId === undefined || run.chat_id === chatId) ? loadRunView(q, runId) : undefined;
}

/**
 * The export of one run as text; `chatId` restricts it to that chat's runs (undefined: any, for the CLI).
 * Times are in `timezone` (the bot's TIMEZONE; the CLI should pass it too) with their offset.
 */
export async function exportRun(
  q: Queryable,
  runId: string,
  format: ExportFormat,
  chatId?: string,
  timezone = 'UTC',
): Promise<string | I18nText> {
  const view = await viewFor(q, runId, chatId);
  if (!view) return replies.noSuchRun(runId);
  return render(view, format, { timezone });
}

/** The export as the chat receives it: never cut, a file named after the run. */
export async function exportForChat(
  q: Queryable,
  runId: string,
  format: ExportFormat,
  chatId: string,
  timezone: string,
): Promise<ChatExport> {
  const view = await viewFor(q, runId, chatId);
  if (!view) return { found: false, reply: replies.noSuchRun(runId) };
  const body = render(view, format, { timezone });
  const fileName = `rollback-${view.runId}.${format}`;
  const inline = format === 'md' && body.length <= INLINE_EXPORT_CHARS ? body : undefined;
  return { found: true, fileName, body, ...(inline ? { inline } : {}) };
}
