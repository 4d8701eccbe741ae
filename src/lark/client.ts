import * as lark from '@larksuiteoapi/node-sdk';
import { classifyLarkError, LarkApiError } from './api-error.js';

/** The only Lark API calls the bot makes, through the official SDK Client. */
export interface LarkMessenger {
  create(chatId: string, msgType: string, content: string, uuid: string): Promise<string>;
  reply(
    messageId: string,
    msgType: string,
    content: string,
    uuid: string,
    inThread: boolean,
  ): Promise<string>;
  patch(messageId: string, content: string): Promise<void>;
  /** Upload a file for a `file` message (`POST /open-apis/im/v1/files`); returns its file_key. */
  uploadFile(fileName: string, data: Buffer): Promise<string>;
  botOpenId(): Promise<string>;
}

export interface LarkClientOptions {
  appId: string;
  appSecret: string;
  /** feishu | lark | a base URL such as the sandbox's. */
  domain: string;
  timeoutMs?: number;
}

export function sdkDomain(domain: string): lark.Domain | string {
  if (domain === 'feishu') return lark.Domain.Feishu;
  if (domain === 'lark') return lark.Domain.Lark;
  return domain.replace(/\/+$/, '');
}

type Answer = { code?: number; msg?: string; data?: { message_id?: string } } | undefined;

function ok(answer: Answer, what: string): Answer {
  if (!answer || (answer.code !== undefined && answer.code !== 0)) {
    // A 200 with a non-zero code is Lark refusing the request itself: not worth retrying.
    throw new LarkApiError(
      `${what}: code ${answer?.code}: ${answer?.msg ?? 'no answer'}`,
      200,
      answer?.code,
      false,
    );
  }
  return answer;
}

export function createLarkMessenger(options: LarkClientOptions): LarkMessenger {
  const client = new lark.Client({
    appId: options.appId,
    appSecret: options.appSecret,
    appType: lark.AppType.SelfBuild,
    domain: sdkDomain(options.domain),
    loggerLevel: lark.LoggerLevel.error,
  });
  // The SDK's shared axios instance has no timeout by default; a hung Lark must not hang the outbox.
  // One messenger per process, so setting it on the shared instance is fine.
  lark.defaultHttpInstance.defaults.timeout = options.timeoutMs ?? 10_000;
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      const classified = classifyLarkError(error);
      classified.message = `${what}: ${classified.message}`;
      throw classified;
    }
  };
  return {
    async create(chatId, msgType, content, uuid) {
      const answer = await call('create', () =>
        client.im.v1.message.create({
          params: { receive_id_type: 'chat_id' },
          data: { receive_id: chatId, msg_type: msgType, content, uuid },
        }),
      );
      return ok(answer, 'create')?.data?.message_id ?? '';
    },
    async reply(messageId, msgType, content, uuid, inThread) {
      const answer = await call('reply', () =>
        client.im.v1.message.reply({
          path: { message_id: messageId },
          data: { msg_type: msgType, content, uuid, reply_in_thread: inThread },
        }),
      );
      return ok(answer, 'reply')?.data?.message_id ?? '';
    },
    async patch(messageId, content) {
      const answer = await call('patch', () =>
        client.im.v1.message.patch({ path: { message_id: messageId }, data: { content } }),
      );
      ok(answer, 'patch');
    },
    async uploadFile(fileName, data) {
      // `stream` is Lark's file_type for anything that is not audio, video or an office document.
      const answer = await call('upload', () =>
        client.im.v1.file.create({ data: { file_type: 'stream', file_name: fileName, file: data } }),
      );
      if (!answer?.file_key) {
        throw new LarkApiError('upload: Lark returned no file_key', 200, undefined, false);
      }
      return answer.file_key;
    },
    async botOpenId() {
      const answer = (await call('bot info', () =>
        client.request({ url: '/open-apis/bot/v3/info', method: 'GET' }),
      )) as { code?: number; msg?: string; bot?: { open_id?: string } };
      if (answer?.code !== 0 || !answer.bot?.open_id) {
        throw new LarkApiError(`bot info: code ${answer?.code}: ${answer?.msg}`, 200, answer?.code, false);
      }
      return answer.bot.open_id;
    },
  };
}
