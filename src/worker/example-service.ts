import { join } from 'node:path';
import { execa } from 'execa';

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
