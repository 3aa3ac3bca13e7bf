/**
 * Debian's Chromium for the browser tests, driven by playwright-core (no browser download). Without
 * /usr/bin/chromium the tests are skipped with one line saying what to install; with CI=true a
 * missing browser fails instead, so CI never passes without having run them.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.STOCKPIPE_CHROMIUM ?? '/usr/bin/chromium';

/** The flags measured to keep a headless Chromium quiet and offline (docs/STANDINS.md). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

/** Where the browser tests leave their screenshots. */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'test-output', 'browser');

export type BrowserAvailability = { readonly run: true } | { readonly run: false; readonly failInCi: boolean };

let said = false;

/** Whether the browser tests can run here; prints the one skip line once per test file. */
export function browserAvailability(): BrowserAvailability {
  if (existsSync(CHROMIUM)) return { run: true };
  const ci = process.env.CI === 'true';
  if (!ci && !said) {
    said = true;
    process.stderr.write(
      `browser tests skipped: no Chromium at ${CHROMIUM}; install it with: sudo apt-get install -y chromium\n`,
    );
  }
  return { run: false, failInCi: ci };
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export const screenshotPath = (name: string): string => join(SCREENSHOT_DIR, `${name}.png`);
