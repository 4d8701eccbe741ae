import { CheckFailure, type FlagSpec, type Parsed, parseFlags, UsageError } from './args.js';
import { backupCheck, backupCreateCheck, restoreCheck } from './backup.js';
import { type CheckIO, type Ctx, createCtx, errorText } from './context.js';
import { dbConnectionsCheck } from './db-connections.js';
import { healthCheck } from './health.js';
import { impactCheck } from './impact.js';
import { latencyCheck } from './latency.js';
import { logsCheck } from './logs.js';
import { type CheckSaid, formatResultLine, RESULT_LINE_ENV, said, toResult } from './result.js';
import { previewCheck, revisionCheck } from './revision.js';
import { schemaCheck, stampGuardCheck } from './schema.js';
import { drillRowCheck, rowsCheck, tableCheck } from './tables.js';

/**
 * The automatic checks of the seed's checklist, as one program a runbook step runs:
 * `rollback-bot check <kind> [--flags]` (or `node --import tsx src/checks/main.ts <kind> …` in development).
 * Exit 0 with a one-line summary on stdout; exit 1 with the reason on stderr; exit 2 on bad usage.
 * DATABASE_URL comes from the environment (the target's `env`) and is never printed.
 */

interface Kind {
  flags: FlagSpec;
  usage: string;
  rest?: boolean;
  run(ctx: Ctx, flags: Parsed): Promise<CheckSaid>;
}

const ALEMBIC_DIR = { 'alembic-dir': 'string' } as const;

export const KINDS: Record<string, Kind> = {
  revision: {
    flags: { expect: 'string', record: 'string', since: 'string', ...ALEMBIC_DIR },
    usage: 'revision [--expect base|head|<rev>|-N [--since <file>]] [--record <file>] [--alembic-dir d]',
    run: revisionCheck,
  },
  preview: {
    flags: { to: 'string', ...ALEMBIC_DIR },
    usage: 'preview [--to -1|base|<rev>] [--alembic-dir d]',
    run: previewCheck,
  },
  table: {
    flags: { name: 'strings', exists: 'boolean', absent: 'boolean' },
    usage: 'table [--name <t>… --exists|--absent]   (no --name: list the tables and alembic_version)',
    run: tableCheck,
  },
  rows: {
    flags: { table: 'string', where: 'strings', min: 'string', max: 'string', equals: 'string' },
    usage: 'rows --table <t> [--where col=value]… [--min N] [--max N] [--equals N]',
    run: rowsCheck,
  },
  schema: { flags: { ...ALEMBIC_DIR }, usage: 'schema [--alembic-dir d]', run: schemaCheck },
  backup: {
    flags: {
      dir: 'string',
      file: 'string',
      prefix: 'string',
      exclude: 'strings',
      'max-age': 'string',
      'min-bytes': 'string',
      quick: 'boolean',
      info: 'boolean',
    },
    usage:
      'backup --dir <d> [--file <name|latest>] [--prefix p] [--exclude p]… [--max-age 24h] [--min-bytes 1024] [--quick] [--info]',
    run: backupCheck,
  },
  'backup-create': {
    flags: { dir: 'string', prefix: 'string', quick: 'boolean' },
    usage: 'backup-create --dir <d> --prefix <p> [--quick]',
    run: backupCreateCheck,
  },
  restore: {
    flags: {
      file: 'string',
      latest: 'boolean',
      dir: 'string',
      prefix: 'string',
      exclude: 'strings',
      quick: 'boolean',
    },
    usage: 'restore (--file <name|path|latest> | --latest) [--dir d] [--prefix p] [--exclude p]… [--quick]',
    run: restoreCheck,
  },
  health: {
    flags: { url: 'string', attempts: 'string', every: 'string', timeout: 'string' },
    usage: 'health --url <u> [--attempts 10] [--every 3s] [--timeout 2s]',
    run: healthCheck,
  },
  logs: {
    flags: { for: 'string', 'fail-on': 'strings', every: 'string', since: 'string', cwd: 'string' },
    usage: 'logs --for 60s [--fail-on ERROR]… [--every 5s] [--since 0s] [--cwd d] -- <logs command…>',
    rest: true,
    run: logsCheck,
  },
  'stamp-guard': {
    flags: { table: 'strings', ...ALEMBIC_DIR },
    usage: 'stamp-guard [--table t]… [--alembic-dir d]',
    run: stampGuardCheck,
  },
  impact: {
    flags: { max: 'string', ...ALEMBIC_DIR },
    usage: 'impact [--alembic-dir d] [--max 30]   (every revision: what its downgrade drops, rows held now)',
    run: impactCheck,
  },
  'drill-row': {
    flags: { insert: 'boolean', 'expect-present': 'boolean', 'expect-absent': 'boolean', 'app-id': 'string' },
    usage: 'drill-row --insert|--expect-present|--expect-absent [--app-id test_app]',
    run: drillRowCheck,
  },
  latency: {
    flags: { url: 'string', requests: 'string', p95: 'string', timeout: 'string', within: 'string' },
    usage: 'latency --url <u> [--requests 20] [--p95 500ms] [--timeout 2s] [--within 60s]',
    run: latencyCheck,
  },
  'db-connections': {
    flags: { 'max-used': 'string', 'idle-in-transaction': 'string', app: 'string', 'app-min': 'string' },
    usage:
      'db-connections [--max-used 90%|N] [--idle-in-transaction 60s] [--app <application_name> [--app-min 1]]',
    run: dbConnectionsCheck,
  },
};

