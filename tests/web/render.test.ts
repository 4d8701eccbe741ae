import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { mountWebChat } from '../../src/sandbox/web/index.js';
import { type FakeBot, startFakeBot } from '../sandbox/helpers/fake-bot.js';
import { sdkClient } from '../sandbox/helpers/sdk.js';
import { hasChromium, launchChromium, openPage, warnIfNoChromium } from './helpers/chromium.js';

/** How cards render in the browser, hostile content included; a fake bot, no database. */
const CHAT = 'oc_incident';
const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
const btn = (type: string, text: string, extra: object = {}) => ({
  tag: 'column',
  width: 'auto',
  elements: [
    {
      tag: 'button',
      element_id: `${type}_btn`,
      type,
      text: { tag: 'plain_text', content: text },
      behaviors: [{ type: 'callback', value: { action: type } }],
      ...extra,
    },
  ],
});
const KITCHEN_SINK = {
  schema: '2.0',
  config: { update_multi: true },
  header: {
    title: {
      tag: 'plain_text',
      content: `${XSS}Kitchen sink`,
      i18n_content: { zh_cn: '厨房水槽', en_us: '' },
    },
    subtitle: { tag: 'plain_text', content: 'every element' },
    template: 'carmine',
  },
  body: {
    elements: [
      {
        tag: 'markdown',
        content: [
          '**bold** *italic* ~~gone~~ `co<de>` &#42;not italic&#42; by <at id=ou_oncall></at>',
          '- one',
          '- two',
          '1. first',
          '2. second',
          `[docs](javascript:window.__xss=4) ${XSS}`,
          '```',
          'line <b>1</b>',
          '```',
          '| Table | Rows |',
          '|---|---|',
          '| **tokens** | 3 |',
          `| ${XSS} | a&#124;b |`,
        ].join('\n'),
      },
      { tag: 'plain_text', content: 'plain <i>text</i>', text_size: 'notation' },
      { tag: 'hr' },
      {
        tag: 'column_set',
        columns: ['left', 'right'].map((side) => ({
          tag: 'column',
          width: 'weighted',
          weight: 1,
          elements: [{ tag: 'markdown', content: `**${side}** column` }],
        })),
      },
      { tag: 'div', text: { tag: 'lark_md', content: '**div** text' } },
      { tag: 'note', elements: [{ tag: 'plain_text', content: 'a note' }] },
      { tag: 'chart', chart_spec: {} },
      {
        tag: 'column_set',
        flex_mode: 'flow',
        columns: [
          btn('primary_filled', 'Go'),
          btn('danger', 'Stop', {
            confirm: {
              title: { tag: 'plain_text', content: 'Really stop?' },
              text: { tag: 'plain_text', content: 'It cannot be undone.' },
            },
          }),
          btn('default', 'Later'),
        ],
      },
      {
        tag: 'form',
        element_id: 'reason_form',
        name: 'reason_form',
        elements: [
          {
            tag: 'input',
            element_id: 'reason',
            name: 'reason',
            required: false,
            max_length: 300,
            width: 'fill',
            placeholder: { tag: 'plain_text', content: 'Reason (optional)' },
          },
          {
            tag: 'button',
            element_id: 'reject_btn',
            name: 'reject_btn',
            form_action_type: 'submit',
            type: 'danger',
            text: { tag: 'plain_text', content: 'Reject' },
            behaviors: [{ type: 'callback', value: { action: 'reject' } }],
          },
        ],
      },
    ],
  },
};

warnIfNoChromium('the web chat card rendering test');

