/** Percentiles and formatting for the printed figures. Nearest-rank percentiles over the raw samples. */

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

export const median = (samples: readonly number[]): number => summarize(samples).p50;

/** 12.3 ms, 0.42 ms, 1234 ms */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 100) return `${value.toFixed(0)} ms`;
  if (Math.abs(value) >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function line(label: string, s: Summary, extra = ''): string {
  return `  ${label.padEnd(50)} n=${String(s.n).padStart(4)}  p50 ${ms(s.p50).padStart(9)}  p95 ${ms(s.p95).padStart(9)}  p99 ${ms(s.p99).padStart(9)}  max ${ms(s.max).padStart(9)}${extra}`;
}

export const rps = (value: number): string => `${Math.round(value).toLocaleString('en-US')} req/s`;
export const pct = (value: number): string => `${(value * 100).toFixed(0)} %`;

/** One row of the closing summary table. */
export interface Row {
  part: string;
  measure: string;
  figure: string;
  budget: string;
  /** 'yes' | 'no' | '' (no budget for this row) */
  within: string;
}

export function table(rows: readonly Row[]): string {
  const head: Row = {
    part: 'part',
    measure: 'measure',
    figure: 'figure',
    budget: 'budget',
    within: 'within',
  };
  const all = [head, ...rows];
  const width = (k: keyof Row) => Math.max(...all.map((r) => r[k].length));
  const keys: (keyof Row)[] = ['part', 'measure', 'figure', 'budget', 'within'];
  const fmt = (r: Row) => keys.map((k) => r[k].padEnd(width(k))).join(' | ');
  const rule = keys.map((k) => '-'.repeat(width(k))).join('-|-');
  return [fmt(head), rule, ...rows.map(fmt)].join('\n');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
