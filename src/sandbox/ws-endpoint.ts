import type { FastifyInstance } from 'fastify';
import { isPlainObject } from './card-validation.js';
import type { SandboxConfig } from './options.js';
import type { LongConnectionHub } from './ws-hub.js';

export const WS_ENDPOINT_PATH = '/callback/ws/endpoint';

/** Lark's codes for the endpoint call (LARK-LONG-CONNECTION.md §1; the Node client retries only BUSY). */
const BUSY = 1000040343;
const BAD_CREDENTIALS = 514;

/** `POST /callback/ws/endpoint`: checks the app's id and secret and hands out a connection URL. */
export function registerWsEndpoint(
  app: FastifyInstance,
  config: SandboxConfig,
  hub: LongConnectionHub,
): void {
  app.post(WS_ENDPOINT_PATH, async (request, reply) => {
    const fault = hub.takeEndpointFault();
    if (fault === 'http500') return reply.code(500).send({ code: 1, msg: 'internal error' });
    if (fault === 'busy') return { code: BUSY, msg: 'system busy', data: {} };
    const body = isPlainObject(request.body) ? request.body : {};
    const credentialsOk = body.AppID === config.appId && body.AppSecret === config.appSecret;
    if (fault === 'terminal' || !credentialsOk) {
      return { code: BAD_CREDENTIALS, msg: 'app id or app secret is invalid', data: {} };
    }
    const host = request.headers.host ?? '127.0.0.1';
    return { code: 0, msg: 'ok', data: { URL: hub.issueUrl(host), ClientConfig: hub.clientConfig } };
  });
}
