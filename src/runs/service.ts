import type { Command } from '../commands/parse.js';
import { replies, statusText, usage } from '../commands/replies.js';
import { inTransaction, type PoolClient } from '../db/pool.js';
import { cancelRun } from './cancel.js';
import { recordInbound } from './events-repo.js';
import { exportForChat } from './export.js';
import { historyReply } from './history.js';
import { type ImpactQueued, requestImpact } from './impact-request.js';
import { Owed } from './outbox-writer.js';
import type { RunsDeps } from './ports.js';
import { requestRun } from './request.js';
import { recentRunsInChat } from './run-repo.js';
import { servesChat, targetsOfChat, zoneOf } from './target-policy.js';
import { targetsOverview } from './targets-overview.js';

export interface IncomingMessage {
  eventId: string;
  messageId: string;
  chatId: string;
  senderOpenId: string;
  /** undefined: addressed to the bot but not a /rollback command (answered with the usage). */
  command: Command | undefined;
}

export interface MessageOutcome {
  duplicate: boolean;
  runId?: string;
}

/**
 * Act on one chat message addressed to the bot: dedupe by event_id/message_id, check the chat and the
 * requester, then do what the command says. Everything happens in one transaction, replies included.
 */
export async function handleMessage(deps: RunsDeps, msg: IncomingMessage): Promise<MessageOutcome> {
  let owed!: Owed;
  let runId: string | undefined;
  let expiresAt: Date | undefined;
  let preflight = false;
  let impact: ImpactQueued | undefined;
  const fresh = await inTransaction(deps.pool, async (tx) => {
    if (!(await recordInbound(tx, msg.eventId, msg.messageId))) return false;
    owed = new Owed(tx);
    const done = await act(deps, tx, owed, msg);
    if (done && 'impactId' in done) impact = done;
    const created = done && 'runId' in done ? done : undefined;
    runId = created?.runId;
    expiresAt = created?.expiresAt;
    preflight = created?.preflight ?? false;
    return true;
  });
  if (!fresh) return { duplicate: true };
  await owed.flush(deps.jobs, (error) =>
    deps.log.warn({ err: error }, 'delivery trigger failed; the sweep will retry'),
  );
  if (runId && preflight) {
    await deps.jobs
      .preflight(runId)
      .catch((error) => deps.log.warn({ err: error }, 'preflight not queued; the sweep will queue it'));
  }
  if (impact) {
    const { impactId, pool } = impact;
    await (deps.jobs.impact?.(impactId, pool) ?? Promise.resolve()).catch((error) =>
      deps.log.warn({ err: error }, 'impact job not queued; the sweep will queue it'),
    );
  }
  if (runId && expiresAt) {
    await deps.jobs
      .expireAt(runId, expiresAt)
      .catch((error) =>
        deps.log.warn({ err: error }, 'expiry job not queued; checked at click time and by the sweep'),
      );
  }
  return runId ? { duplicate: false, runId } : { duplicate: false };
}

/** TIMEZONE: every time a person reads is in it. */

async function act(
  deps: RunsDeps,
  tx: PoolClient,
  owed: Owed,
  msg: IncomingMessage,
): Promise<{ runId: string; expiresAt: Date; preflight: boolean } | ImpactQueued | undefined> {
  const { policy } = deps;
  const say = (text: Parameters<Owed['reply']>[2]) => owed.reply(msg.chatId, msg.messageId, text);
  if (!servesChat(policy, deps.catalog(), msg.chatId)) {
    await say(replies.notIncidentChat);
    return undefined;
  }
  const command = msg.command;
  if (!command || command.kind === 'help') {
    await say(usage(deps.catalog(), targetsOfChat(policy, deps.catalog(), msg.chatId)));
    return undefined;
  }
  switch (command.kind) {
    case 'invalid':
      await say(replies.invalid(command.reason));
      return undefined;
    case 'status': {
      const rows = await recentRunsInChat(tx, msg.chatId, 8);
      await say(
        statusText(
          rows.map((r) => ({
            id: r.id,
            runbook: r.runbook_id,
            target: r.target_id,
            state: r.state,
            createdAt: new Date(r.created_at).toISOString(),
            ...(r.start_at && ['awaiting_approval', 'requested', 'scheduled'].includes(r.state)
              ? { startAt: new Date(r.start_at).toISOString() }
              : {}),
          })),
          zoneOf(policy),
        ),
      );
      return undefined;
    }
    case 'targets':
      await say(await targetsOverview(deps, tx, msg.chatId, zoneOf(policy)));
      return undefined;
    case 'history': {
      const answer = await historyReply(deps, tx, msg.chatId, command, zoneOf(policy));
      await owed.reply(msg.chatId, msg.messageId, answer.text, answer.people);
      return undefined;
    }
    case 'impact':
      return requestImpact(deps, tx, owed, msg, command);
    case 'cancel':
      await cancelRun(deps, tx, owed, { ...msg, runId: command.runId, mode: command.mode });
      return undefined;
    case 'export': {
      const doc = await exportForChat(tx, command.runId, command.format, msg.chatId, zoneOf(policy));
      if (!doc.found) {
        await say(doc.reply);
        return undefined;
      }
      // The whole document always arrives as a file; a short Markdown one is also readable inline.
      if (doc.inline) await say(doc.inline);
      await owed.replyFile(msg.chatId, msg.messageId, doc.fileName, doc.body);
      return undefined;
    }
    case 'request': {
      if (policy.requesterOpenIds.length > 0 && !policy.requesterOpenIds.includes(msg.senderOpenId)) {
        await say(replies.notAllowedRequester);
        return undefined;
      }
      return requestRun(deps, tx, owed, msg, command);
    }
  }
}
