// The bot's HTTP server alone (no worker), in its own process, configured from the environment exactly like
// `rollback-bot server`; tells the parent its URL over IPC and stops when the parent disconnects or SIGTERM.
import { buildContext } from '../../src/cli/context.js';
import { startServer } from '../../src/server/server.js';

const ctx = buildContext();
const server = await startServer(ctx, { port: 0, host: '127.0.0.1' });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  await ctx.pool.end();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
process.send?.({ url: server.url });
