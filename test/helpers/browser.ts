import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT, tempDir } from './paths.js';

/** Debian's chromium (scripts/test.sh installs it); tests that need it skip when it is missing. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Headless chromium with a fresh profile, as docs/peers.md describes. */
export async function launchBrowser(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(tempDir('th-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/**
 * Where page screenshots go: docs/console/ (linked from the README) when
 * TRIGGERHUB_CONSOLE_SCREENSHOTS=1, else a temporary folder (taken on every run, committed only on demand).
 */
export const SCREENSHOT_DIR = process.env.TRIGGERHUB_CONSOLE_SCREENSHOTS === '1' ? path.join(REPO_ROOT, 'docs', 'console') : tempDir('th-console-shots-');

export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}
