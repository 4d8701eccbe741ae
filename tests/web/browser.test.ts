import { copyFileSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountWebChat, type Persona } from '../../src/sandbox/web/index.js';
import { releaseBadMigration, startExampleApp } from '../../src/worker/example-service.js';
import { CHAT, eventually, type Harness, LEAD_A, ONCALL, startHarness } from '../helpers/harness.js';
import { type LarkService, startLarkService } from '../helpers/lark-service.js';
import { hasChromium, launchChromium, openPage, warnIfNoChromium } from './helpers/chromium.js';

/**
 * The web chat in a real browser (Debian's Chromium through playwright-core, never a downloaded browser),
 * against the whole bot: database, server, worker, and the shipped emergency runbook against a scratch
 * lark_service database with real alembic, pg_dump/pg_restore and the example app.
 */
const PERSONAS: Persona[] = [
  { openId: ONCALL, name: 'Wang Wei (on-call)', role: 'on-call' },
  { openId: LEAD_A, name: 'Li Na (Tech Lead)', role: 'Tech Lead' },
  { openId: 'ou_lead_b', name: 'Zhang Min (Tech Lead)', role: 'Tech Lead' },
  { openId: 'ou_someone', name: 'Chen Jie' },
];
const SCREENSHOT = 'test-results/web-chat.png';
const LOCALES = ['en_us', 'zh_cn'] as const;
const STEP_LINE = /\d{2}:\d{2}:\d{2} · T\+\d{2}:\d{2}/;

warnIfNoChromium('the web chat browser test');

