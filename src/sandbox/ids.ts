import { createHash, randomBytes } from 'node:crypto';

/** Identifier shapes copied from real Lark payloads (LARK.md §2, §3.1, §5), so the bot's parsers see the real thing. */

export function randomHex(chars: number): string {
  return randomBytes(Math.ceil(chars / 2))
    .toString('hex')
    .slice(0, chars);
}

function digestHex(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0'), 'utf8').digest('hex');
}

export const newMessageId = (): string => `om_${randomHex(32)}`;
export const newThreadId = (): string => `omt_${randomHex(16)}`;
export const newChatId = (): string => `oc_${randomHex(32)}`;
export const newEventId = (): string => randomHex(32);
export const newCardToken = (): string => `c-${randomHex(40)}`;
export const newNonce = (): string => randomHex(16);
export const newChallenge = (): string => randomHex(20);

/**
 * Derived, not random, so a bot that cached its token survives a sandbox restart: the Node SDK keeps using a
 * cached token until its own expiry and never retries on 99991663 (LARK.md §5.6).
 */
export function tenantAccessToken(appId: string, appSecret: string): string {
  return `t-${digestHex('tenant_access_token', appId, appSecret).slice(0, 40)}`;
}

/** Stable per open_id, so the same person has the same union_id / user_id in every event. */
export const unionIdFor = (openId: string): string => `on_${digestHex('union', openId).slice(0, 32)}`;
export const userIdFor = (openId: string): string => digestHex('user', openId).slice(0, 8);
