import { createHash } from 'node:crypto';
import { cardBytes, LIMITS } from '../../cards/limits.js';
import type { RenderOptions } from '../../cards/model.js';
import { joinPosts, type PostMessage } from '../../cards/post.js';
import type { OutboxRow } from '../runs/outbox-repo.js';
import { type OutgoingMessage, renderPayload } from './render.js';

/**
 * A step line of a run's thread: a step's start or end, each stamped with its own clock time and `T+mm:ss`.
 * These may share one reply. The summary stays a reply of its own (DESIGN: "the summary is a separate
 * reply"), and so do notes (drift, Retry chosen, …): rare, and each reads best alone.
 */
export function isThreadLine(row: Pick<OutboxRow, 'op' | 'payload'>): boolean {
  const render = row.payload.render;
  return row.op === 'thread' && (render === 'step_started' || render === 'step_finished');
}

/** One thread reply: the rows it carries (in stream order), its uuid, and the message. */
interface ThreadReply {
  rows: OutboxRow[];
  uuid: string;
  message: OutgoingMessage;
  /** True when its rows were claimed by an earlier attempt (the same rows go again under the same uuid). */
  claimed: boolean;
}

/** Lark takes a uuid of at most 50 characters (LARK.md §5.2). */
const UUID_MAX = 50;

/** The uuid of a reply carrying `count` lines from `head` on: the head's own for one line. */
export function replyUuid(head: Pick<OutboxRow, 'uuid'>, count: number): string {
  if (count === 1) return head.uuid;
  const readable = `${head.uuid}+${count}`;
  if (readable.length <= UUID_MAX) return readable;
  return `b${count}-${createHash('sha256').update(head.uuid).digest('hex').slice(0, 40)}`;
}

const asPost = (message: OutgoingMessage): PostMessage | undefined =>
  message.msgType === 'post' ? message : undefined;

/**
 * The next thread reply of a stream whose first pending row is a thread line. A row claimed by an earlier
 * attempt brings exactly the rows of its claim. Otherwise the head takes the thread lines pending after it,
 * in order, while the joined post stays within Lark's size limit; card patches between them are passed over
 * (they change only the card, and the deliverer sends them next), anything else ends the reply.
 * Pure: `pending` is the stream's pending rows in order.
 */
export function nextThreadReply(
  pending: readonly OutboxRow[],
  opts: RenderOptions,
  maxBytes: number = LIMITS.joinedPostBytes,
): ThreadReply {
  const head = pending[0];
  if (!head || !isThreadLine(head)) throw new Error('the stream does not start with a thread line');
  if (head.batch) {
    const rows = pending.filter((r) => r.batch === head.batch);
    return { rows, uuid: head.batch, message: joined(rows, opts), claimed: true };
  }
  const first = renderPayload(head.payload, opts);
  const rows = [head];
  const posts: PostMessage[] = [];
  const firstPost = asPost(first);
  if (firstPost) {
    posts.push(firstPost);
    for (const row of pending.slice(1)) {
      if (row.op === 'patch') continue;
      if (!isThreadLine(row) || row.batch) break;
      const post = asPost(renderPayload(row.payload, opts));
      if (!post || cardBytes(joinPosts([...posts, post]).content) > maxBytes) break;
      rows.push(row);
      posts.push(post);
    }
  }
  const message = rows.length === 1 ? first : joinPosts(posts);
  return { rows, uuid: replyUuid(head, rows.length), message, claimed: false };
}

/** The message of claimed rows: the head alone as it renders, or all of them joined. */
function joined(rows: readonly OutboxRow[], opts: RenderOptions): OutgoingMessage {
  const messages = rows.map((r) => renderPayload(r.payload, opts));
  if (messages.length === 1 && messages[0]) return messages[0];
  const posts = messages.map(asPost);
  if (posts.some((p) => !p)) throw new Error('a claimed thread reply holds a line that is not a post');
  return joinPosts(posts as PostMessage[]);
}
