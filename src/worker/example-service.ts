import { join } from 'node:path';
import { execa } from 'execa';
import { botCheckArgv } from '../runbooks/bot-argv.js';

/**
 * The example lark-service for the demo: migrate its database to head and start/stop its app, through the
 * same programs the runbooks use (alembic, examples/lark-service/app). argv only, never a shell.
 */
export interface ExampleService {
  root: string;
  env: Record<string, string>;
}

async function run(service: ExampleService, file: string, args: string[], cwd: string): Promise<void> {
  const result = await execa(file, args, {
    cwd,
    env: service.env,
    extendEnv: false,
    reject: false,
    all: true,
    timeout: 60_000,
  });
  if (result.exitCode === undefined) {
    // It never ran (e.g. not on PATH): say so instead of "exited undefined".
    throw new Error(
      `${[file, ...args].join(' ')} could not start: ${result.originalMessage || result.shortMessage}`,
    );
  }
  if (result.exitCode !== 0) {
    throw new Error(
      `${[file, ...args].join(' ')} exited ${result.exitCode}: ${String(result.all ?? '').slice(-800)}`,
    );
  }
}

export async function migrateExample(service: ExampleService): Promise<void> {
  await run(service, 'alembic', ['upgrade', 'head'], join(service.root, 'examples/lark-service'));
}

export async function startExampleApp(service: ExampleService): Promise<void> {
  await run(service, join(service.root, 'examples/lark-service/app'), ['start'], service.root);
}

export async function stopExampleApp(service: ExampleService): Promise<void> {
  await run(service, join(service.root, 'examples/lark-service/app'), ['stop'], service.root);
}

/** A `lark-service_before_downgrade_*` backup, as /rollback precheck takes, so `restore=yes` has one to use. */
export async function backupExample(service: ExampleService, dir: string): Promise<void> {
  const check = botCheckArgv();
  const [node = process.execPath, ...args] = check;
  await run(
    service,
    node,
    [...args, 'backup-create', '--dir', dir, '--prefix', 'lark-service_before_downgrade'],
    service.root,
  );
}