// Both ways Lark reaches the bot: the long connection (what `npm run demo` runs, and its screenshots) and webhooks.
describe.skipIf(!hasChromium).each(['websocket', 'webhook'] as const)(
  'the web chat in Chromium, against the whole bot (%s)',
  (mode) => {
    let h: Harness;
    let service: LarkService;
    let browser: Browser;
    let page: Page;
    let pageErrors: string[] = [];

    beforeAll(async () => {
      service = await startLarkService('browser-test-password');
      // The demo's configuration: the service's next release deployed (release.ini), its migration not applied.
      const env = { ...service.env, LARK_SERVICE_ALEMBIC_CONFIG: 'release.ini' };
      const example = {
        root: process.cwd(),
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/root',
          DATABASE_URL: service.env.LARK_SERVICE_DATABASE_URL ?? '',
          LARK_SERVICE_URL: service.env.LARK_SERVICE_URL ?? '',
          LARK_SERVICE_STATE_DIR: service.env.LARK_SERVICE_STATE_DIR ?? '',
          ALEMBIC_CONFIG: 'release.ini',
        },
      };
      await startExampleApp(example); // the app runs on 6fc3f28b87c8, healthy, until the bad release
      // As `npm run demo` runs it: the bot receives events and clicks by the long connection.
      h = await startHarness({
        env,
        eventMode: mode,
        beforeListen: (sandbox) =>
          mountWebChat(sandbox, {
            personas: PERSONAS,
            defaultChatId: CHAT,
            actions: [
              {
                id: 'bad-release',
                label: { en_us: 'Simulate a bad release', zh_cn: '模拟一次有问题的发布' },
                run: () => releaseBadMigration(example),
              },
            ],
          }),
      });
      browser = await launchChromium();
      // The bot writes times in the harness's TIMEZONE; the page shows message times in the browser's.
      ({ page, errors: pageErrors } = await openPage(browser, 'Asia/Shanghai'));
    }, 60_000);

    /** The card as it looks now, in both languages, under test-results/ (gitignored). */
    async function shoot(messageId: string, name: string) {
      if (mode !== 'websocket') return; // one set of screenshots: the demo's
      mkdirSync('test-results', { recursive: true });
      const card = page.locator(`#stream [data-message-id="${messageId}"] .card`);
      for (const locale of LOCALES) {
        await page.selectOption('#locale', locale);
        // The page redraws a card when it changes (a patch, a reply in its thread): shoot the one there now.
        for (let attempt = 1; ; attempt++) {
          try {
            await card.screenshot({ path: `test-results/card-${name}-${locale}.png` });
            break;
          } catch (error) {
            if (attempt >= 3 || !/not attached/.test(String(error))) throw error;
          }
        }
      }
      await page.selectOption('#locale', 'en_us');
    }

    afterAll(async () => {
      await browser?.close();
      await h?.close();
      await service?.close();
    });

    it('requests, approves and follows a rollback like a Lark group', async () => {
      await page.goto(`${h.sandbox.url}/`);
      await page.locator('#conn.live').waitFor();
      await page.locator('.chat-item.active', { hasText: 'Incident' }).waitFor();
      await page
        .locator(`#link[data-mode="${mode}"]`, {
          hasText: mode === 'websocket' ? 'Bot: long connection' : 'Bot: webhook',
        })
        .waitFor();

      // The bad release: the app's health check fails.
      await page.locator('#actions button[data-action="bad-release"]').click();
      await page.locator('.toast-success', { hasText: '9d4b2e7c1a35' }).waitFor();
      expect((await fetch(`${service.url}/health/ready`)).status).toBe(503);

      // People talk to each other: a message without the bot's mention is in the chat, and the bot never gets it.
      await page.selectOption('#persona', ONCALL);
      await page.fill('#input', 'Checkout is down after the release, rolling back');
      await page.press('#input', 'Enter');
      const chat = page.locator('#stream .msg[data-type="text"]').last();
      await chat.locator('.msg-text', { hasText: 'Checkout is down' }).waitFor();
      expect(await chat.locator('.mention').count()).toBe(0);
      const unheardId = await chat.getAttribute('data-message-id');
      await page.waitForFunction(() => (document.getElementById('input') as HTMLInputElement).value === ''); // answered
      expect(h.sandbox.deliveries().some((d) => d.kind === 'event')).toBe(false);

      // The on-call engineer asks, picking the bot from the @ picker.
      expect(await page.getAttribute('#input', 'placeholder')).toBe('@RollbackBot /rollback emergency');
      await page.locator('#input').pressSequentially('@Roll');
      await page.locator('#mention-picker li', { hasText: 'RollbackBot' }).waitFor();
      await page.press('#input', 'Enter');
      expect(await page.inputValue('#input')).toBe('@RollbackBot ');
      await page.locator('#input').pressSequentially('/rollback emergency watch=3s');
      await page.press('#input', 'Enter');
      const asked = page.locator('#stream .msg[data-type="text"]').last();
      await asked.locator('.mention', { hasText: '@RollbackBot' }).waitFor();
      expect(await asked.locator('.msg-name').textContent()).toBe('Wang Wei (on-call)');
      expect(await asked.locator('.msg-text').textContent()).toBe(
        '@RollbackBot /rollback emergency watch=3s',
      );
      // Only the mentioned message reached the bot; nothing it sent answers the other one.
      await eventually(
        async () => h.sandbox.deliveries().some((d) => d.kind === 'event'),
        10_000,
        'the event',
      );
      expect(h.sandbox.deliveries().filter((d) => d.kind === 'event')).toHaveLength(1);

      // The approval card, rendered from its Card JSON.
      const card = page.locator('#stream .msg[data-type="interactive"]').last();
      const approve = card.getByRole('button', { name: 'Approve' });
      await approve.waitFor({ timeout: 30_000 }); // offered once the preflight is done
      const cardId = await card.getAttribute('data-message-id');
      expect(await card.locator('.card-title').textContent()).toBe('Production emergency rollback');
      expect(await card.locator('.card').getAttribute('data-template')).toBe('red');
      expect(await card.locator('.card-btn.btn-danger').textContent()).toBe('Reject');
      expect(await card.locator('.mention').first().textContent()).toBe('@Wang Wei (on-call)');

      // Every look of the card from now on, to see the progress card even if the run is quick.
      await page.evaluate((id) => {
        const seen: string[] = [];
        (window as unknown as { seenTemplates: string[] }).seenTemplates = seen;
        new MutationObserver(() => {
          const t = document
            .querySelector(`#stream [data-message-id="${id}"] .card`)
            ?.getAttribute('data-template');
          if (t && seen.at(-1) !== t) seen.push(t);
        }).observe(document.getElementById('stream') as HTMLElement, { childList: true, subtree: true });
      }, cardId);

      await shoot(cardId ?? '', 'approval');

      // A Tech Lead approves.
      await page.selectOption('#persona', LEAD_A);
      await approve.click();
      // The progress card (blue or wathet) while the steps run.
      await page.waitForFunction(
        (id) =>
          /blue|wathet/.test(
            document
              .querySelector(`#stream [data-message-id="${id}"] .card`)
              ?.getAttribute('data-template') ?? '',
          ),
        cardId,
        { timeout: 30_000 },
      );
      await shoot(cardId ?? '', 'progress');
      // The approval's toast (the bad release's may still be fading out).
      const toast = page.locator('.toast-success:not(.leaving)', { hasText: /approv/i });
      await toast.waitFor();
      expect(await toast.textContent()).toMatch(/approv/i);
      mkdirSync('test-results', { recursive: true });
      await page.screenshot({ path: 'test-results/web-chat-approved.png' });

      // The thread: step start and end lines with clock time and T+ elapsed, live, then the summary.
      const threadLink = page.locator(`#stream [data-message-id="${cardId}"] .thread-link`);
      await threadLink.waitFor({ timeout: 15_000 });
      await threadLink.click();
      const thread = page.locator('#thread');
      await thread.locator('.msg-text', { hasText: 'RTO' }).waitFor({ timeout: 60_000 });
      // One entry per paragraph: step lines owed at once share a reply (issue 13), one line each.
      const lines = await thread.locator('.msg-text .post-line').allTextContents();
      const steps = lines.filter((l) => STEP_LINE.test(l));
      // Twelve steps start and end, but for the restore, which the default restore=no skips (one ⏭ line, no start).
      expect(steps.length).toBe(23);
      expect(steps.filter((l) => l.includes('Restore the backup (only when restore=yes)'))).toEqual([
        expect.stringMatching(/^⏭ .* — skipped: restore=no, not needed \(runs only when restore=yes\)$/),
      ]);
      for (const title of [
        'Stop the application',
        'Downgrade the database',
        'Start the application',
        'Health check',
      ]) {
        expect(steps.filter((l) => l.includes(title))).toHaveLength(2);
      }
      expect(await thread.locator('.thread-count').textContent()).toMatch(/^\d+ replies$/);

      // The card became the summary, in place: one card, no duplicate, and it went through a progress look.
      await page.waitForFunction(
        (id) =>
          document.querySelector(`#stream [data-message-id="${id}"] .card`)?.getAttribute('data-template') ===
          'green',
        cardId,
        { timeout: 15_000 },
      );
      expect(await page.locator(`#stream [data-message-id="${cardId}"]`).count()).toBe(1);
      await shoot(cardId ?? '', 'summary');
      expect(h.sandbox.botMessages(CHAT).some((m) => m.parentId === unheardId)).toBe(false);
      const seen = await page.evaluate(
        () => (window as unknown as { seenTemplates: string[] }).seenTemplates,
      );
      expect(seen.at(-1)).toBe('green');
      expect(seen.some((t) => t === 'blue' || t === 'wathet')).toBe(true);
      expect(await page.locator('#stream .unsupported').count()).toBe(0);

      // The open thread follows new replies live.
      await h.sandbox.userSays({
        chatId: CHAT,
        senderOpenId: ONCALL,
        text: 'Thanks, all green.',
        replyTo: cardId ?? '',
        mentionBot: false,
      });
      await thread.locator('.msg-text', { hasText: 'Thanks, all green.' }).waitFor();

      // The language picker switches each card field to its i18n_content.
      await page.selectOption('#locale', 'zh_cn');
      await page
        .locator(`#stream [data-message-id="${cardId}"] .card-title`, { hasText: '生产环境紧急回滚' })
        .waitFor();
      await page.selectOption('#locale', 'en_us');
      await page
        .locator(`#stream [data-message-id="${cardId}"] .card-title`, {
          hasText: 'Production emergency rollback',
        })
        .waitFor();
      await page.waitForTimeout(3500); // let the toast fade, as it would for a person

      await page.screenshot({
        path: mode === 'websocket' ? SCREENSHOT : SCREENSHOT.replace('.png', '-webhook.png'),
      });
      if (mode === 'websocket' && process.env.UPDATE_SCREENSHOT === '1')
        copyFileSync(SCREENSHOT, 'docs/web-chat.png');
      expect(pageErrors).toEqual([]);
      // Scenario 3 for real: one revision down, nothing restored, the app healthy again.
      expect(await (await fetch(`${service.url}/health/ready`)).status).toBe(200);
      const restore = await h.ctx.pool.query(
        `SELECT s.state FROM steps s JOIN runs r ON r.id = s.run_id WHERE s.step_id = 'restore' AND r.runbook_id = 'emergency'`,
      );
      expect(restore.rows[0]?.state).toBe('skipped');

      // A failed run's card: the default emergency again takes the last migration away; health fails at base.
      const cardsBefore = await page.locator('#stream .msg[data-type="interactive"]').count();
      await page.selectOption('#persona', ONCALL);
      await page.fill('#input', '@RollbackBot /rollback emergency revision=base watch=1s');
      await page.press('#input', 'Enter');
      const failed = page.locator('#stream .msg[data-type="interactive"]').nth(cardsBefore);
      await failed.locator('.card-title').waitFor({ timeout: 15_000 });
      const failedId = await failed.getAttribute('data-message-id');
      expect(failedId).not.toBe(cardId);
      await page.selectOption('#persona', LEAD_A);
      await failed.getByRole('button', { name: 'Approve' }).click({ timeout: 30_000 });
      await page.waitForFunction(
        (id) =>
          document.querySelector(`#stream [data-message-id="${id}"] .card`)?.getAttribute('data-template') ===
            'red' &&
          /What to run next/.test(
            document.querySelector(`#stream [data-message-id="${id}"]`)?.textContent ?? '',
          ),
        failedId,
        { timeout: 90_000 },
      );
      await shoot(failedId ?? '', 'failed');
      expect(pageErrors).toEqual([]);
    }, 300_000);
  },
);
