import { type CardElement, card, HR, type LarkCard } from './elements.js';
import { codeSpan } from './escape.js';
import { fitCard } from './fit-card.js';
import { formatDateTimeZoned } from './format.js';
import { fill, localize, markdown, pick } from './i18n.js';
import type { DropGroup, ImpactRevision, ImpactView, TableRows } from './impact-model.js';
import { IMPACT_UI as UI } from './impact-strings.js';
import type { Detail } from './limits.js';
import type { I18nText, Locale, RenderOptions } from './model.js';
import { limited, md } from './view-parts.js';

/**
 * The answer to `/rollback impact [target]`: the seed's "迁移版本" table (every revision, its message, date,
 * state and what its rollback drops) and its "回滚影响分析" (per revision: the drops in order, the rows those
 * tables hold now). A database that cannot be reached gets a card that says so and nothing else. Pure.
 */
export function buildImpactCard(view: ImpactView, opts: RenderOptions): LarkCard {
  return fitCard((detail) => render(view, opts, detail));
}

const t = (l: Locale, text: I18nText, vars: Record<string, string> = {}) => pick(fill(text, vars), l);

function render(view: ImpactView, opts: RenderOptions, d: Detail): LarkCard {
  const target = md(view.targetId, d);
  const elements: CardElement[] = [];
  const say = (build: (l: Locale) => string) => elements.push(markdown(localize(build), opts.locale));
  if (view.outcome !== 'ok') {
    // Tool output, shown as is (a code span when it is safe in one, escaped otherwise).
    const reason = codeSpan(truncate(view.reason ?? '?', d.textChars * 2));
    const text = { unreachable: UI.unreachable, no_alembic: UI.noAlembic, failed: UI.failed }[view.outcome];
    say((l) => `${t(l, text, { target, reason })}\n${t(l, UI.retry, { target })}`);
    return finish(view, d, elements, opts.locale, view.outcome === 'no_alembic' ? 'grey' : 'red');
  }
  const revisions = view.revisions ?? [];
  say((l) =>
    [
      t(l, UI.target, { v: target }),
      t(l, UI.current, { v: currentText(view, l) }),
      t(l, UI.at, { v: formatDateTimeZoned(view.at, opts.timezone) }),
    ].join('\n'),
  );
  elements.push(HR);
  say((l) => versionsTable(revisions, d, l));
  elements.push(HR);
  say((l) => pick(UI.analysisHeading, l));
  const { shown, hidden } = limited(revisions, d.maxItems);
  for (const revision of shown) say((l) => analysis(revision, d, l));
  if (hidden > 0) say((l) => t(l, UI.moreRevisions, { n: String(hidden) }));
  say((l) =>
    [...(view.omitted ? [t(l, UI.omitted, { n: String(view.omitted) })] : []), pick(UI.footnote, l)].join(
      '\n',
    ),
  );
  return finish(view, d, elements, opts.locale, 'blue');
}

function finish(
  view: ImpactView,
  d: Detail,
  elements: CardElement[],
  locale: Locale,
  template: 'blue' | 'red' | 'grey',
): LarkCard {
  const target = truncate(view.targetId, d.textChars);
  return card(
    {
      title: UI.title,
      subtitle: fill(UI.subtitle, { target }),
      template,
      preview: fill(UI.preview, { target }),
      elements,
    },
    locale,
  );
}

const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function currentText(view: ImpactView, l: Locale): string {
  if (view.current === null) return pick(UI.noVersionTable, l);
  if (!view.current || view.current.length === 0) return pick(UI.currentBase, l);
  return view.current.map(codeSpan).join(', ');
}

function stateOf(r: ImpactRevision, l: Locale): string {
  return pick(r.current ? UI.stateCurrent : r.applied ? UI.stateApplied : UI.statePending, l);
}

function countOf(groups: DropGroup[], kind: DropGroup['kind']): number {
  return new Set(groups.filter((g) => g.kind === kind).flatMap((g) => g.names)).size;
}

