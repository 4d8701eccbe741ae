import type { I18nText } from '../../cards/model.js';
import { type HistoryScope, historyText, historyUnknown } from '../commands/history-reply.js';
import type { Command } from '../commands/parse.js';
import { closest } from '../commands/suggest.js';
import type { Queryable } from '../db/pool.js';
import { findRunbook } from '../runbooks/catalog.js';
import { finishedRuns } from './history-repo.js';
import type { RunsDeps } from './ports.js';
import { targetsOfChat } from './target-policy.js';

/** How many finished runs `/rollback history` lists. */
const HISTORY_LIMIT = 10;

type HistoryCommand = Extract<Command, { kind: 'history' }>;

/**
 * `/rollback history [runbook] [target]` (issue 14): the latest finished runs on the targets this chat may roll
 * back, with outcome, start time, duration and approvers. A lone word is a runbook (id or alias) if one is so
 * named, else a target. A word that names neither gets a reply listing what exists.
 */
export async function historyReply(
  deps: RunsDeps,
  q: Queryable,
  chatId: string,
  command: HistoryCommand,
  timezone: string,
): Promise<{ text: I18nText; people?: string[] }> {
  const catalog = deps.catalog();
  const here = targetsOfChat(deps.policy, catalog, chatId).map((t) => t.id);
  const runbookIds = [...catalog.runbooks.keys()].sort();
  const names = [...runbookIds, ...here];
  let runbookWord = command.runbook;
  let targetWord = command.target;
  if (runbookWord !== undefined && targetWord === undefined && !findRunbook(catalog, runbookWord)) {
    if (!here.includes(runbookWord)) {
      return { text: historyUnknown('either', runbookWord, runbookIds, here, closest(runbookWord, names)) };
    }
    targetWord = runbookWord;
    runbookWord = undefined;
  }
  const runbook = runbookWord === undefined ? undefined : findRunbook(catalog, runbookWord);
  if (runbookWord !== undefined && !runbook) {
    const guess = closest(runbookWord, runbookIds);
    return { text: historyUnknown('runbook', runbookWord, runbookIds, here, guess) };
  }
  if (targetWord !== undefined && !here.includes(targetWord)) {
    return { text: historyUnknown('target', targetWord, runbookIds, here, closest(targetWord, here)) };
  }
  const scope: HistoryScope = {
    ...(runbook ? { runbook: runbook.id } : {}),
    ...(targetWord !== undefined ? { target: targetWord } : {}),
  };
  const rows = await finishedRuns(
    q,
    targetWord !== undefined ? [targetWord] : here,
    runbook?.id,
    HISTORY_LIMIT,
  );
  return historyText(rows, scope, timezone);
}
