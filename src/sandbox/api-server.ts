import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ActivityLog } from './activity-log.js';
import { isPlainObject } from './card-validation.js';
import { INVALID_TOKEN, LarkApiError, rateLimited } from './errors.js';
import type { FaultApi, FaultInjector } from './faults.js';
import { MAX_UPLOAD_BYTES, parseUpload } from './file-upload.js';
import { type MessageService, toApiMessage } from './message-service.js';
import type { RateLimits, SandboxConfig } from './options.js';
import type { ApiName, FaultKind } from './types.js';

export const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';

/** Route patterns → API names; also the allow-list of what the sandbox emulates. */
const ROUTE_APIS: Record<string, ApiName> = {
  [TOKEN_PATH]: 'token',
  '/open-apis/bot/v3/info': 'bot_info',
  '/open-apis/im/v1/messages': 'create',
  '/open-apis/im/v1/messages/:message_id/reply': 'reply',
  '/open-apis/im/v1/messages/:message_id': 'patch',
  '/open-apis/im/v1/files': 'upload',
  '/open-apis/im/v1/files/:file_key': 'download',
};

/** Where the web chat downloads a file message's file (not an Open API route: no token, not logged). */
export const FILE_DOWNLOAD_PREFIX = '/sandbox/files/';

export interface ApiServerDeps {
  config: SandboxConfig;
  token: string;
  messages: MessageService;
  faults: FaultInjector;
  log: ActivityLog;
  now: () => number;
  rateLimits: RateLimits;
}

interface RequestState {
  at: number;
  code?: number;
  fault?: FaultKind;
  recorded?: boolean;
}

