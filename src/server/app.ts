import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { parseEnvelope } from '../lark/events.js';
import { InboundError } from '../lark/inbound-error.js';
import type { ConnectionStatus } from '../lark/long-connection.js';
import { type VerifyOptions, verifyInbound } from '../lark/verify.js';
import { dispatchEvent, type InboundDeps } from './inbound.js';

export interface AppOptions extends InboundDeps {
  verify: VerifyOptions;
  /** Named dependency checks for /health/ready; each resolves true when healthy. */
  readiness: Record<string, () => Promise<boolean>>;
  /** The Lark routes `/lark/events` and `/lark/card`; off when events come by the long connection. */
  webhooks: boolean;
  /** The long connection's state, reported by /health/ready (not ready unless connected). */
  larkConnection?: () => ConnectionStatus;
  /** Prometheus text exposition, if metrics are on. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
}

/** Largest body Lark sends us is a few KB; anything near this is not Lark. */
export const BODY_LIMIT = 64 * 1024;

/** The HTTP surface as a Fastify plugin: server.ts starts it, tests inject into it. */
export const rollbackApp: FastifyPluginAsync<AppOptions> = async (app: FastifyInstance, options) => {
  // Keep the raw bytes: the signature is over them, not over re-serialised JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );

  const inbound = async (request: {
    body: unknown;
    headers: Record<string, string | string[] | undefined>;
  }) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const verified = verifyInbound(raw, request.headers, options.verify);
    if (verified.kind === 'challenge') return { challenge: verified.challenge };
    return dispatchEvent(options, parseEnvelope(verified.body));
  };
  if (options.webhooks) {
    app.post('/lark/events', async (request) => inbound(request));
    app.post('/lark/card', async (request) => inbound(request));
  }

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof InboundError) {
      request.log.warn({ code: error.code }, `refused inbound request: ${error.message}`);
      return reply.code(error.status).send({ error: error.code, message: error.message });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.code(status).send({
        error: (error as { code?: string }).code ?? 'BAD_REQUEST',
        message: (error as Error).message,
      });
    }
    request.log.error({ err: error }, 'request failed');
    // 500: Lark retries, and nothing was acknowledged.
    return reply.code(500).send({ error: 'INTERNAL', message: 'internal error' });
  });

  app.get('/health/live', async () => ({ status: 'live' }));
  app.get('/health/ready', async (_request, reply) => {
    const entries = await Promise.all(
      Object.entries(options.readiness).map(async ([name, check]) => {
        const ok = await Promise.race([
          check().catch(() => false),
          new Promise<boolean>((r) => setTimeout(() => r(false), 2000)),
        ]);
        return [name, ok ? 'up' : 'down'] as const;
      }),
    );
    const checks = Object.fromEntries(entries);
    const connection = options.larkConnection?.();
    const ready =
      entries.every(([, state]) => state === 'up') && (!connection || connection.state === 'connected');
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not ready',
      checks,
      ...(connection ? { lark_connection: connection } : {}),
    });
  });
  if (options.metrics) {
    const metrics = options.metrics;
    app.get('/metrics', async (_request, reply) => {
      const { contentType, body } = await metrics();
      return reply.type(contentType).send(body);
    });
  }
};
