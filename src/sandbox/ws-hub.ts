/**
 * Lark's side of the long connection (LARK-LONG-CONNECTION.md): the WebSocket endpoint at `/ws/v2`, ping/pong
 * with ClientConfig, data frames for events and card clicks (split when large), and acks matched by
 * `message_id`. Each push goes to one open connection of the app, at random (cluster mode).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { DeliveryResult } from './delivery.js';
import { CONTROL, DATA, decodeFrame, encodeFrame, type Frame, headerOf } from './ws-frame.js';

export const WS_PATH = '/ws/v2';

/** What the endpoint hands the client and the pong repeats (seconds; fractions work with the Node client). */
export interface ClientConfig {
  PingInterval: number;
  ReconnectCount: number;
  ReconnectInterval: number;
  ReconnectNonce: number;
}

export interface LongConnectionOptions {
  /** @defaultValue PingInterval 120, ReconnectCount -1, ReconnectInterval 1, ReconnectNonce 0 */
  clientConfig?: Partial<ClientConfig>;
  /** Payloads longer than this many bytes go as several frames sharing one message_id. @defaultValue 64 KiB */
  splitBytes?: number;
}

export interface LongConnectionStatus {
  /** A client of the app has connected at least once: pushes go over the long connection from then on. */
  inUse: boolean;
  connections: number;
  pushes: number;
  acks: number;
}

export type EndpointFault = 'busy' | 'http500' | 'terminal';

interface PendingAck {
  settle: (frame: Frame) => void;
}

const SERVICE_ID = 1;

export class LongConnectionHub {
  readonly clientConfig: ClientConfig;
  private readonly splitBytes: number;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private readonly tickets = new Set<string>();
  private readonly pending = new Map<string, PendingAck>();
  private ignoredAcks = 0;
  private readonly endpointFaults: EndpointFault[] = [];
  private used = false;
  private pushes = 0;
  private acks = 0;
  private seq = 0;

  constructor(
    options: LongConnectionOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.clientConfig = {
      PingInterval: 120,
      ReconnectCount: -1,
      ReconnectInterval: 1,
      ReconnectNonce: 0,
      ...options.clientConfig,
    };
    this.splitBytes = options.splitBytes ?? 64 * 1024;
  }

