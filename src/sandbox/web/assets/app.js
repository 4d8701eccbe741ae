// The web chat: state from /web/api/state, live changes from /web/api/stream (SSE), and the controls
// (persona, language, chat, composer, card buttons). Everything drawn comes from views.js.

import { avatar } from './dom.js';
import { createMentionPicker } from './mention-picker.js';
import { getJson, post, showToast } from './ui.js';
import { createViews } from './views.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const saved = (key) => params.get(key) ?? localStorage.getItem(`webchat.${key}`);
const remember = (key, value) => localStorage.setItem(`webchat.${key}`, value);

/** Everything the page knows; views read it, only this file writes it. */
const S = {
  bot: { openId: '', name: 'RollbackBot' },
  chats: [],
  users: {},
  personas: [],
  actions: [],
  messages: new Map(),
  chatId: null,
  as: null,
  locale: 'en_us',
  threadRoot: null,
  shownToasts: new Set(),
};

const views = createViews(S, {
  selectChat(chatId) {
    S.chatId = chatId;
    S.threadRoot = null;
    remember('chat', chatId);
    views.all();
  },
  openThread(messageId) {
    S.threadRoot = messageId;
    views.thread();
  },
  async click(message, { value, name, formValue }) {
    try {
      const body = {
        messageId: message.messageId,
        as: S.as,
        value,
        name,
        ...(formValue ? { formValue } : {}),
      };
      const answer = await post('/web/api/click', body);
      if (answer.toast) toastOnce(answer.toast);
    } catch (err) {
      showToast({ type: 'error', content: err.message }, S.locale);
    }
  },
});

function toastOnce(toast) {
  if (S.shownToasts.has(toast.seq)) return;
  S.shownToasts.add(toast.seq);
  showToast(toast, S.locale);
}

/** Newer versions win, so a stale SSE event (sent before the state we fetched) changes nothing. */
function upsert(m) {
  const old = S.messages.get(m.messageId);
  if (old && (old.versions > m.versions || old.updateTime > m.updateTime)) return;
  S.messages.set(m.messageId, m);
  views.upsert(m);
}

function applyDirectory(d) {
  S.bot = d.bot;
  S.chats = d.chats;
  S.users = d.users;
  if (!S.chats.some((c) => c.chatId === S.chatId)) S.chatId = S.chats[0]?.chatId ?? null;
}

async function loadState() {
  const state = await getJson('/web/api/state');
  S.personas = state.personas;
  S.actions = state.actions ?? [];
  S.groupMessages = state.groupMessages ?? 'mentions';
  applyDirectory(state);
  const wanted = [saved('chat'), state.defaultChatId].find((id) => state.chats.some((c) => c.chatId === id));
  if (wanted) S.chatId = wanted;
  if (!S.personas.some((p) => p.openId === S.as)) {
    S.as = S.personas.find((p) => p.openId === saved('as'))?.openId ?? S.personas[0]?.openId ?? null;
  }
  S.locale = saved('locale') ?? state.defaultLocale;
  S.messages = new Map(state.messages.map((m) => [m.messageId, m]));
  for (const t of state.toasts) S.shownToasts.add(t.seq);
  document.title = `${S.chats.find((c) => c.chatId === S.chatId)?.name ?? 'Chat'} · Lark sandbox`;
  controls();
  views.all();
}

function controls() {
  const persona = $('persona');
  persona.replaceChildren(
    ...S.personas.map((p) => {
      const label = p.role && !p.name.includes(p.role) ? `${p.name} — ${p.role}` : p.name;
      return new Option(label, p.openId, false, p.openId === S.as);
    }),
  );
  $('locale').value = S.locale;
  const me = S.personas.find((p) => p.openId === S.as);
  $('me').replaceChildren(me ? avatar(me.openId, me.name, false) : '');
  $('input').placeholder = `@${S.bot.name} /rollback emergency`;
  $('scope').value = S.groupMessages;
  $('send').textContent = S.locale === 'zh_cn' ? '发送' : 'Send';
  $('actions').replaceChildren(
    ...S.actions.map((a) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'action';
      button.dataset.action = a.id;
      button.textContent = a.label[S.locale] ?? a.label.en_us;
      button.addEventListener('click', () => runAction(a, button));
      return button;
    }),
  );
}

