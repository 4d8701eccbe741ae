import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (CI installs it with apt); never a browser a test tool downloads. */
export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export const hasChromium = existsSync(CHROMIUM);

export function warnIfNoChromium(what: string): void {
  if (!hasChromium) console.warn(`Skipping ${what}: ${CHROMIUM} is missing (apt-get install -y chromium).`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A laptop-sized page that records uncaught errors and console errors into `errors`. */
export async function openPage(
  browser: Browser,
  timezoneId = 'Asia/Shanghai',
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, timezoneId });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return { page, errors };
}