/**
 * Every kind also takes these (kept for old runbooks; a step's `when` is the way now): the check then reports
 * `skipped` on its result line, and the worker ends the step `skipped`.
 */
const CONDITIONS: FlagSpec = { 'only-if': 'string', unless: 'string' };
const YES = new Set(['yes', 'true', '1']);
const NO = new Set(['no', 'false', '0']);

function yesNo(flags: Parsed, name: string): boolean | undefined {
  const value = flags.strings.get(name);
  if (value === undefined) return undefined;
  if (YES.has(value.toLowerCase())) return true;
  if (NO.has(value.toLowerCase())) return false;
  throw new UsageError(`--${name}: yes or no, got ${JSON.stringify(value)}`);
}

/** Why the check is skipped, or undefined when it runs: `--only-if no` and `--unless yes` skip it. */
function skipReason(flags: Parsed) {
  const onlyIf = yesNo(flags, 'only-if');
  const unless = yesNo(flags, 'unless');
  const value = (name: string) => flags.strings.get(name) ?? '';
  if (onlyIf === false)
    return said(`已跳过（--only-if ${value('only-if')}）`, `skipped (--only-if ${value('only-if')})`);
  if (unless === true)
    return said(`已跳过（--unless ${value('unless')}）`, `skipped (--unless ${value('unless')})`);
  return undefined;
}

export function usageText(): string {
  return [
    'usage: check <kind> [--flags] [--only-if yes|no] [--unless yes|no]',
    ...Object.values(KINDS).map((k) => `  ${k.usage}`),
  ].join('\n');
}

/** Run one check; resolves to the exit code (0 passed, 1 failed, 2 bad usage). Never throws. */
export async function runCheck(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: CheckIO = {},
): Promise<number> {
  const ctx = createCtx(env, io);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === 'help') {
    ctx.err(usageText());
    return 2;
  }
  const kind = Object.hasOwn(KINDS, name) ? KINDS[name] : undefined;
  if (!kind) {
    ctx.err(`check: unknown kind ${JSON.stringify(name)}`);
    ctx.err(usageText());
    return 2;
  }
  try {
    const flags = parseFlags(rest, { ...kind.flags, ...CONDITIONS }, kind.rest ?? false);
    const skipped = skipReason(flags);
    const result = skipped ? { text: skipped, skipped: true } : toResult(await kind.run(ctx, flags));
    ctx.out(`${name}: ${result.text['en-US']}`);
    if (env[RESULT_LINE_ENV] === '1') ctx.out(formatResultLine(result));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.err(`${name}: ${error.message}`);
      ctx.err(`usage: check ${kind.usage}`);
      return 2;
    }
    ctx.err(`${name}: ${error instanceof CheckFailure ? error.message : `error: ${errorText(error)}`}`);
    return 1;
  }
}
