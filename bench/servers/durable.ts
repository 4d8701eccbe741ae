// The minimal durable route of DESIGN.md's Budgets: one signature check (Lark's sha256 over timestamp, nonce,
// key and the raw body), one Postgres INSERT, one BullMQ add, then 200. Same pool size as the bot (10), same
// Redis settings, the raw body kept as a Buffer like the bot's parser. Nothing else: no decryption, no parsing.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';

const env = process.env;
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 10 });
await pool.query(
  'CREATE TABLE IF NOT EXISTS bench_inbound (id text PRIMARY KEY, body text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())',
);
const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const queue = new Queue('inbound', { connection: redis, prefix: env.QUEUE_PREFIX ?? 'bench' });
const key = env.LARK_ENCRYPT_KEY ?? '';

const app = Fastify({ bodyLimit: 64 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/lark/events', async (request, reply) => {
  const raw = request.body as Buffer;
  const h = (name: string) => String(request.headers[name] ?? '');
  const nonce = h('x-lark-request-nonce');
  const expected = createHash('sha256')
    .update(h('x-lark-request-timestamp') + nonce + key)
    .update(raw)
    .digest();
  const given = Buffer.from(h('x-lark-signature'), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.code(401).send({});
  await pool.query('INSERT INTO bench_inbound (id, body) VALUES ($1, $2)', [nonce, raw.toString('utf8')]);
  await queue.add('inbound', { id: nonce }, { removeOnComplete: true });
  return {};
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
const stop = async () => {
  await app.close();
  await queue.close();
  redis.disconnect();
  await pool.end();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
process.send?.({ url });
