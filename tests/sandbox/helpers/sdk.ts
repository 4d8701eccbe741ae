import * as lark from '@larksuiteoapi/node-sdk';
import type { Sandbox } from '../../../src/sandbox/index.js';

const silent = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

/**
 * The official SDK client, unchanged, pointed at the sandbox. Quiet through a no-op logger: the SDK reads
 * `loggerLevel || info`, so `LoggerLevel.fatal` (0) silently means info.
 */
export function sdkClient(sandbox: Sandbox): lark.Client {
  return new lark.Client({ ...sandbox.sdkClientOptions(), appType: lark.AppType.SelfBuild, logger: silent });
}

export interface HttpFailure {
  status: number;
  data: { code: number; msg: string };
  headers: Record<string, string>;
}

/** The SDK throws an AxiosError on non-2xx; this returns what the bot would see in `err.response`. */
export async function failure(promise: Promise<unknown>): Promise<HttpFailure> {
  try {
    await promise;
  } catch (err) {
    const response = (err as { response?: { status: number; data: HttpFailure['data']; headers: object } })
      .response;
    if (!response) throw err;
    return {
      status: response.status,
      data: response.data,
      headers: { ...response.headers } as Record<string, string>,
    };
  }
  throw new Error('expected the call to fail');
}

export const v2Card = (title: string) => ({
  schema: '2.0',
  config: { update_multi: true },
  header: { title: { tag: 'plain_text', content: title }, template: 'blue' },
  body: { elements: [{ tag: 'markdown', content: `**${title}**` }] },
});
