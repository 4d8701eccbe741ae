import type { MentionRecord, SandboxUser } from './types.js';

/**
 * Turns what a person types (`@RollbackBot /rollback emergency`) into what Lark delivers: each `@Name` of a
 * known user becomes a placeholder `@_user_N`, numbered by position, with a matching `mentions[]` entry
 * (LARK.md §2). Longer names win at the same position, so `@Ann Lee` is not read as `@Ann`. Names match
 * without regard to case (`@rollbackbot` is the bot), as the picker would have offered it.
 */
export function encodeMentions(
  text: string,
  candidates: readonly SandboxUser[],
): { text: string; mentions: MentionRecord[] } {
  const named = [...candidates].filter((u) => u.name !== '').sort((a, b) => b.name.length - a.name.length);
  const mentions: MentionRecord[] = [];
  let out = '';
  let rest = text;
  for (;;) {
    let best: { index: number; user: SandboxUser } | undefined;
    const lower = rest.toLowerCase();
    for (const user of named) {
      const index = lower.indexOf(`@${user.name.toLowerCase()}`);
      if (index >= 0 && (!best || index < best.index)) best = { index, user };
    }
    if (!best) break;
    const key = `@_user_${mentions.length + 1}`;
    mentions.push({ key, openId: best.user.openId, name: best.user.name });
    out += rest.slice(0, best.index) + key;
    rest = rest.slice(best.index + best.user.name.length + 1);
  }
  return { text: out + rest, mentions };
}
