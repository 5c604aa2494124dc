import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`; `.ci/run` installs it), or `CHROMIUM_PATH`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where each page's screenshot is left at the end of a browser test (git-ignored). */
export const SCREENSHOT_DIR = resolve('.browser-screenshots');

/**
 * Why the browser tests cannot run here, or undefined when they can. Printed, and the tests skip: a machine
 * without Chromium (a developer's laptop without the package) still runs the rest of the suite.
 */
export function browserUnavailable(): string | undefined {
  if (process.env.SKIP_BROWSER_TESTS === 'true') return 'SKIP_BROWSER_TESTS=true';
  if (!existsSync(CHROMIUM_PATH)) {
    return `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  }
  return undefined;
}

/** Skips a browser test file with a printed reason when no browser can be had: `(canBrowse() ? describe : describe.skip)`. */
export function canBrowse(file: string): boolean {
  const reason = browserUnavailable();
  if (reason) process.stderr.write(`Skipping the browser tests of ${file}: ${reason}.\n`);
  return reason === undefined;
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Saves a full-page screenshot of `page` as SCREENSHOT_DIR/<name>.png; returns its path. */
  screenshot(name: string, page?: Page): Promise<string>;
  close(): Promise<void>;
}

/**
 * Chromium, headless, with a fresh profile (`--user-data-dir`, which Playwright sets from the persistent context's
 * directory) deleted on close. The networking flags matter on a closed network: without them Chromium's own
 * background connections (updates, sync, QUIC probes) fail and its connections to the pages under test are
 * refused.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'numbers-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async screenshot(name, target = page) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await target.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
