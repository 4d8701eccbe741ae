// Toasts, the confirm dialog, and calls to the web chat's API.

import { h, localized } from './dom.js';

const TOAST_MS = 3000;
const ICONS = { success: '✓', info: 'i', warning: '!', error: '×' };

/** A toast like the Lark client's: centred near the top, coloured by type, gone after ~3 s. */
export function showToast(toast, locale) {
  const type = ['success', 'info', 'warning', 'error'].includes(toast.type) ? toast.type : 'info';
  const text = localized({ content: toast.content, i18n_content: toast.i18n }, locale);
  const el = h(
    'div',
    { class: `toast toast-${type}`, role: 'status', 'data-type': type },
    h('span', { class: 'toast-icon', 'aria-hidden': 'true' }, ICONS[type]),
    h('span', { class: 'toast-text' }, text),
  );
  document.getElementById('toasts').append(el);
  setTimeout(() => {
    el.classList.add('leaving');
    setTimeout(() => el.remove(), 250);
  }, TOAST_MS);
}

/** The button's `confirm` dialog; resolves true for OK. */
export function confirmDialog(title, text, locale) {
  const zh = locale === 'zh_cn';
  return new Promise((resolve) => {
    const close = (answer) => {
      overlay.remove();
      document.removeEventListener('keydown', onKey);
      resolve(answer);
    };
    const onKey = (event) => {
      if (event.key === 'Escape') close(false);
    };
    const overlay = h(
      'div',
      { class: 'modal-overlay', onclick: (event) => event.target === overlay && close(false) },
      h(
        'div',
        { class: 'modal', role: 'dialog', 'aria-modal': 'true' },
        h('div', { class: 'modal-title' }, title),
        h('div', { class: 'modal-text' }, text),
        h(
          'div',
          { class: 'modal-actions' },
          h(
            'button',
            { type: 'button', class: 'card-btn btn-default', onclick: () => close(false) },
            zh ? '取消' : 'Cancel',
          ),
          h(
            'button',
            { type: 'button', class: 'card-btn btn-primary_filled', onclick: () => close(true) },
            zh ? '确定' : 'Confirm',
          ),
        ),
      ),
    );
    document.addEventListener('keydown', onKey);
    document.body.append(overlay);
    overlay.querySelector('.btn-primary_filled').focus();
  });
}

/** POST JSON; resolves to the parsed answer, or throws with the server's `error` text. */
export async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(answer.error ?? `HTTP ${res.status}`);
  return answer;
}

export async function getJson(path) {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${path}`);
  return res.json();
}
