import { loadConfigOf } from '../config/env.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import { checkRunbooksDir } from '../runbooks/check.js';
import { exportRun } from '../runs/export.js';
import { SERVER_SHUTDOWN_BOUND_MS, startServer } from '../server/server.js';
import { withinMs } from '../util/within.js';
import { shutdownBoundMs, startWorker } from '../worker/runtime.js';
import { buildContext } from './context.js';
import { EXPORT_USAGE, parseExportArgs } from './export-args.js';
import { onShutdown } from './signals.js';

export const USAGE = `usage: rollback-bot <command>
  migrate                        apply the bot's database migrations (DATABASE_URL)
  server                         the HTTP server: Lark events and card callbacks, health, metrics
  worker [--pools a,b]           the BullMQ worker: executes runs (of its runner pools; default WORKER_POOLS),
                                 delivers messages to Lark, expires requests
  sandbox [--port 4000]          a local Lark (Open API + web chat) for trying the bot without a tenant
  demo                           everything at once against local Postgres and Redis (npm run demo)
  runbooks check [dir]           validate runbooks and targets (default RUNBOOKS_DIR or ./runbooks)
  export <run> [--format md|json|csv]   print a run's timeline for the post-mortem
  check <kind> [...]             a runbook check (used by runbook steps)`;

export async function runCommand(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'migrate': {
      const config = loadConfigOf(['DATABASE_URL']);
      const pool = createPool(config.DATABASE_URL, 1);
      const applied = await migrate(pool);
      await pool.end();
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'up to date\n');
      return 0;
    }
    case 'server': {
      const ctx = buildContext();
      const server = await startServer(ctx);
      ctx.log.info({ url: server.url }, 'rollback-bot server listening');
      onShutdown(
        ctx.log,
        async () => {
          await server.close();
          await withinMs(ctx.pool.end(), 1000);
        },
        SERVER_SHUTDOWN_BOUND_MS,
      );
      return undefined;
    }
    case 'worker': {
      const ctx = buildContext();
      const pools = poolsArg(rest);
      const worker = await startWorker(ctx, pools ? { pools } : {});
      ctx.log.info(
        { prefix: ctx.config.QUEUE_PREFIX, pools: pools ?? ctx.config.WORKER_POOLS },
        'rollback-bot worker started',
      );
      onShutdown(
        ctx.log,
        async () => {
          await worker.close();
          // A delivery still retrying holds a client: the pool would wait for it.
          await withinMs(ctx.pool.end(), 1000);
        },
        shutdownBoundMs(ctx.config.SHUTDOWN_DEADLINE_MS),
      );
      return undefined;
    }
    case 'runbooks': {
      if (rest[0] !== 'check') break;
      const dir = rest[1] ?? process.env.RUNBOOKS_DIR ?? './runbooks';
      const result = checkRunbooksDir(dir, process.env);
      (result.ok ? process.stdout : process.stderr).write(`${result.messages.join('\n')}\n`);
      return result.ok ? 0 : 1;
    }
    case 'export': {
      const parsed = parseExportArgs(rest);
      if ('error' in parsed) {
        process.stderr.write(`rollback-bot export: ${parsed.error}\n${EXPORT_USAGE}\n`);
        return 2;
      }
      const { runId, format } = parsed;
      const config = loadConfigOf(['DATABASE_URL', 'TIMEZONE']);
      const pool = createPool(config.DATABASE_URL, 1);
      try {
        const text = await exportRun(pool, runId, format, undefined, config.TIMEZONE);
        if (typeof text !== 'string') {
          process.stderr.write(`${text['en-US']}\n`);
          return 1;
        }
        process.stdout.write(text);
        return 0;
      } finally {
        await pool.end();
      }
    }
    case 'sandbox': {
      const { runSandboxCommand } = await import('./sandbox-command.js');
      return runSandboxCommand(rest);
    }
    case 'demo': {
      const { runDemo } = await import('./demo.js');
      return runDemo(rest);
    }
    case 'check': {
      const { runCheck } = await import('../checks/main.js');
      return runCheck(rest, process.env);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

/** `--pools a,b` or `--pools=a,b`: the runner pools of this worker, overriding WORKER_POOLS. */
function poolsArg(args: string[]): string[] | undefined {
  const at = args.findIndex((a) => a === '--pools' || a.startsWith('--pools='));
  if (at < 0) return undefined;
  const arg = args[at] ?? '';
  const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (args[at + 1] ?? '');
  const pools = value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const bad = pools.filter((p) => !/^[a-z][a-z0-9-]{0,39}$/.test(p));
  if (pools.length === 0 || bad.length > 0) {
    throw new Error(
      `--pools needs pool names (lowercase letters, digits and -), got ${JSON.stringify(value)}`,
    );
  }
  return pools;
}