/** The bot's link to the sandbox: the long connection (with how many clients) or the webhook URLs. */
async function showLink() {
  const link = await getJson('/web/api/link').catch(() => null);
  const zh = S.locale === 'zh_cn';
  const text = !link
    ? ''
    : link.mode === 'websocket'
      ? link.connections > 0
        ? `${zh ? '机器人：长连接' : 'Bot: long connection'}${link.connections > 1 ? ` ×${link.connections}` : ''}`
        : zh
          ? '机器人：长连接已断开'
          : 'Bot: long connection down'
      : link.mode === 'webhook'
        ? zh
          ? '机器人：Webhook'
          : 'Bot: webhook'
        : '';
  $('link').textContent = text;
  $('link').dataset.mode = link?.mode ?? 'none';
}

async function runAction(action, button) {
  button.disabled = true;
  try {
    const answer = await post('/web/api/action', { id: action.id });
    showToast({ type: 'success', content: answer.text }, S.locale);
  } catch (err) {
    showToast({ type: 'error', content: err.message }, S.locale);
  } finally {
    button.disabled = false;
  }
}

function connect() {
  const status = $('conn');
  const source = new EventSource('/web/api/stream');
  source.addEventListener('open', () => {
    status.textContent = S.locale === 'zh_cn' ? '● 已连接' : '● live';
    status.className = 'conn live';
    loadState()
      .then(showLink)
      .catch((err) => showToast({ type: 'error', content: err.message }, S.locale));
  });
  setInterval(showLink, 3000);
  source.addEventListener('error', () => {
    status.textContent = S.locale === 'zh_cn' ? '重新连接中…' : 'reconnecting…';
    status.className = 'conn down';
  });
  const json = (fn) => (event) => fn(JSON.parse(event.data));
  source.addEventListener('message', json(upsert));
  source.addEventListener('update', json(upsert));
  source.addEventListener(
    'toast',
    json((t) => t.operatorOpenId === S.as && toastOnce(t)),
  );
  source.addEventListener(
    'chats',
    json((d) => {
      applyDirectory(d);
      views.all();
    }),
  );
}

let sending = false;
async function send(event) {
  event.preventDefault();
  const input = $('input');
  const text = input.value.trim();
  if (!text || sending || !S.chatId) return;
  sending = true;
  try {
    const answer = await post('/web/api/say', { chatId: S.chatId, as: S.as, text });
    input.value = '';
    mentionPicker.close();
    const stream = $('stream');
    stream.scrollTop = stream.scrollHeight;
    // Not delivered: a group message without the bot's mention, as Lark does it: no event, no error.
    if (answer.delivered && answer.status !== 200) {
      const why = answer.error ? `did not answer (${answer.error})` : `answered HTTP ${answer.status}`;
      showToast({ type: 'warning', content: `${S.bot.name} ${why}; Lark would retry.` }, S.locale);
    }
  } catch (err) {
    showToast({ type: 'error', content: err.message }, S.locale);
  } finally {
    sending = false;
  }
}

function mentionables() {
  const chat = S.chats.find((c) => c.chatId === S.chatId);
  const people = (chat?.members ?? []).map((id) => ({ openId: id, name: S.users[id] ?? id }));
  for (const p of S.personas) if (!people.some((x) => x.openId === p.openId)) people.push(p);
  return [{ openId: S.bot.openId, name: S.bot.name }, ...people.filter((p) => p.openId !== S.as)];
}

const mentionPicker = createMentionPicker($('input'), $('mention-picker'), mentionables);

$('composer').addEventListener('submit', send);
$('input').addEventListener('keydown', (event) => {
  if (mentionPicker.onKeydown(event)) return;
  // Tab on an empty box takes the suggestion shown as the placeholder.
  if (event.key === 'Tab' && event.target.value === '') {
    event.preventDefault();
    event.target.value = event.target.placeholder;
  }
});
$('scope').addEventListener('change', async (event) => {
  try {
    const answer = await post('/web/api/scope', { groupMessages: event.target.value });
    S.groupMessages = answer.groupMessages;
  } catch (err) {
    showToast({ type: 'error', content: err.message }, S.locale);
  }
});
$('persona').addEventListener('change', (event) => {
  S.as = event.target.value;
  remember('as', S.as);
  controls();
});
$('locale').addEventListener('change', (event) => {
  S.locale = event.target.value;
  remember('locale', S.locale);
  controls();
  views.all();
  showLink();
});
$('thread-close').addEventListener('click', () => {
  S.threadRoot = null;
  views.thread();
});

S.locale = saved('locale') ?? 'en_us';
connect();

// For tests and the console: what the page holds.
window.webChat = S;
