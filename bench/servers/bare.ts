// The reference: a bare Fastify POST route on the same machine, answering {} to the same bytes the bot gets.
import Fastify from 'fastify';

const app = Fastify();
app.post('/lark/events', async () => ({}));
const url = await app.listen({ port: 0, host: '127.0.0.1' });
const stop = async () => {
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
process.send?.({ url });
