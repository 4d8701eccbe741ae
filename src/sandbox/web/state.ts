import type { ChatStore } from '../chat-store.js';
import type { StoredMessage } from '../types.js';

/** A message as the web chat gets it: the store's record without its version history, plus how many. */
export type WireMessage = Omit<StoredMessage, 'history'> & { versions: number };

/** Drops `history` (a long run's card has dozens of versions; the page only draws the current one). */
export function toWire(message: StoredMessage): WireMessage {
  const { history, ...rest } = message;
  return { ...rest, versions: history.length };
}

export interface WireChat {
  chatId: string;
  name: string;
  members: string[];
  botMember: boolean;
}

export interface Directory {
  bot: { openId: string; name: string };
  chats: WireChat[];
  /** open_id → display name, for everyone in a chat plus the bot (for `<at id=…>` and mentions). */
  users: Record<string, string>;
}

/** Chats and the names of the people in them. */
export function directory(store: ChatStore): Directory {
  const users: Record<string, string> = { [store.bot.openId]: store.bot.name };
  const chats = store.chats().map((c) => {
    for (const id of c.members) users[id] = store.user(id).name;
    return { chatId: c.chatId, name: c.name, members: [...c.members], botMember: c.botMember };
  });
  return { bot: { openId: store.bot.openId, name: store.bot.name }, chats, users };
}
