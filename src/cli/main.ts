#!/usr/bin/env node
import { ConfigError } from '../config/env.js';
import { RunbookError } from '../runbooks/errors.js';
import { runCommand } from './commands.js';
import { loadDotEnv } from './dotenv.js';

/**
 * `rollback-bot <command>`: see usage in commands.ts. Errors a person can fix are one clear line, exit 2.
 * `.env` fills in what the environment lacks, except for the demo (its own settings) and runbook checks
 * (they see only what their step passes them).
 */
const argv = process.argv.slice(2);
const start = async () => {
  if (argv[0] !== 'demo' && argv[0] !== 'check') loadDotEnv();
  return runCommand(argv);
};
start().then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof RunbookError) {
      process.stderr.write(`rollback-bot: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`rollback-bot: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