describe.skipIf(!hasChromium)('card rendering in Chromium', () => {
  let bot: FakeBot;
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let cardId: string;

  beforeAll(async () => {
    bot = await startFakeBot((req) =>
      req.path === '/card'
        ? {
            body: {
              toast: { type: 'error', content: 'Stopped', i18n: { zh_cn: '已停止', en_us: 'Stopped' } },
              card: {
                type: 'raw',
                data: { ...KITCHEN_SINK, header: { ...KITCHEN_SINK.header, template: 'grey' } },
              },
            },
          }
        : {},
    );
    sandbox = createSandbox({ eventUrl: `${bot.url}/events`, cardUrl: `${bot.url}/card` });
    mountWebChat(sandbox, { personas: [{ openId: 'ou_oncall', name: 'Wang Wei (on-call)' }] });
    await sandbox.listen();
    sandbox.addChat({ chatId: CHAT, name: 'Incident', members: ['ou_oncall'] });
    const created = await sdkClient(sandbox).im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: CHAT, msg_type: 'interactive', content: JSON.stringify(KITCHEN_SINK) },
    });
    cardId = created.data?.message_id as string;
    browser = await launchChromium();
    ({ page, errors } = await openPage(browser));
    await page.goto(`${sandbox.url}/`);
    await page.locator('#conn.live').waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
    await bot?.close();
  });

  const card = () => page.locator(`#stream [data-message-id="${cardId}"] .card`);

  it('renders every element safely: markup as text, links not followed, unknown tags marked', async () => {
    const c = card();
    await c.waitFor();
    expect(await c.getAttribute('data-template')).toBe('carmine');
    // An empty i18n_content falls back to content, which is shown as text, tags and all.
    expect(await c.locator('.card-title').textContent()).toBe(`${XSS}Kitchen sink`);
    const md = c.locator('.md').first();
    expect(await md.locator('strong').first().textContent()).toBe('bold');
    expect(await md.locator('em').textContent()).toBe('italic');
    expect(await md.locator('s').textContent()).toBe('gone');
    expect(await md.locator('code.md-inline-code').textContent()).toBe('co<de>');
    expect(await md.textContent()).toContain('*not italic*');
    expect(await md.locator('.mention').textContent()).toBe('@Wang Wei (on-call)');
    expect(await md.locator('ul li').allTextContents()).toEqual(['one', 'two']);
    expect(await md.locator('ol li').allTextContents()).toEqual(['first', 'second']);
    expect(await md.locator('.md-link').textContent()).toBe('docs (javascript:window.__xss=4)');
    expect(await md.locator('pre').textContent()).toBe('line <b>1</b>');
    // A Card JSON 2.0 markdown table (the impact card's): header, rows, cells as text, `&#124;` a pipe.
    expect(await md.locator('table.md-table th').allTextContents()).toEqual(['Table', 'Rows']);
    expect(await md.locator('table.md-table td').allTextContents()).toEqual(['tokens', '3', XSS, 'a|b']);
    expect(await c.locator('.plain.size-notation').textContent()).toBe('plain <i>text</i>');
    expect(await c.locator('.column-set').first().locator('.column').count()).toBe(2);
    expect(await c.locator('.card-div strong').textContent()).toBe('div');
    expect(await c.locator('.note').textContent()).toBe('a note');
    expect(await c.locator('.unsupported').allTextContents()).toEqual(['[unsupported element: chart]']);
    const types = await c.locator('.card-btn').evaluateAll((els) => els.map((e) => e.className));
    expect(types).toEqual([
      'card-btn btn-primary_filled',
      'card-btn btn-danger',
      'card-btn btn-default',
      'card-btn btn-danger',
    ]);
    // Nothing hostile became markup or ran.
    expect(await page.locator('#stream img, #stream script, #stream a, #stream b, #stream i').count()).toBe(
      0,
    );
    await c.locator('.md-link').click();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(page.url()).toBe(`${sandbox.url}/`);
  });

  it('shows the zh_cn text when picked', async () => {
    await page.selectOption('#locale', 'zh_cn');
    await card().locator('.card-title', { hasText: '厨房水槽' }).waitFor();
    await page.selectOption('#locale', 'en_us');
  });

  it('asks to confirm, sends the click, shows the toast and swaps the card in place', async () => {
    await card().getByRole('button', { name: 'Stop' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.locator('.modal-title').textContent()).toBe('Really stop?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(bot.received.filter((r) => r.path === '/card')).toHaveLength(0);

    await card().getByRole('button', { name: 'Stop' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    const toast = page.locator('.toast-error');
    await toast.waitFor();
    expect(await toast.textContent()).toContain('Stopped');
    await page.waitForFunction((id) => {
      const c = document.querySelector(`#stream [data-message-id="${id}"] .card`);
      return c?.getAttribute('data-template') === 'grey';
    }, cardId);
    expect(await page.locator(`#stream [data-message-id="${cardId}"]`).count()).toBe(1);
    const callback = JSON.parse(bot.received.find((r) => r.path === '/card')?.rawBody ?? '{}');
    expect(callback.event.action.value).toEqual({ action: 'danger' });
    expect(callback.event.operator.open_id).toBe('ou_oncall');

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/web-chat-cards.png' });
    await page.waitForFunction(() => document.querySelectorAll('.toast').length === 0, null, {
      timeout: 5000,
    });
    expect(errors).toEqual([]);
  });

  it('sends what was typed in a form with its submit button, as form_value', async () => {
    const c = card();
    const input = c.locator('form.card-form input.card-input');
    expect(await input.getAttribute('placeholder')).toBe('Reason (optional)');
    await input.fill('wrong target');
    const before = bot.received.filter((r) => r.path === '/card').length;
    await c.getByRole('button', { name: 'Reject' }).click();
    const deadline = Date.now() + 5000;
    while (bot.received.filter((r) => r.path === '/card').length === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const callback = JSON.parse(bot.received.filter((r) => r.path === '/card').at(-1)?.rawBody ?? '{}');
    expect(callback.event.action.value).toEqual({ action: 'reject' });
    expect(callback.event.action.form_value).toEqual({ reason: 'wrong target' });
    expect(callback.event.action.name).toBe('reject_btn');
  });
});
