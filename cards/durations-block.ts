import { formatDuration } from './format.js';
import { fill, pick } from './i18n.js';
import type { I18nText, Locale, RunView } from './model.js';

/**
 * Measured durations (issue 14) as people read them: the approval card's expected duration and the seed's
 * reserve next to the RTO, and the summary's comparison with earlier runs. Pure; numbers only, no user text,
 * so the same lines serve markdown and plain text.
 */

const S = {
  expected: { 'zh-CN': '**预计用时**：{v}', 'en-US': '**Expected duration:** {v}' },
  medianOf: {
    'zh-CN': '{d}（最近 {n} 次成功执行的中位数）',
    'en-US': '{d} (median of the last {n} successful runs)',
  },
  lastOne: { 'zh-CN': '{d}（最近一次成功执行）', 'en-US': '{d} (the last successful run)' },
  noneYet: {
    'zh-CN': '未知：该目标上还没有此回滚流程成功执行的记录',
    'en-US': 'unknown: no successful run of this runbook on this target recorded yet',
  },
  noneButDrill: {
    'zh-CN': '还没有成功执行的记录，按最近一次演练估计',
    'en-US': 'no successful run recorded yet, so estimated from the last drill',
  },
  drill: { 'zh-CN': '最近一次演练 {d}', 'en-US': 'last drill {d}' },
  reserve: {
    'zh-CN': '**预留时间**（按手册预留 3 倍操作时间）：{r}',
    'en-US': '**Reserve** (3× the operation time, as the rollback guide asks): {r}',
  },
  reserveVsRto: { 'zh-CN': '{r}，RTO {rto}', 'en-US': '{r} against an RTO of {rto}' },
  overRto: { 'zh-CN': '⚠️ 超过 RTO', 'en-US': '⚠️ more than the RTO' },
  // Summary (plain text).
  compared: { 'zh-CN': '与以往比较：{v}', 'en-US': 'Compared with earlier runs: {v}' },
  tookVsMedian: {
    'zh-CN': '本次用时 {t}；最近 {n} 次成功执行的中位数 {d}（{diff}）',
    'en-US': 'took {t}; median of the last {n} successful runs: {d} ({diff})',
  },
  tookVsLast: {
    'zh-CN': '本次用时 {t}；上一次成功执行 {d}（{diff}）',
    'en-US': 'took {t}; the last successful run: {d} ({diff})',
  },
  tookNoneBefore: {
    'zh-CN': '本次用时 {t}；该目标上此回滚流程以前没有成功执行的记录，无从比较',
    'en-US': 'took {t}; no earlier successful run of this runbook on this target to compare with',
  },
  longer: { 'zh-CN': '慢 {d}', 'en-US': '{d} longer' },
  shorter: { 'zh-CN': '快 {d}', 'en-US': '{d} shorter' },
  same: { 'zh-CN': '基本持平', 'en-US': 'about the same' },
} as const satisfies Record<string, I18nText>;

const sep = (l: Locale) => (l === 'zh-CN' ? '；' : '; ');
const dur = (ms: number, l: Locale) => formatDuration(ms, l);

/** `**Expected duration:** …` and, when there is an estimate, `**Reserve** …` with the RTO; none for old runs. */
export function expectedLines(view: RunView, l: Locale): string[] {
  const e = view.durations;
  if (!e) return [];
  const drill =
    e.lastDrillMs !== undefined ? pick(fill(S.drill, { d: dur(e.lastDrillMs, l) }), l) : undefined;
  let v: string;
  if (e.medianMs !== undefined) {
    const of = e.successes === 1 ? S.lastOne : S.medianOf;
    v = pick(fill(of, { d: dur(e.medianMs, l), n: String(e.successes) }), l);
    if (drill) v += l === 'zh-CN' ? `；${drill}` : ` · ${drill}`;
  } else if (drill) {
    v = `${pick(S.noneButDrill, l)}${sep(l)}${drill}`;
  } else {
    v = pick(S.noneYet, l);
  }
  const lines = [pick(fill(S.expected, { v }), l)];
  if (e.reserveMs !== undefined) lines.push(reserveLine(e.reserveMs, view.rtoSeconds, l));
  return lines;
}

function reserveLine(reserveMs: number, rtoSeconds: number | undefined, l: Locale): string {
  const r = dur(reserveMs, l);
  if (rtoSeconds === undefined) return pick(fill(S.reserve, { r }), l);
  let v = pick(fill(S.reserveVsRto, { r, rto: dur(rtoSeconds * 1000, l) }), l);
  if (reserveMs > rtoSeconds * 1000) v += ` ${pick(S.overRto, l)}`;
  return pick(fill(S.reserve, { r: v }), l);
}

function difference(diffMs: number, l: Locale): string {
  // Under a tenth of a second is what the display rounds away: say so rather than "+0.0s".
  if (Math.abs(diffMs) < 100) return pick(S.same, l);
  return pick(fill(diffMs > 0 ? S.longer : S.shorter, { d: dur(Math.abs(diffMs), l) }), l);
}

/**
 * `Compared with earlier runs: took 42.0s; median of the last 5 successful runs: 40.0s (2.0s longer)`, for a
 * run that ran (`totalMs`); undefined for a run with no measurement (older runs, or one that never started).
 */
export function comparisonLine(view: RunView, totalMs: number | undefined, l: Locale): string | undefined {
  const e = view.durations;
  if (!e || totalMs === undefined || !Number.isFinite(totalMs)) return undefined;
  const t = dur(totalMs, l);
  let v: string;
  if (e.medianMs === undefined) {
    v = pick(fill(S.tookNoneBefore, { t }), l);
  } else {
    const of = e.successes === 1 ? S.tookVsLast : S.tookVsMedian;
    const d = dur(e.medianMs, l);
    v = pick(fill(of, { t, d, n: String(e.successes), diff: difference(totalMs - e.medianMs, l) }), l);
  }
  if (e.lastDrillMs !== undefined) v += `${sep(l)}${pick(fill(S.drill, { d: dur(e.lastDrillMs, l) }), l)}`;
  return pick(fill(S.compared, { v }), l);
}
