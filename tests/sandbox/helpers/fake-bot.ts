import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export interface BotAnswer {
  status?: number;
  body?: string | object;
  delayMs?: number;
}

/**
 * A stand-in for the bot's HTTP endpoint: records exactly what arrived (raw bytes and headers) and answers as
 * the test says, so the sandbox's sender is checked against the wire, not against its own code.
 */
export async function startFakeBot(
  handler: (req: ReceivedRequest) => BotAnswer | Promise<BotAnswer> = () => ({}),
) {
  const received: ReceivedRequest[] = [];
  let answer = handler;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const request = {
        path: req.url ?? '',
        headers: req.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      const a = await answer(request);
      if (a.delayMs) await sleep(a.delayMs);
      if (res.destroyed) return;
      const body = a.body === undefined ? '{}' : typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    setHandler(next: typeof handler) {
      answer = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeBot = Awaited<ReturnType<typeof startFakeBot>>;
