// Headless Debian Chromium through playwright-core: open an HTML file offline, collect console
// errors and outgoing requests, and count the drawn pixels of every chart canvas.
// `npm test` finds a Chromium first, or installs Debian's, or stops (test/browser/chromium.ts);
// run alone, a file without one fails, never skips.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

import { findChromium, INSTALL_COMMAND } from './chromium.ts';

/** CHROME_PATH (set by `npm test` to what it found), else the first Chromium on PATH. */
export const CHROMIUM = findChromium().path;
export const REPORTS = join(new URL('../..', import.meta.url).pathname, 'reports');

let context: BrowserContext | undefined;
let userDataDir: string | undefined;

export async function browser(): Promise<BrowserContext> {
  if (context) return context;
  if (!CHROMIUM || !existsSync(CHROMIUM)) {
    throw new Error(`No Chromium found (CHROME_PATH, chromium, google-chrome): install Debian's with \`${INSTALL_COMMAND}\`, or set CHROME_PATH.`);
  }
  userDataDir = mkdtempSync(join(tmpdir(), 'report-chromium-'));
  // launchPersistentContext is how Playwright takes a --user-data-dir: a fresh one per run.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
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
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
  });
  return context;
}

export async function closeBrowser(): Promise<void> {
  await context?.close();
  context = undefined;
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
}

export interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
}

export async function openFile(file: string): Promise<Opened> {
  const page = await (await browser()).newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('request', (req) => {
    if (!/^(file|data|about|blob):/.test(req.url())) requests.push(req.url());
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.hasAttribute('data-charts-drawn'), undefined, { timeout: 15_000 }).catch(() => {});
  return { page, errors, requests };
}

/** For each canvas: its id and how many pixels are not fully transparent. */
export function inkedPixels(page: Page): Promise<Array<{ id: string; width: number; inked: number }>> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('canvas')).map((canvas) => {
      const ctx = canvas.getContext('2d')!;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let inked = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
      return { id: canvas.id, width: canvas.width, inked };
    }),
  );
}
