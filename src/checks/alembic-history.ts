import type { DropGroup } from '../../cards/impact-model.js';
import { bareName, IDENT } from './alembic.js';

/** What `alembic history --verbose` says of one revision (alembic 1.8's layout, read as text). */
export interface HistoryEntry {
  id: string;
  parents: string[];
  head: boolean;
  message: string;
  /** `YYYY-MM-DD` of the script's `Create Date`, when it has one. */
  date?: string;
}

const REV = /^Rev:\s+([0-9A-Za-z_]+)((?:\s+\([^)]*\))*)\s*$/;

/**
 * The revisions of `alembic history --verbose`, newest first (alembic's order). `Parent: <base>` means none;
 * a merge lists its parents on `Merges:`. The message is the docstring's first line; the date is taken from
 * its `Create Date:` line (alembic's script template writes one).
 */
export function parseVerboseHistory(stdout: string): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  let entry: HistoryEntry | undefined;
  let inDoc = false;
  for (const raw of stdout.split('\n')) {
    const line = raw.trimEnd();
    const rev = REV.exec(line);
    if (rev?.[1]) {
      entry = { id: rev[1], parents: [], head: /\(head\)/.test(rev[2] ?? ''), message: '' };
      entries.push(entry);
      inDoc = false;
      continue;
    }
    if (!entry) continue;
    const parents = /^(?:Parent|Merges):\s+(.*)$/.exec(line);
    if (parents && !inDoc) {
      entry.parents = (parents[1] ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '' && p !== '<base>');
      continue;
    }
    if (/^(?:Path|Branches into|Branch names):/.test(line)) continue;
    if (line === '') {
      if (entry.message !== '' || inDoc) inDoc = true;
      continue;
    }
    if (/^\s/.test(raw)) {
      inDoc = true;
      const text = line.trim();
      const date = /^Create Date:\s+(\d{4}-\d{2}-\d{2})/.exec(text);
      if (date?.[1]) entry.date = date[1];
      else if (entry.message === '') entry.message = text;
    }
  }
  return entries;
}

const DROP = new RegExp(
  [
    String.raw`\bDROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?${IDENT}`,
    String.raw`\bDROP\s+INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?${IDENT}`,
    String.raw`\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?${IDENT}\s+DROP\s+(?:COLUMN\s+)?(?!CONSTRAINT\b)(?:IF\s+EXISTS\s+)?${IDENT}`,
  ].join('|'),
  'gi',
);

/**
 * What an offline downgrade script drops, in order, consecutive drops of one kind grouped: the seed's
 * "删除索引 a, b → 删除表 t → …". alembic's own version table is left out.
 */
export function orderedDrops(sql: string): DropGroup[] {
  const groups: DropGroup[] = [];
  const add = (kind: DropGroup['kind'], name: string) => {
    const last = groups[groups.length - 1];
    if (last?.kind === kind) {
      if (!last.names.includes(name)) last.names.push(name);
    } else groups.push({ kind, names: [name] });
  };
  for (const m of sql.matchAll(DROP)) {
    const [, table, index, alterTable, column] = m;
    if (table && bareName(table) !== 'alembic_version') add('table', bareName(table));
    else if (index) add('index', bareName(index));
    else if (alterTable && column) add('column', `${bareName(alterTable)}.${bareName(column)}`);
  }
  return groups;
}

/** The revisions at or below `current` (what a downgrade to base would undo), following every parent. */
export function appliedRevisions(entries: readonly HistoryEntry[], current: readonly string[]): Set<string> {
  const parents = new Map(entries.map((e) => [e.id, e.parents]));
  const applied = new Set<string>();
  const stack = [...current];
  while (stack.length > 0) {
    const id = stack.pop() ?? '';
    if (applied.has(id)) continue;
    applied.add(id);
    stack.push(...(parents.get(id) ?? []));
  }
  return applied;
}
