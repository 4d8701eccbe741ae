import { randomBytes } from 'node:crypto';
import { impactReplies } from '../commands/impact-replies.js';
import type { Command } from '../commands/parse.js';
import { replies } from '../commands/replies.js';
import { inTransaction, type PoolClient } from '../db/pool.js';
import { targetById } from '../runbooks/catalog.js';
import { finishImpactRequest, insertImpactRequest, unanswerableImpactRequests } from './impact-repo.js';
import { Owed } from './outbox-writer.js';
import type { RunsDeps } from './ports.js';
import { runnerUpFor } from './runners-repo.js';
import { chatsOf } from './target-policy.js';

/** A queued `/rollback impact`: the job to trigger once the transaction committed. */
export interface ImpactQueued {
  impactId: string;
  pool: string;
}

/**
 * `/rollback impact [target]`: check the target (known, usable, allowed in this chat, with an alembic project)
 * and record the request; the analysis itself runs on a runner of the target's pool (src/worker/impact.ts),
 * never here. Any refusal is a reply that says what to change.
 */
export async function requestImpact(
  deps: RunsDeps,
  tx: PoolClient,
  owed: Owed,
  msg: { chatId: string; messageId: string; senderOpenId: string },
  command: Extract<Command, { kind: 'impact' }>,
): Promise<ImpactQueued | undefined> {
  const catalog = deps.catalog();
  const say = (text: Parameters<Owed['reply']>[2]) => owed.reply(msg.chatId, msg.messageId, text);
  const choice = targetById(catalog, command.target);
  if (!choice.ok) return void (await say(replies.targetRefused(choice.reason)));
  const target = choice.target;
  const chats = chatsOf(deps.policy, target);
  if (!chats.some((c) => c.id === msg.chatId)) return void (await say(replies.wrongChat(target.id, chats)));
  if (typeof target.vars.alembic_dir !== 'string' || target.vars.alembic_dir === '')
    return void (await say(impactReplies.noAlembicDir(target.id)));
  const pool = target.runner ?? 'default';
  // Nobody could answer: say so now rather than leave the request waiting unseen.
  if (!(await runnerUpFor(tx, pool, target.id)))
    return void (await say(impactReplies.noRunner(target.id, pool)));
  const impactId = `i${randomBytes(8).toString('hex')}`;
  await insertImpactRequest(tx, {
    id: impactId,
    chatId: msg.chatId,
    messageId: msg.messageId,
    requesterOpenId: msg.senderOpenId,
    targetId: target.id,
    pool,
  });
  return { impactId, pool };
}

/**
 * The sweep: requests whose pool lost every runner that could answer them after they were accepted get a reply
 * saying so (once: the request is marked done in the same transaction), rather than waiting unseen.
 */
export async function answerUnanswerableImpacts(
  deps: Pick<RunsDeps, 'pool' | 'jobs' | 'log'>,
  afterMs: number,
): Promise<number> {
  let answered = 0;
  for (const row of await unanswerableImpactRequests(deps.pool, afterMs)) {
    let owed: Owed | undefined;
    await inTransaction(deps.pool, async (tx) => {
      if (!(await finishImpactRequest(tx, row.id, 'no_runner'))) return;
      owed = new Owed(tx);
      await owed.reply(row.chat_id, row.message_id, impactReplies.runnerGone(row.target_id, row.runner_pool));
      answered++;
    });
    await owed?.flush(deps.jobs, (error) => deps.log.warn({ err: error }, 'delivery trigger failed'));
  }
  return answered;
}
