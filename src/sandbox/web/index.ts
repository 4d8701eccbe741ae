/**
 * A web chat over the sandbox that looks and behaves like a Lark group: people (personas) talk to the bot,
 * cards are rendered from their Card JSON 2.0 and update in place, buttons send real card callbacks, and
 * thread replies arrive live over SSE.
 *
 *   const sandbox = createSandbox({ ... });
 *   mountWebChat(sandbox, { personas: [{ openId: 'ou_oncall', name: 'Wang Wei (on-call)', role: 'On-call' }] });
 *   await sandbox.listen(8080);                        // then open http://127.0.0.1:8080/
 *
 * Routes (all on `sandbox.server`, none logged as Open API requests):
 *   GET  /                 the page            GET  /web/<file>       its scripts and styles
 *   GET  /web/api/state    everything to draw  GET  /web/api/stream   SSE: message, update, toast, chats
 *   POST /web/api/say      {chatId, as, text}  POST /web/api/click    {messageId, as, value, name?, formValue?}
 *   POST /web/api/action   {id}: one of `options.actions` (e.g. the demo's "simulate a bad release")
 *   POST /web/api/scope    {groupMessages: 'mentions'|'all'}: the bot's group-message scope
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Sandbox } from '../index.js';
import { loadAssets } from './assets.js';
import { BadInput, parseClick, parseSay } from './input.js';
import { directory, toWire } from './state.js';
import { mountStream } from './stream.js';

export interface Persona {
  openId: string;
  /** Shown in the persona picker and, once they speak or click, as their name in the chat. */
  name: string;
  /** A short label for the picker, e.g. 'Tech Lead'. */
  role?: string;
}

export type WebLocale = 'zh_cn' | 'en_us';

export interface WebChatOptions {
  /** Who the person at the browser can be; the first is selected until they pick another. */
  personas: Persona[];
  /** The chat opened first. @defaultValue the first chat in the store */
  defaultChatId?: string;
  /** Which `i18n_content` cards show first. @defaultValue 'en_us' */
  defaultLocale?: WebLocale;
  /** Buttons in the top bar that act on the world outside the chat (the demo's "simulate a bad release"). */
  actions?: WebAction[];
}

export interface WebAction {
  id: string;
  label: Record<WebLocale, string>;
  /** Resolves to what happened (shown as a toast); a rejection's message is shown as an error. */
  run(): Promise<string>;
}

/** Adds the web chat's routes to `sandbox.server`. Call it before `sandbox.listen()`. */
export function mountWebChat(sandbox: Sandbox, options: WebChatOptions): void {
  if (sandbox.url) throw new Error('mountWebChat must be called before sandbox.listen()');
  const personas = checkPersonas(options.personas);
  const { store } = sandbox;
  // Persona names win over whatever the chat was set up with, so the picker and the chat agree.
  const register = (p: Persona) => store.registerUser({ openId: p.openId, name: p.name });
  for (const p of personas) register(p);
  const assets = loadAssets();
  const settings = {
    defaultChatId: options.defaultChatId,
    defaultLocale: options.defaultLocale ?? 'en_us',
    botName: store.bot.name,
    actions: (options.actions ?? []).map((a) => ({ id: a.id, label: a.label })),
  };

  sandbox.server.register(async (app: FastifyInstance) => {
    app.setErrorHandler((error: unknown, _request, reply) => {
      const status = error instanceof BadInput ? 400 : ((error as { statusCode?: number }).statusCode ?? 500);
      const message = error instanceof Error ? error.message : String(error);
      return reply.code(status >= 400 && status < 600 ? status : 500).send({ error: message });
    });

    const serve = (reply: FastifyReply, file: string) => {
      const asset = assets.get(file);
      if (!asset) return reply.code(404).send({ error: `no such file: ${file}` });
      return reply.type(asset.type).header('cache-control', 'no-store').send(asset.body);
    };
    app.get('/', (_request, reply) => serve(reply, 'index.html'));
    app.get<{ Params: { file: string } }>('/web/:file', (request, reply) =>
      serve(reply, request.params.file),
    );

    app.get('/web/api/state', async () => ({
      ...settings,
      groupMessages: sandbox.config.groupMessages,
      personas,
      ...directory(store),
      messages: store.messages().map(toWire),
      toasts: store.toasts(),
    }));

    mountStream(app, sandbox.events, store);

    // How the bot is connected: by the long connection once it has dialled in, else by the webhook URLs.
    app.get('/web/api/link', async () => {
      const ws = sandbox.longConnectionStatus();
      const mode = ws.inUse ? 'websocket' : sandbox.eventUrl ? 'webhook' : 'none';
      return { mode, connections: ws.connections };
    });

    app.post('/web/api/say', async (request) => {
      const say = parseSay(request.body, personas, store);
      register(say.persona);
      const result = await sandbox.userSays({
        chatId: say.chatId,
        senderOpenId: say.persona.openId,
        text: say.text,
        mentionBot: false,
      });
      return {
        messageId: result.messageId,
        delivered: result.delivered,
        status: result.status,
        ...(result.error ? { error: result.error } : {}),
      };
    });

    app.post('/web/api/scope', async (request, reply) => {
      const scope = (request.body as { groupMessages?: unknown } | undefined)?.groupMessages;
      if (scope !== 'mentions' && scope !== 'all') {
        return reply.code(400).send({ error: "groupMessages must be 'mentions' or 'all'" });
      }
      sandbox.setGroupMessages(scope);
      return { groupMessages: scope };
    });

    app.post('/web/api/action', async (request, reply) => {
      const id = (request.body as { id?: unknown } | undefined)?.id;
      const action = options.actions?.find((a) => a.id === id);
      if (!action) return reply.code(404).send({ error: `no such action: ${String(id)}` });
      try {
        return { ok: true, text: await action.run() };
      } catch (error) {
        return reply.code(500).send({ error: error instanceof Error ? error.message : String(error) });
      }
    });

    app.post('/web/api/click', async (request) => {
      const click = parseClick(request.body, personas, store);
      register(click.persona);
      const result = await sandbox.click({
        operatorOpenId: click.persona.openId,
        messageId: click.messageId,
        value: click.value,
        ...(click.name ? { name: click.name } : {}),
        ...(click.formValue ? { formValue: click.formValue } : {}),
      });
      return { status: result.status, toast: result.toast ?? null, cardReplaced: result.card !== undefined };
    });
  });
}

function checkPersonas(personas: readonly Persona[]): Persona[] {
  if (!Array.isArray(personas) || personas.length === 0) throw new Error('mountWebChat needs personas');
  const seen = new Set<string>();
  for (const p of personas) {
    if (typeof p.openId !== 'string' || !p.openId || typeof p.name !== 'string' || !p.name) {
      throw new Error(`a persona needs an openId and a name: ${JSON.stringify(p)}`);
    }
    if (seen.has(p.openId)) throw new Error(`persona ${p.openId} is listed twice`);
    seen.add(p.openId);
  }
  return personas.map((p) => ({ openId: p.openId, name: p.name, ...(p.role ? { role: p.role } : {}) }));
}