  /** A fresh connection URL for the endpoint's answer; its ticket admits one upgrade. */
  issueUrl(host: string): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    // A dummy key first: the Node client parses the whole URL with querystring.parse.
    return `ws://${host}${WS_PATH}?fpid=1&device_id=sandbox-device&service_id=${SERVICE_ID}&ticket=${ticket}`;
  }

  /** Serve WebSocket upgrades on the sandbox's HTTP server. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? '/', 'http://sandbox');
      const ticket = url.searchParams.get('ticket') ?? '';
      if (url.pathname !== WS_PATH || !this.tickets.delete(ticket)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
    });
  }

  status(): LongConnectionStatus {
    return { inUse: this.used, connections: this.sockets.size, pushes: this.pushes, acks: this.acks };
  }

  get inUse(): boolean {
    return this.used;
  }

  /** Fault: close every connection now, as Lark's servers do every few minutes; clients reconnect. */
  dropAll(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  /** Fault: the next `n` acks are lost (the push times out and an event is re-pushed). */
  loseAcks(n: number): void {
    this.ignoredAcks += n;
  }

  /**
   * Fault: the next `n` endpoint calls fail with `kind`: `busy` (code 1000040343, the client retries), `http500`
   * (retried), `terminal` (code 514, the official client stops for good).
   */
  failEndpoint(kind: EndpointFault, n = 1): void {
    for (let i = 0; i < n; i++) this.endpointFaults.push(kind);
  }

  /** The endpoint route takes the next queued fault, if any. */
  takeEndpointFault(): EndpointFault | undefined {
    return this.endpointFaults.shift();
  }

  /**
   * Push one plaintext v2 envelope to one connection and wait for its ack. The answer reads like an HTTP
   * delivery: status 200 with the handler's result as the body on ack code 200, the ack's code otherwise, 0 with
   * `timeout` when no ack came in time, 0 with `network` when no connection is open.
   */
  async push(plaintext: string, timeoutMs: number): Promise<DeliveryResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const open = [...this.sockets].filter((s) => s.readyState === s.OPEN);
    const socket = open[Math.floor(this.random() * open.length)];
    if (!socket) {
      return {
        status: 0,
        body: '',
        error: 'network',
        errorMessage: 'no long connection is open',
        durationMs: 0,
      };
    }
    this.pushes += 1;
    const messageId = randomUUID();
    const ack = new Promise<Frame | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(messageId);
        resolve(undefined);
      }, timeoutMs);
      this.pending.set(messageId, {
        settle: (frame) => {
          clearTimeout(timer);
          this.pending.delete(messageId);
          resolve(frame);
        },
      });
    });
    for (const frame of this.dataFrames(messageId, Buffer.from(plaintext, 'utf8'))) {
      socket.send(encodeFrame(frame));
    }
    const answer = await ack;
    if (!answer) return { status: 0, body: '', error: 'timeout', durationMs: elapsed() };
    return { ...ackResult(answer), durationMs: elapsed() };
  }

  /** Terminates every connection (the HTTP server cannot close while they are open). */
  close(): void {
    for (const socket of this.sockets) socket.terminate();
    for (const [, pending] of this.pending) pending.settle({ ...emptyFrame(), method: -1 });
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    this.used = true;
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      let frame: Frame;
      try {
        if (!isBinary) throw new Error('text frame');
        frame = decodeFrame(data);
      } catch {
        ws.close(1003, 'frames are binary pbbp2.Frame');
        return;
      }
      if (frame.method === CONTROL && headerOf(frame, 'type') === 'ping') {
        ws.send(encodeFrame(this.pong(frame.service)));
      } else if (frame.method === DATA) {
        this.onAck(frame);
      }
    });
  }

  private onAck(frame: Frame): void {
    const messageId = headerOf(frame, 'message_id') ?? '';
    const pending = this.pending.get(messageId);
    if (!pending) return;
    if (this.ignoredAcks > 0) {
      this.ignoredAcks -= 1;
      return;
    }
    this.acks += 1;
    pending.settle(frame);
  }

  private pong(service: number): Frame {
    return {
      ...emptyFrame(),
      service,
      method: CONTROL,
      headers: [{ key: 'type', value: 'pong' }],
      payload: Buffer.from(JSON.stringify(this.clientConfig)),
    };
  }

  private dataFrames(messageId: string, payload: Buffer): Frame[] {
    const parts: Buffer[] = [];
    for (let at = 0; at < payload.length; at += this.splitBytes) {
      parts.push(payload.subarray(at, at + this.splitBytes));
    }
    if (parts.length === 0) parts.push(Buffer.alloc(0));
    const traceId = randomUUID();
    return parts.map((part, seq) => ({
      ...emptyFrame(),
      SeqID: ++this.seq,
      LogID: this.seq,
      service: SERVICE_ID,
      method: DATA,
      headers: [
        { key: 'type', value: 'event' },
        { key: 'message_id', value: messageId },
        { key: 'trace_id', value: traceId },
        { key: 'sum', value: String(parts.length) },
        { key: 'seq', value: String(seq) },
      ],
      payload: part,
    }));
  }
}

function emptyFrame(): Frame {
  return { SeqID: 0, LogID: 0, service: SERVICE_ID, method: CONTROL, headers: [] };
}

/** The ack's payload `{"code":200,"data":base64(JSON)}`, read as an HTTP answer would be. */
function ackResult(frame: Frame): Omit<DeliveryResult, 'durationMs'> {
  if (frame.method !== DATA) return { status: 0, body: '', error: 'network', errorMessage: 'sandbox closed' };
  let ack: { code?: unknown; data?: unknown };
  try {
    ack = JSON.parse(Buffer.from(frame.payload ?? []).toString('utf8'));
  } catch {
    return { status: 502, body: '', errorMessage: 'ack payload is not JSON' };
  }
  const status = typeof ack.code === 'number' ? ack.code : 502;
  const body = typeof ack.data === 'string' ? Buffer.from(ack.data, 'base64').toString('utf8') : '';
  const result: Omit<DeliveryResult, 'durationMs'> = { status, body };
  try {
    if (body !== '') result.json = JSON.parse(body);
  } catch {
    // The handler returned something that is not JSON; callers look at `body`.
  }
  return result;
}
