import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';

export type { Logger };

/** Decides, per line, whether it is written (`true`) or swallowed (`false`): see setLogGate. */
export type LogGate = (fields: Record<string, unknown>, msg: string, level: number) => boolean;

const gates = new WeakMap<Logger, (gate: LogGate | undefined) => void>();

/**
 * The process logger. Every line passes through `redact` on its way out, so no configured secret reaches a
 * log whatever a caller put in it (DESIGN invariant 8).
 */
export function createLogger(options: {
  level: string;
  redact: (text: string) => string;
  name?: string;
  destination?: NodeJS.WritableStream;
}): Logger {
  const out = options.destination ?? process.stdout;
  const stream = new Writable({
    write(chunk, _encoding, done) {
      out.write(options.redact(chunk.toString('utf8')));
      done();
    },
  });
  let gate: LogGate | undefined;
  const logger = pino(
    {
      level: options.level,
      ...(options.name ? { name: options.name } : {}),
      redact: { paths: ['req.headers.authorization', 'req.headers["x-lark-signature"]'], censor: '***' },
      hooks: {
        // Shared by every child logger (Fastify's per-request ones too).
        logMethod(args, method, level) {
          if (gate) {
            const [first, second] = args as unknown[];
            const fields =
              typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
            const msg = typeof first === 'string' ? first : typeof second === 'string' ? second : '';
            if (!gate(fields, msg, level)) return;
          }
          method.apply(this, args);
        },
      },
    },
    stream,
  );
  gates.set(logger, (next) => {
    gate = next;
  });
  return logger;
}

/** Put a gate on a logger made by createLogger (and all its children); `undefined` removes it. */
export function setLogGate(log: Logger, gate: LogGate | undefined): void {
  gates.get(log)?.(gate);
}
