import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** `r` + 10 base-36 characters: short enough to type in chat, ~51 bits of randomness. */
export function newRunId(): string {
  const bytes = randomBytes(10);
  let id = 'r';
  for (const byte of bytes) id += ALPHABET[byte % 36];
  return id;
}

/** The plan an approval binds to: runbook content, target, parameters and the rendered commands. */
export function planHash(parts: {
  runbookHash: string;
  targetId: string;
  params: Record<string, string>;
  argv: string[][];
  observed?: string;
}): string {
  const params = Object.fromEntries(Object.entries(parts.params).sort(([a], [b]) => a.localeCompare(b)));
  const canonical = JSON.stringify([
    parts.runbookHash,
    parts.targetId,
    params,
    parts.argv,
    parts.observed ?? '',
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** The plan hash of a runbook's rendered steps on a target: what request, preflight, drift check and executor share. */
export function planHashOf(
  runbookHash: string,
  targetId: string,
  params: Record<string, string>,
  steps: readonly { argv: string[] }[],
  observed?: string,
): string {
  return planHash({
    runbookHash,
    targetId,
    params,
    argv: steps.map((s) => s.argv),
    ...(observed !== undefined ? { observed } : {}),
  });
}
