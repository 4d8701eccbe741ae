import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { mountWebChat } from '../../src/sandbox/web/index.js';
import { sdkClient } from '../sandbox/helpers/sdk.js';
import { hasChromium, launchChromium, openPage, warnIfNoChromium } from './helpers/chromium.js';

/** A bilingual post follows the locale picker; a file message is an attachment with its name, size and bytes. */
const CHAT = 'oc_incident';
const EXPORT = `${JSON.stringify({ run: 'r1', steps: Array.from({ length: 300 }, (_, i) => i) }, null, 2)}\n`;

warnIfNoChromium('the post and file rendering tests');

describe.skipIf(!hasChromium)('posts and files in the web chat', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let postId: string;
  let fileId: string;

  beforeAll(async () => {
    sandbox = createSandbox({});
    mountWebChat(sandbox, { personas: [{ openId: 'ou_oncall', name: 'Wang Wei (on-call)' }] });
    await sandbox.listen();
    sandbox.addChat({ chatId: CHAT, name: 'Incident', members: ['ou_oncall'] });
    const client = sdkClient(sandbox);
    const post = (text: string) => ({
      title: '',
      content: [[{ tag: 'text', text }], [], [{ tag: 'text', text: '<b>x</b>' }]],
    });
    const sent = await client.im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: {
        receive_id: CHAT,
        msg_type: 'post',
        content: JSON.stringify({ zh_cn: post('用法：'), en_us: post('Usage:') }),
      },
    });
    postId = sent.data?.message_id as string;
    const uploaded = await client.im.v1.file.create({
      data: { file_type: 'stream', file_name: 'rollback-r1.json', file: Buffer.from(EXPORT) },
    });
    const file = await client.im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: CHAT, msg_type: 'file', content: JSON.stringify({ file_key: uploaded?.file_key }) },
    });
    fileId = file.data?.message_id as string;
    browser = await launchChromium();
    ({ page, errors } = await openPage(browser));
    await page.goto(`${sandbox.url}/`);
    await page.locator('#conn.live').waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
  });

  it('shows the post in the picked language, markup as text', async () => {
    const post = page.locator(`#stream [data-message-id="${postId}"] .msg-post`);
    await post.waitFor();
    expect(await post.locator('.post-line').allTextContents()).toEqual(['Usage:', '', '<b>x</b>']);
    await page.selectOption('#locale', 'zh_cn');
    await page.locator(`#stream [data-message-id="${postId}"] .post-line`, { hasText: '用法：' }).waitFor();
    expect(await page.locator('#stream b').count()).toBe(0);
    await page.selectOption('#locale', 'en_us');
  });

  it('shows the file with its name and size, and its link downloads the bytes', async () => {
    const file = page.locator(`#stream [data-message-id="${fileId}"] .msg-file`);
    await file.waitFor();
    expect(await file.locator('.file-name').textContent()).toBe('rollback-r1.json');
    expect(await file.locator('.file-size').textContent()).toBe(
      `${(Buffer.byteLength(EXPORT) / 1024).toFixed(1)} KB`,
    );
    const href = await file.getAttribute('href');
    const res = await fetch(`${sandbox.url}${href}`);
    expect(await res.text()).toBe(EXPORT);
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/web-chat-post-file.png' });
    expect(errors).toEqual([]);
  });
});
