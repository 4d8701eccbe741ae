import type { EventEmitter } from 'node:events';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChatStore } from '../chat-store.js';
import type { MessageVersion, SandboxEventMap, StoredMessage, ToastRecord } from '../types.js';
import { directory, toWire } from './state.js';

/** How often an idle stream gets a comment, so proxies and the browser keep it open. */
export const KEEP_ALIVE_MS = 15_000;

/**
 * `GET /web/api/stream`: Server-Sent Events of store changes.
 *   event: message  data: WireMessage            a new message (chat or thread)
 *   event: update   data: WireMessage            a card replaced (PATCH or a callback's card), same id
 *   event: toast    data: ToastRecord
 *   event: chats    data: {bot, chats, users}    chats, members or names changed
 * Each stream ends when the client goes away or the server closes (its listeners are removed then).
 */
export function mountStream(
  app: FastifyInstance,
  events: EventEmitter<SandboxEventMap>,
  store: ChatStore,
): void {
  const open = new Set<() => void>();
  // An open stream would keep `server.close()` waiting for ever: end them all first.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get('/web/api/stream', async (_request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (event: string, data: unknown) => {
      if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    let chats = JSON.stringify(directory(store));

    const onMessage = (m: StoredMessage) => send('message', toWire(m));
    const onUpdate = ({ message }: { message: StoredMessage; version: MessageVersion }) =>
      send('update', toWire(message));
    const onToast = (t: ToastRecord) => send('toast', t);
    const onChange = () => {
      const next = JSON.stringify(directory(store));
      if (next === chats) return;
      chats = next;
      send('chats', JSON.parse(next));
    };
    events.on('message', onMessage);
    events.on('update', onUpdate);
    events.on('toast', onToast);
    events.on('change', onChange);
    const timer = setInterval(() => {
      if (!res.writableEnded) res.write(': keep-alive\n\n');
    }, KEEP_ALIVE_MS);
    timer.unref();

    const end = () => {
      if (!open.delete(end)) return;
      clearInterval(timer);
      events.off('message', onMessage);
      events.off('update', onUpdate);
      events.off('toast', onToast);
      events.off('change', onChange);
      if (!res.writableEnded) res.end();
    };
    open.add(end);
    res.on('close', end); // the client went away (or the response ended)
    // Reconnect after 2 s if the stream drops; the page refetches the state on every (re)open.
    res.write('retry: 2000\n: connected\n\n');
  });
}