/** The Open API subset the bot calls (LARK.md §5), as a Fastify app not yet listening. */
export function buildApiServer(deps: ApiServerDeps): FastifyInstance {
  const { config, messages, log } = deps;
  const app = Fastify({ logger: false });
  // Per-request bookkeeping without decorating FastifyRequest, whose type other modules share.
  const state = new WeakMap<FastifyRequest, RequestState>();
  const apiOf = (request: FastifyRequest): ApiName => ROUTE_APIS[request.routeOptions.url ?? ''] ?? 'other';

  const record = (request: FastifyRequest, status: number): void => {
    const s = state.get(request);
    if (!s || s.recorded) return;
    s.recorded = true;
    const path = request.url.split('?')[0] ?? request.url;
    log.addRequest({
      at: s.at,
      method: request.method,
      path,
      api: apiOf(request),
      status,
      code: s.code,
      fault: s.fault,
    });
  };

  app.addHook('onRequest', async (request, reply) => {
    // Only the Open API is logged and guarded: routes a web UI adds to `server` are neither.
    if (!request.url.startsWith('/open-apis/')) return;
    state.set(request, { at: deps.now() });
    if (apiOf(request) === 'token') return;
    if (request.headers.authorization !== `Bearer ${deps.token}`) {
      return reply.code(400).send(INVALID_TOKEN);
    }
  });

  app.addHook('preHandler', async (request, reply) => {
    const api = apiOf(request);
    if (api !== 'create' && api !== 'reply' && api !== 'patch') return;
    const fault = deps.faults.draw(api satisfies FaultApi);
    if (!fault) return;
    const s = state.get(request);
    if (s) s.fault = fault;
    const { slowMs, dropMs } = deps.faults.current;
    if (fault === 'slow') {
      await sleep(slowMs);
    } else if (fault === '429') {
      throw rateLimited(api === 'patch' ? deps.rateLimits.perMessage : deps.rateLimits.perChat, 1);
    } else if (fault === '500') {
      throw new LarkApiError(500, 2200, 'Internal Error (sandbox fault)');
    } else {
      await sleep(dropMs);
      record(request, 0);
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    }
  });

  app.addHook('onSend', async (request, _reply, payload) => {
    const s = state.get(request);
    if (s && typeof payload === 'string') s.code = codeOf(payload);
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => record(request, reply.statusCode));

  app.setErrorHandler((error: unknown, _request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof LarkApiError) {
      return reply
        .code(error.httpStatus)
        .headers(error.headers)
        .send({ code: error.code, msg: error.message });
    }
    const statusCode = (error as { statusCode?: number }).statusCode ?? 500;
    const message = error instanceof Error ? error.message : String(error);
    if (statusCode < 500) return reply.code(400).send({ code: 9499, msg: `Bad Request: ${message}` });
    return reply.code(500).send({ code: 2200, msg: `Internal Error: ${message}` });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ code: 404, msg: `the sandbox does not emulate ${request.method} ${request.url}` }),
  );

  // Multipart bodies are kept raw and parsed by the upload route (Lark's limit is 30 MB; a little slack for the
  // multipart framing, beyond which Fastify answers 413).
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES + 64 * 1024 },
    (_request, body, done) => done(null, body),
  );

  app.post(TOKEN_PATH, async (request, reply) => {
    const body = isPlainObject(request.body) ? request.body : {};
    if (body.app_id !== config.appId || body.app_secret !== config.appSecret) {
      return reply.code(400).send({ code: 10014, msg: 'app secret invalid' });
    }
    // `expire` well above the SDK's 3-minute safety margin, or it would fetch a token before every call.
    return { code: 0, msg: 'ok', tenant_access_token: deps.token, expire: 7200 };
  });

  app.get('/open-apis/bot/v3/info', async () => ({
    code: 0,
    msg: 'ok',
    bot: { activate_status: 2, app_name: config.botName, ip_white_list: [], open_id: config.botOpenId },
  }));

  app.post('/open-apis/im/v1/messages', async (request) => {
    const query = request.query as Record<string, unknown>;
    const body = bodyOf(request);
    const message = messages.create({
      receiveIdType: query.receive_id_type,
      receiveId: body.receive_id,
      msgType: body.msg_type,
      content: body.content,
      uuid: body.uuid,
    });
    return success(toApiMessage(message, config));
  });

  app.post<{ Params: { message_id: string } }>(
    '/open-apis/im/v1/messages/:message_id/reply',
    async (request) => {
      const body = bodyOf(request);
      const message = messages.reply(request.params.message_id, {
        msgType: body.msg_type,
        content: body.content,
        replyInThread: body.reply_in_thread,
        uuid: body.uuid,
      });
      return success(toApiMessage(message, config));
    },
  );

  app.patch<{ Params: { message_id: string } }>('/open-apis/im/v1/messages/:message_id', async (request) => {
    messages.patch(request.params.message_id, bodyOf(request).content);
    return success({});
  });

  app.post('/open-apis/im/v1/files', async (request) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const file = messages.addFile(await parseUpload(raw, request.headers['content-type'], deps.now()));
    return success({ file_key: file.fileKey });
  });

  const download = (fileKey: string, reply: FastifyReply) => {
    const file = messages.file(fileKey);
    if (!file) throw new LarkApiError(400, 234003, `File not found. ext=${fileKey}`);
    const ascii = file.fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
    return reply
      .type('application/octet-stream')
      .header(
        'content-disposition',
        `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      )
      .send(file.data);
  };
  app.get<{ Params: { file_key: string } }>('/open-apis/im/v1/files/:file_key', (request, reply) =>
    download(request.params.file_key, reply),
  );
  app.get<{ Params: { file_key: string } }>(`${FILE_DOWNLOAD_PREFIX}:file_key`, (request, reply) =>
    download(request.params.file_key, reply),
  );

  return app;
}

function success(data: Record<string, unknown>): Record<string, unknown> {
  return { code: 0, msg: 'success', data };
}

function bodyOf(request: FastifyRequest): Record<string, unknown> {
  if (!isPlainObject(request.body))
    throw new LarkApiError(400, 9499, 'Bad Request: the body must be a JSON object');
  return request.body;
}

function codeOf(payload: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(payload);
    return isPlainObject(parsed) && typeof parsed.code === 'number' ? parsed.code : undefined;
  } catch {
    return undefined;
  }
}
