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

/** The release the example app's code runs on: the guide's one migration. */
export const APP_REVISION = '6fc3f28b87c8';

/**
 * Migrate to the app's release (not head: with release.ini, head is the later, bad release). The downgrade
 * undoes a bad release left applied by an earlier demo, so every start begins healthy; at the release it is a no-op.
 */
export async function migrateExample(service: ExampleService): Promise<void> {
  const dir = join(service.root, 'examples/lark-service');
  await run(service, 'alembic', ['upgrade', APP_REVISION], dir);
  await run(service, 'alembic', ['downgrade', APP_REVISION], dir);
}

/**
 * The demo's "simulate a bad release": `alembic upgrade head` with the target's alembic config (release.ini), so
 * migration 9d4b2e7c1a35 renames a column the running app reads and its health check fails. Scenario 3.
 */
export async function releaseBadMigration(service: ExampleService): Promise<string> {
  await run(service, 'alembic', ['upgrade', 'head'], join(service.root, 'examples/lark-service'));
  return 'alembic upgrade head: 6fc3f28b87c8 → 9d4b2e7c1a35 (user_auth_sessions.state renamed)';
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