/** `删除 3 张表、6 个索引` / `drops 3 tables, 6 indexes`. */
function dropSummary(r: ImpactRevision, l: Locale): string {
  if (r.error !== undefined) return pick(UI.noSql, l);
  const parts: string[] = [];
  const add = (n: number, one: I18nText, many: I18nText) => {
    if (n > 0) parts.push(t(l, n === 1 ? one : many, { n: String(n) }));
  };
  add(countOf(r.drops, 'table'), UI.countTable, UI.countTables);
  add(countOf(r.drops, 'index'), UI.countIndex, UI.countIndexes);
  add(countOf(r.drops, 'column'), UI.countColumn, UI.countColumns);
  if (parts.length === 0) return pick(UI.dropsNothing, l);
  return t(l, UI.drops, { v: parts.join(pick(UI.listJoin, l)) });
}

function versionsTable(revisions: readonly ImpactRevision[], d: Detail, l: Locale): string {
  // Newest first: what a rollback meets first stays when a long history must be cut to fit.
  const { shown, hidden } = limited(revisions, d.maxItems * 2);
  const rows = shown.map((r) => {
    const cells = [
      codeSpan(r.id),
      md(r.message, d),
      r.date ?? pick(UI.noDate, l),
      stateOf(r, l),
      dropSummary(r, l),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  const more = hidden > 0 ? [t(l, UI.moreRevisions, { n: String(hidden) })] : [];
  const header = [pick(UI.versionsHeading, l), pick(UI.versionsHeader, l), '|---|---|---|---|---|'];
  return [...header, ...rows, ...more].join('\n');
}

/** A table, index or column name: a code span (identifiers read best as code), clipped for display only. */
const ident = (name: string, d: Detail) => codeSpan(truncate(name, d.textChars));
const names = (list: string[], d: Detail, l: Locale) =>
  list.map((n) => ident(n, d)).join(pick(UI.listJoin, l));

function rowsText(row: TableRows, l: Locale): string {
  if (row.rows === null) return pick(UI.rowsAbsent, l);
  const n = row.rows.toLocaleString('en-US');
  return row.approx ? t(l, UI.rowsAbout, { n }) : n;
}

function analysis(r: ImpactRevision, d: Detail, l: Locale): string {
  const heading = r.message ? UI.revisionHeading : UI.revisionHeadingBare;
  const lines = [t(l, heading, { id: codeSpan(r.id), message: md(r.message, d) })];
  if (!r.applied) return [...lines, pick(UI.notApplied, l)].join('\n');
  if (r.error !== undefined) return [...lines, t(l, UI.sqlFailed, { v: md(r.error, d) })].join('\n');
  if (r.drops.length === 0) return [...lines, pick(UI.noOperations, l)].join('\n');
  lines.push(pick(UI.operations, l));
  const verb = {
    index: [UI.dropIndex, UI.dropIndexes],
    table: [UI.dropTable, UI.dropTables],
    column: [UI.dropColumn, UI.dropColumns],
  } as const;
  r.drops.forEach((g, i) => {
    const [one, many] = verb[g.kind];
    lines.push(`${i + 1}. ${t(l, g.names.length === 1 ? one : many, { v: names(g.names, d, l) })}`);
  });
  if (r.rows.length === 0) return lines.join('\n');
  lines.push(pick(UI.dataHeading, l), pick(UI.rowsHeader, l), '|---|---|');
  for (const row of r.rows) lines.push(`| ${ident(row.table, d)} | ${rowsText(row, l)} |`);
  const total = r.rows.reduce((sum, row) => sum + (row.rows ?? 0), 0);
  lines.push(
    total > 0
      ? t(l, total === 1 ? UI.losesOne : UI.loses, { n: total.toLocaleString('en-US') })
      : pick(UI.losesNothing, l),
  );
  return lines.join('\n');
}

/** The approval card's pointer to this analysis (issue 14): the command, whole, for the run's target. */
export function impactHint(targetId: string): I18nText {
  return fill(UI.approvalHint, { command: codeSpan(`/rollback impact ${targetId}`) });
}
