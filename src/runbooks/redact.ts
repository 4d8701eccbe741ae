import type { Target } from './types.js';

/**
 * Redaction at the boundary (DESIGN invariant 8): every configured secret, and any URL's password, becomes
 * `***` before text reaches a card, a thread reply, a log line or the database.
 */

export type Redactor = (text: string) => string;

/** Shorter values are not redacted: `***` for every "1" or "ab" in an output would only destroy it. */
export const MIN_SECRET_LENGTH = 4;
export const MASK = '***';

/** `scheme://user:password@`; the password runs to the last `@` before the path, so `p@ss` is caught whole. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>]*:)([^\s/"'<>]+)(@)/gi;

export function createRedactor(secrets: readonly string[]): Redactor {
  const list = [...new Set(secrets)]
    .filter((s) => s.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  // A lookahead finds every start position, so overlapping secrets ("abcdef", "cdefgh") are both covered; the
  // alternation is longest first, so at each position the longest secret wins.
  const finder = list.length > 0 ? new RegExp(`(?=(${list.map(escapeRegExp).join('|')}))`, 'g') : undefined;
  return (text) => {
    const masked = finder ? maskSpans(text, finder) : text;
    return masked.replace(URL_PASSWORD, `$1${MASK}$3`);
  };
}

function maskSpans(text: string, finder: RegExp): string {
  const spans: Array<[number, number]> = [];
  for (const match of text.matchAll(finder)) {
    const start = match.index;
    const end = start + (match[1]?.length ?? 0);
    const last = spans[spans.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else spans.push([start, end]);
  }
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    out += text.slice(at, start) + MASK;
    at = end;
  }
  return out + text.slice(at);
}

/** A target's secrets: every value of its `env`, and every URL password in its env or vars (also decoded). */
export function secretsOfTarget(target: Target): string[] {
  const secrets = new Set<string>();
  const envValues = Object.values(target.env);
  for (const value of envValues) secrets.add(value);
  for (const text of [...envValues, ...Object.values(target.vars).flat()]) {
    for (const match of text.matchAll(URL_PASSWORD)) {
      const password = match[2] ?? '';
      secrets.add(password);
      try {
        secrets.add(decodeURIComponent(password));
      } catch {
        // Not valid percent-encoding: the raw form is all there is.
      }
    }
  }
  return [...secrets].filter((s) => s.length > 0);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
