// The budgets of DESIGN.md ("Budgets"), measured and printed: `npm run bench`, or one part:
// `npx tsx bench/run.ts notcmd|command|card|click|approve|drill|pools|emergency`. Benchmarks, not tests: nothing asserts.
import { cpus, loadavg } from 'node:os';
import { removeTempDirs } from './lib/scratch.js';
import { type Row, table } from './lib/stats.js';
import { approve } from './parts/approve.js';
import { commandToCard } from './parts/card.js';
import { click } from './parts/click.js';
import { command } from './parts/command.js';
import { drill } from './parts/drill.js';
import { emergency } from './parts/emergency.js';
import { notCommand } from './parts/notcmd.js';
import { pools } from './parts/pools.js';

const PARTS: Record<string, () => Promise<Row[]>> = {
  notcmd: notCommand,
  command,
  card: commandToCard,
  click,
  approve,
  drill,
  pools,
  emergency,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((p) => !(p in PARTS));
if (unknown.length) {
  console.error(`unknown part(s) ${unknown.join(', ')}; choose from ${Object.keys(PARTS).join(', ')}`);
  process.exit(2);
}
const names = wanted.length ? wanted : Object.keys(PARTS);
console.log(
  `# rollback-bot bench — ${new Date().toISOString()} — ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}`,
);
const started = performance.now();
const rows: Row[] = [];
for (const name of names) {
  const t0 = performance.now();
  console.log(
    `\n(load average before ${name}: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')})`,
  );
  const part = PARTS[name];
  if (!part) continue;
  try {
    rows.push(...(await part()));
  } catch (error) {
    console.error(`part ${name} failed:`, error);
    rows.push({
      part: name,
      measure: 'failed',
      figure: String((error as Error).message).slice(0, 80),
      budget: '',
      within: '',
    });
  }
  console.log(`  (${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
removeTempDirs();
console.log(`\n## Summary (${((performance.now() - started) / 1000).toFixed(0)} s in all)\n`);
console.log(table(rows));
process.exit(0);
