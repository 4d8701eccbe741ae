// `./app start|stop|status|logs [--since 2m]`: what the seed does with `docker compose start|stop|logs app`,
// for the example server (server.mjs) as a plain background process.
//
// Environment: LARK_SERVICE_STATE_DIR (pid and log files; default ./.run beside this file),
// LARK_SERVICE_URL (default http://127.0.0.1:8000), DATABASE_URL (passed through to the server),
// LARK_SERVICE_START_TIMEOUT_MS (default 15000), LARK_SERVICE_STOP_TIMEOUT_MS (default 10000).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const serverPath = join(here, 'server.mjs');
const stateDir = resolve(process.env.LARK_SERVICE_STATE_DIR || join(here, '.run'));
const pidFile = join(stateDir, 'app.pid');
const logFile = join(stateDir, 'app.log');
const baseUrl = (process.env.LARK_SERVICE_URL || 'http://127.0.0.1:8000').replace(/\/+$/, '');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const envMs = (name, fallback) => Number(process.env[name]) || fallback;

/** A process that exists and is not a zombie (a killed orphan stays a zombie where PID 1 does not reap). */
function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    if (existsSync('/proc/self/stat')) return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Guards against a recycled pid: the process must be our server (checked where /proc exists). */
function isServer(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(serverPath);
  } catch {
    return !existsSync('/proc/self/cmdline');
  }
}

function runningPid() {
  let pid;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  } catch {
    return null;
  }
  return Number.isInteger(pid) && pid > 0 && alive(pid) && isServer(pid) ? pid : null;
}

async function live(expectedPid) {
  try {
    const res = await fetch(`${baseUrl}/health/live`, { signal: AbortSignal.timeout(1000) });
    const body = await res.json();
    return res.ok && body.pid === expectedPid;
  } catch {
    return false;
  }
}

function lastLogLines(n) {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

async function start() {
  const existing = runningPid();
  if (existing) {
    console.log(`lark-service already running (pid ${existing}) at ${baseUrl}`);
    return 0;
  }
  mkdirSync(stateDir, { recursive: true });
  rmSync(pidFile, { force: true });
  const logFd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [serverPath], {
    cwd: here,
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: process.env,
  });
  closeSync(logFd);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = signal ?? `exit code ${code}`;
  });
  child.unref();
  writeFileSync(pidFile, `${child.pid}\n`);
  const deadline = Date.now() + envMs('LARK_SERVICE_START_TIMEOUT_MS', 15_000);
  while (Date.now() < deadline) {
    if (exited) break;
    if (await live(child.pid)) {
      console.log(`lark-service started (pid ${child.pid}) at ${baseUrl}`);
      return 0;
    }
    await sleep(100);
  }
  if (!exited) process.kill(child.pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
  console.error(`lark-service failed to start (${exited ?? 'not live in time'}); last log lines:`);
  console.error(lastLogLines(10));
  return 1;
}

async function stop() {
  const pid = runningPid();
  if (!pid) {
    rmSync(pidFile, { force: true });
    console.log('lark-service is not running');
    return 0;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + envMs('LARK_SERVICE_STOP_TIMEOUT_MS', 10_000);
  while (alive(pid) && Date.now() < deadline) await sleep(50);
  if (alive(pid)) {
    console.error(`pid ${pid} did not exit after SIGTERM; sending SIGKILL`);
    process.kill(pid, 'SIGKILL');
    const killDeadline = Date.now() + 5000;
    while (alive(pid) && Date.now() < killDeadline) await sleep(50);
  }
  rmSync(pidFile, { force: true });
  console.log(`lark-service stopped (pid ${pid})`);
  return 0;
}

function status() {
  const pid = runningPid();
  console.log(pid ? `running (pid ${pid}) at ${baseUrl}` : 'stopped');
  return pid ? 0 : 3;
}

/** `2m`, `90s`, `1h`, `500ms` → milliseconds. */
function parseDuration(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text ?? '');
  if (!m) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'];
  return Number(m[1]) * unit;
}

function logs(args) {
  let sinceMs = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = arg === '--since' ? args[++i] : arg.startsWith('--since=') ? arg.slice(8) : undefined;
    if (value === undefined) return usage(`unknown argument: ${arg}`);
    sinceMs = parseDuration(value);
    if (sinceMs === null) return usage(`bad duration: ${value} (use e.g. 30s, 2m, 1h)`);
  }
  if (!existsSync(logFile)) return 0;
  const cutoff = sinceMs === null ? Number.NEGATIVE_INFINITY : Date.now() - sinceMs;
  let keep = sinceMs === null;
  const out = [];
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (line === '') continue;
    const stamp = Date.parse(line.slice(0, line.indexOf(' ')));
    // A line without a timestamp (a stack trace, say) belongs with the line before it.
    if (!Number.isNaN(stamp)) keep = stamp >= cutoff;
    if (keep) out.push(line);
  }
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

function usage(error) {
  if (error) console.error(`app: ${error}`);
  console.error('usage: app start | stop | status | logs [--since 2m]');
  return 2;
}

const [command, ...rest] = process.argv.slice(2);
const commands = { start, stop, status, logs: () => logs(rest) };
const run = commands[command];
process.exitCode = run ? await run() : usage(command ? `unknown command: ${command}` : undefined);
