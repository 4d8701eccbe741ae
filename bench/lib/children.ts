import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

export interface ServerChild {
  url: string;
  hostPort: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Start bench/servers/<name>.ts in its own Node process (through tsx, like `npm run bot`), with `env` as its
 * whole environment plus PATH/HOME; resolves with its URL once it listens. Output goes to /dev/null except
 * errors (the bot logs to stdout as in production; /dev/null costs it what a pipe to a collector would, or less).
 */
export async function startServerChild(name: string, env: Record<string, string>): Promise<ServerChild> {
  const child: ChildProcess = fork(join(import.meta.dirname, '..', 'servers', `${name}.ts`), [], {
    // BENCH_CPU_PROF=<dir>: V8 CPU profiles of the servers under test (open in Chrome DevTools).
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    ],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} server did not start in 30 s`)), 30_000);
    child.once('message', (m: { url?: string }) => {
      clearTimeout(timer);
      if (m.url) resolve(m.url);
      else reject(new Error(`${name} server sent ${JSON.stringify(m)}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} server exited with ${code} before listening`));
    });
  });
  return {
    url,
    hostPort: new URL(url).host,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
