// The three panes: chat list, the chat's main stream, and the thread panel. Messages are drawn once and
// redrawn in place when they change (a patched card keeps its place; thread replies update "N replies").

import { avatar, h, shortTime } from './dom.js';
import { isThreadReply, preview, renderMessage, replyLabel } from './message.js';
import { confirmDialog, showToast } from './ui.js';

const $ = (id) => document.getElementById(id);

/** True when the pane is scrolled (nearly) to the bottom, i.e. new content should keep it there. */
function atBottom(el) {
  return el.scrollHeight - el.scrollTop - el.clientHeight < 60;
}

function keepBottom(el, change, force = false) {
  const stick = force || atBottom(el);
  change();
  if (stick) el.scrollTop = el.scrollHeight;
}

export function createViews(S, actions) {
  const userName = (id, fallback) =>
    S.users[id] ?? S.personas.find((p) => p.openId === id)?.name ?? fallback ?? id;
  const replies = (rootId) =>
    [...S.messages.values()]
      .filter((m) => isThreadReply(m) && m.rootId === rootId)
      .sort((a, b) => a.seq - b.seq);
  const ctx = (inThread) => ({
    locale: S.locale,
    userName,
    inThread,
    message: (id) => S.messages.get(id),
    replyCount: (id) => replies(id).length,
    openThread: actions.openThread,
    cardCtx: (m) => ({
      locale: S.locale,
      userName,
      onCallback: (cb) => actions.click(m, cb),
      confirm: (title, text) => confirmDialog(title, text, S.locale),
      notice: (text) => showToast({ type: 'info', content: text }, S.locale),
    }),
  });
  const mainMessages = (chatId) =>
    [...S.messages.values()]
      .filter((m) => m.chatId === chatId && !isThreadReply(m))
      .sort((a, b) => a.seq - b.seq);

  function chatList() {
    const list = $('chat-list');
    list.replaceChildren(
      ...S.chats.map((c) => {
        const last = mainMessages(c.chatId).at(-1);
        return h(
          'li',
          {
            class: `chat-item${c.chatId === S.chatId ? ' active' : ''}`,
            'data-chat-id': c.chatId,
            onclick: () => actions.selectChat(c.chatId),
          },
          avatar(c.chatId, c.name, false),
          h(
            'div',
            { class: 'chat-item-main' },
            h(
              'div',
              { class: 'chat-item-top' },
              h('span', { class: 'chat-item-name' }, c.name),
              last ? h('span', { class: 'chat-item-time' }, shortTime(last.createTime)) : null,
            ),
            h('div', { class: 'chat-item-preview' }, last ? preview(last, ctx(false)) : ''),
          ),
        );
      }),
    );
  }

  function header() {
    const chat = S.chats.find((c) => c.chatId === S.chatId);
    const zh = S.locale === 'zh_cn';
    $('chat-title').textContent = chat ? chat.name : zh ? '没有会话' : 'No chat';
    const count = chat ? chat.members.length + (chat.botMember ? 1 : 0) : 0;
    const sub = chat ? [zh ? `${count} 位成员` : `${count} members`] : [];
    if (chat && !chat.botMember)
      sub.push(zh ? `${S.bot.name} 不在此群` : `${S.bot.name} is not in this chat`);
    $('chat-sub').textContent = sub.join(' · ');
  }

  function stream() {
    const el = $('stream');
    const messages = mainMessages(S.chatId);
    keepBottom(
      el,
      () =>
        el.replaceChildren(
          ...(messages.length
            ? messages.map((m) => renderMessage(m, ctx(false)))
            : [h('div', { class: 'empty' }, S.locale === 'zh_cn' ? '还没有消息' : 'No messages yet')]),
        ),
      true,
    );
  }

  /** Draws one message where it belongs in the main stream, replacing its old drawing if any. */
  function place(m) {
    const el = $('stream');
    const node = renderMessage(m, ctx(false));
    const old = el.querySelector(`[data-message-id="${CSS.escape(m.messageId)}"]`);
    keepBottom(el, () => {
      el.querySelector('.empty')?.remove();
      if (old) return old.replaceWith(node);
      const later = mainMessages(S.chatId).find((x) => x.seq > m.seq);
      const before = later && el.querySelector(`[data-message-id="${CSS.escape(later.messageId)}"]`);
      if (before) before.before(node);
      else el.append(node);
    });
  }

  function thread() {
    const panel = $('thread');
    const root = S.threadRoot && S.messages.get(S.threadRoot);
    panel.hidden = !root;
    document.body.classList.toggle('thread-open', Boolean(root));
    if (!root) return;
    const list = replies(root.messageId);
    const body = $('thread-body');
    $('thread-count').textContent = replyLabel(list.length, S.locale);
    keepBottom(body, () =>
      body.replaceChildren(
        renderMessage(root, ctx(true)),
        h('div', { class: 'thread-divider' }, replyLabel(list.length, S.locale)),
        ...list.map((m) => renderMessage(m, ctx(true))),
      ),
    );
  }

  /** A message arrived or changed: redraw what shows it. */
  function upsert(m) {
    if (m.chatId === S.chatId) {
      if (isThreadReply(m)) {
        const root = S.messages.get(m.rootId);
        if (root && !isThreadReply(root)) place(root);
      } else {
        place(m);
      }
      if (S.threadRoot && (m.messageId === S.threadRoot || m.rootId === S.threadRoot)) thread();
    }
    chatList();
  }

  function all() {
    chatList();
    header();
    stream();
    thread();
  }

  return { all, chatList, header, stream, thread, upsert };
}
