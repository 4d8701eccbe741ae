/** Chinese wording shared by the checks' bilingual results (the English lives next to each check). */

/** `a、b 和 c`; `（无）` when empty. */
export function listZh(names: Iterable<string>): string {
  const all = [...names];
  if (all.length === 0) return '（无）';
  if (all.length === 1) return all[0] ?? '';
  return `${all.slice(0, -1).join('、')} 和 ${all[all.length - 1]}`;
}

/** describeVersion (db-state.ts) in Chinese. */
export function describeVersionZh(rows: string[] | null): string {
  if (rows === null) return '没有 alembic_version 表';
  if (rows.length === 0) return 'alembic_version 为空';
  return `alembic_version = ${rows.join(', ')}`;
}
