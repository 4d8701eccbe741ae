// One chat message as the Lark client shows it: avatar, name, time, then the text, the post (in the
// picker's language), the file (a download) or the card, a quote of
// the message it answers, and "N replies" when it roots a thread.
//
// ctx: { locale, userName(openId), message(id), replyCount(id), openThread(id), cardCtx(message), inThread }

import { renderCard } from './card.js';
import { avatar, fullTime, h, localized, shortTime } from './dom.js';
import { mention } from './markdown.js';

/** Messages that live only in a thread (not in the chat's main stream). */
export function isThreadReply(m) {
  return Boolean(m.threadId && m.rootId && m.rootId !== m.messageId);
}

export function renderMessage(m, ctx) {
  const isBot = m.sender.type === 'app';
  const name = isBot ? m.sender.name : ctx.userName(m.sender.openId, m.sender.name);
  const parent = !ctx.inThread && m.parentId && !isThreadReply(m) ? ctx.message(m.parentId) : undefined;
  const replies = ctx.inThread ? 0 : ctx.replyCount(m.messageId);
  return h(
    'div',
    { class: `msg${isBot ? ' from-bot' : ''}`, 'data-message-id': m.messageId, 'data-type': m.msgType },
    avatar(m.sender.openId, name, isBot),
    h(
      'div',
      { class: 'msg-main' },
      h(
        'div',
        { class: 'msg-meta' },
        h('span', { class: 'msg-name' }, name),
        isBot ? h('span', { class: 'badge' }, ctx.locale === 'zh_cn' ? '机器人' : 'Bot') : null,
        h('span', { class: 'msg-time', title: fullTime(m.createTime) }, shortTime(m.createTime)),
      ),
      parent ? quote(parent, ctx) : null,
      body(m, ctx),
      replies > 0
        ? h(
            'button',
            { type: 'button', class: 'thread-link', onclick: () => ctx.openThread(m.messageId) },
            replyLabel(replies, ctx.locale),
          )
        : null,
    ),
  );
}

export function replyLabel(n, locale) {
  if (locale === 'zh_cn') return `${n} 条回复`;
  return n === 1 ? '1 reply' : `${n} replies`;
}

function body(m, ctx) {
  if (m.msgType === 'text') return h('div', { class: 'msg-text' }, textNodes(m, ctx));
  if (m.msgType === 'post') return renderPost(m, ctx);
  if (m.msgType === 'file') return renderFile(m, ctx);
  if (m.msgType === 'interactive') return renderCard(m.content, ctx.cardCtx(m));
  return h('div', { class: 'unsupported' }, `[unsupported message type: ${m.msgType}]`);
}

/** The post body in the reader's language (the locale picker), else the other one, like the Lark client. */
export function postBody(content, locale) {
  const c = content ?? {};
  return c[locale] ?? c.zh_cn ?? c.en_us ?? Object.values(c)[0] ?? { content: [] };
}

function renderPost(m, ctx) {
  const post = postBody(m.content, ctx.locale);
  const paragraphs = (Array.isArray(post.content) ? post.content : []).map((para) =>
    h(
      'div',
      { class: 'post-line' },
      (Array.isArray(para) ? para : []).map((el) => postElement(el, ctx)),
    ),
  );
  return h(
    'div',
    { class: 'msg-text msg-post', lang: ctx.locale === 'zh_cn' ? 'zh-CN' : 'en-US' },
    post.title ? h('div', { class: 'post-title' }, post.title) : null,
    paragraphs,
  );
}

function postElement(el, ctx) {
  if (el?.tag === 'at') return mention(el.user_id, el.user_name, ctx);
  if (el?.tag === 'a') return h('span', { class: 'md-link', title: el.href }, el.text ?? el.href);
  if (el?.tag === 'code_block') return h('pre', { class: 'md-code' }, h('code', null, el.text ?? ''));
  if (el?.tag === 'hr') return h('hr', { class: 'md-rule' });
  return typeof el?.text === 'string' ? el.text : '';
}

/** `12.3 KB`: a file's size as the Lark client shows it. */
export function fileSize(bytes) {
  if (!Number.isFinite(bytes)) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function renderFile(m, ctx) {
  const file = m.file ?? { fileKey: m.content?.file_key, fileName: m.content?.file_key ?? '?' };
  const ext = (/\.([A-Za-z0-9]{1,5})$/.exec(file.fileName)?.[1] ?? 'file').toUpperCase();
  return h(
    'a',
    {
      class: 'msg-file',
      href: `/sandbox/files/${encodeURIComponent(file.fileKey ?? '')}`,
      download: file.fileName,
      title: ctx.locale === 'zh_cn' ? '下载' : 'Download',
    },
    h('span', { class: 'file-icon', 'aria-hidden': 'true' }, ext),
    h(
      'span',
      { class: 'file-main' },
      h('span', { class: 'file-name' }, file.fileName),
      h('span', { class: 'file-size' }, fileSize(file.size)),
    ),
  );
}

function quote(parent, ctx) {
  const who = parent.sender.type === 'app' ? parent.sender.name : ctx.userName(parent.sender.openId);
  return h(
    'div',
    { class: 'msg-quote' },
    h('span', { class: 'quote-name' }, `${ctx.locale === 'zh_cn' ? '回复' : 'Reply to'} ${who}: `),
    preview(parent, ctx),
  );
}

const MENTIONS = /@_user_\d+|<at\s+(?:user_id|id|open_id)\s*=\s*"?([^">\s]*)"?\s*>([^<]*)<\/at>/g;

/** A text message's text, with `@_user_N` placeholders and `<at user_id=…>` tags shown as @Name. */
function textNodes(m, ctx) {
  const text = String(m.content?.text ?? '');
  const out = [];
  let last = 0;
  for (const match of text.matchAll(MENTIONS)) {
    if (match.index > last) out.push(text.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[0].startsWith('@_user_')) {
      const found = (m.mentions ?? []).find((x) => x.key === match[0]);
      out.push(found ? mention(found.openId, found.name, ctx) : match[0]);
    } else {
      out.push(mention(match[1], match[2], ctx));
    }
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** One line for the chat list and quotes: the text with names, or `[Card] title`. */
export function preview(m, ctx) {
  if (m.msgType === 'interactive') {
    const card = m.content ?? {};
    const title = localized(card.config?.summary, ctx.locale) || localized(card.header?.title, ctx.locale);
    return `${ctx.locale === 'zh_cn' ? '[卡片]' : '[Card]'} ${title}`;
  }
  if (m.msgType === 'file')
    return `${ctx.locale === 'zh_cn' ? '[文件]' : '[File]'} ${m.file?.fileName ?? ''}`;
  if (m.msgType === 'post') {
    const post = postBody(m.content, ctx.locale);
    const words = (post.content ?? []).map((p) =>
      (Array.isArray(p) ? p : []).map((el) => el?.text ?? '').join(''),
    );
    return [post.title, ...words].filter(Boolean).join(' ').replace(/\s+/g, ' ').slice(0, 120);
  }
  if (m.msgType !== 'text') return `[${m.msgType}]`;
  return textNodes(m, ctx)
    .map((n) => (typeof n === 'string' ? n : n.textContent))
    .join('')
    .replace(/\s+/g, ' ')
    .slice(0, 120);
}
