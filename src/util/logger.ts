import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';

export type { Logger };

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
  return pino(
    {
      level: options.level,
      ...(options.name ? { name: options.name } : {}),
      redact: { paths: ['req.headers.authorization', 'req.headers["x-lark-signature"]'], censor: '***' },
    },
    stream,
  );
}
