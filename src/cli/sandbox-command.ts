import { createSandbox } from '../sandbox/index.js';
import { onShutdownPlain } from './signals.js';

/**
 * `rollback-bot sandbox`: a local Lark for a bot you run yourself. Reads the same env names as the bot
 * (LARK_APP_ID, LARK_APP_SECRET, LARK_VERIFICATION_TOKEN, LARK_ENCRYPT_KEY), plus SANDBOX_BOT_URL
 * (default http://127.0.0.1:3000) and INCIDENT_CHAT_IDS for the chats to create.
 */
export async function runSandboxCommand(args: string[]): Promise<number | undefined> {
  const portFlag = args.indexOf('--port');
  const port = portFlag >= 0 ? Number(args[portFlag + 1]) : Number(process.env.SANDBOX_PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('rollback-bot sandbox: --port needs a number from 0 to 65535\n');
    return 2;
  }
  const env = process.env;
  const botUrl = (env.SANDBOX_BOT_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const sandbox = createSandbox({
    ...(env.LARK_APP_ID ? { appId: env.LARK_APP_ID } : {}),
    ...(env.LARK_APP_SECRET ? { appSecret: env.LARK_APP_SECRET } : {}),
    ...(env.LARK_VERIFICATION_TOKEN ? { verificationToken: env.LARK_VERIFICATION_TOKEN } : {}),
    ...(env.LARK_ENCRYPT_KEY ? { encryptKey: env.LARK_ENCRYPT_KEY } : {}),
    eventUrl: `${botUrl}/lark/events`,
    cardUrl: `${botUrl}/lark/card`,
  });
  const { mountWebChat } = await import('../sandbox/web/index.js');
  const { DEMO_PERSONAS } = await import('./demo-env.js');
  const chats = (env.INCIDENT_CHAT_IDS ?? 'oc_incident')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const chatId of chats) sandbox.addChat({ chatId, name: 'Incident', members: DEMO_PERSONAS });
  mountWebChat(sandbox, { personas: DEMO_PERSONAS, defaultChatId: chats[0] ?? 'oc_incident' });
  const { url } = await sandbox.listen(port, env.SANDBOX_HOST ?? '127.0.0.1');
  process.stdout.write(`Lark sandbox on ${url} (web chat: ${url}/); events go to ${botUrl}/lark/events\n`);
  onShutdownPlain(() => sandbox.close());
  return undefined;
}
