// The guide site (`npm run guide`) in headless Chromium: built by the build function, opened at
// site/index.html (WORKSHOP.md), every page reached by following links, no broken link or
// anchor, no console error, no network request; the menu and previous/next links walk the labs
// in order, a copy button copies, and each lab's pipeline diagram is drawn. Screenshot:
// reports/site-screenshot.png.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type BuiltSite, buildSite } from '../../docs/build-site.ts';
import { capacityModel } from '../../labs/capacity-model.ts';
import { pipelineAlt } from '../../labs/diagram.ts';
import { LABS } from '../../labs/index.ts';
import { browser, closeBrowser, REPORTS } from './support.ts';

let site: BuiltSite;

interface Tracked {
  page: Page;
  errors: string[];
  requests: string[];
}

/** A page that records console errors, page errors and any request that is not a local file. */
async function tracked(): Promise<Tracked> {
  const page = await (await browser()).newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${page.url()}: console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`${page.url()}: pageerror: ${err.message}`));
  page.on('requestfailed', (req) => errors.push(`${page.url()}: failed to load ${req.url()}`));
  page.on('request', (req) => {
    if (!/^(file|data|about|blob):/.test(req.url())) requests.push(req.url());
  });
  return { page, errors, requests };
}

function fileOf(url: string): string {
  const u = new URL(url);
  u.hash = '';
  return fileURLToPath(u);
}

const rel = (file: string) => relative(site.outDir, file);

test.before(async () => {
  site = await buildSite({ log: false });
});

test.after(closeBrowser);

/** The alt text of each pipeline diagram the page shows, once it is drawn (a broken image has no natural width). */
async function drawnDiagrams(page: Page): Promise<string[]> {
  const images = page.locator('[data-generated="pipeline-diagram"] img');
  return images.evaluateAll((all) =>
    Promise.all(
      (all as HTMLImageElement[]).map(async (img) => {
        await img.decode().catch(() => undefined);
        return img.naturalWidth > 0 ? img.alt : `not drawn: ${img.src}`;
      }),
    ),
  );
}

test('the build writes one page per document and reports no unresolved link', () => {
  assert.equal(site.warnings, []);
  assert.ok(existsSync(site.index));
  for (const page of site.pages) assert.ok(existsSync(join(site.outDir, page.file)), page.file);
  assert.equal(
    site.pages.filter((p) => p.menu).map((p) => p.source),
    ['WORKSHOP.md', ...LABS.map((l) => `labs/${l.id}/README.md`)],
  );
});

test('from index.html every page is reachable, every link and anchor resolves, and no page logs an error', async () => {
  const { page, errors, requests } = await tracked();
  const idsOf = new Map<string, string[]>();
  const links: Array<{ from: string; url: string; text: string }> = [];
  const queue = [site.index];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const file = queue.shift()!;
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const found = await page.evaluate(() => ({
      ids: Array.from(document.querySelectorAll('[id]')).map((e) => e.id),
      refs: [
        ...Array.from(document.querySelectorAll('a[href]')).map((a) => ({ url: (a as HTMLAnchorElement).href, text: a.textContent ?? '' })),
        ...Array.from(document.querySelectorAll('link[href]')).map((l) => ({ url: (l as HTMLLinkElement).href, text: 'link' })),
        ...Array.from(document.querySelectorAll('img[src], script[src]')).map((e) => ({ url: (e as HTMLImageElement).src, text: e.tagName })),
      ],
    }));
    idsOf.set(file, found.ids);
    for (const ref of found.refs) {
      if (!ref.url.startsWith('file:')) continue; // data: icon; a web link would show up in `requests` only if loaded
      links.push({ from: file, ...ref });
      const target = fileOf(ref.url);
      if (target.endsWith('.html') && existsSync(target) && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  const broken: string[] = [];
  for (const link of links) {
    const target = fileOf(link.url);
    const hash = decodeURIComponent(new URL(link.url).hash.slice(1));
    if (!existsSync(target) || statSync(target).isDirectory()) broken.push(`${rel(link.from)}: "${link.text.trim()}" -> ${rel(target)} (no such file)`);
    else if (hash && !(idsOf.get(target) ?? []).includes(hash))
      broken.push(`${rel(link.from)}: "${link.text.trim()}" -> ${rel(target)}#${hash} (no such anchor)`);
  }
  assert.equal(broken, [], 'broken links');
  assert.equal(errors, [], 'no console error on any page');
  assert.equal(requests, [], 'nothing leaves the machine');
  assert.equal([...seen].map(rel).sort(), site.pages.map((p) => p.file).sort(), 'every built page is reachable from index.html');
  assert.ok(links.length > 100, `links checked: ${links.length}`);
  await page.close();
});

test('the menu and previous/next walk the guide in order', async () => {
  const { page, errors } = await tracked();
  const menu = site.pages.filter((p) => p.menu);
  await page.goto(pathToFileURL(site.index).href);
  // Next, next, ...: WORKSHOP, lab 1, ..., lab 4.
  for (let i = 0; i < menu.length; i++) {
    assert.is(rel(fileOf(page.url())), menu[i].file);
    assert.is(await page.locator('.menu li.current a').textContent(), menu[i].menu);
    assert.is(
      await page
        .locator('h1')
        .first()
        .evaluate((h) => h.firstChild?.textContent?.trim()),
      menu[i].title,
    );
    if (i < menu.length - 1) await Promise.all([page.waitForURL(/\.html/), page.locator('.pager a[rel=next]').click()]);
    else assert.is(await page.locator('.pager a[rel=next]').count(), 0, 'the last lab has no next');
  }
  await Promise.all([page.waitForURL(/\.html/), page.locator('.pager a[rel=prev]').click()]);
  assert.is(rel(fileOf(page.url())), menu[menu.length - 2].file);
  // The menu reaches every page from any page.
  for (const target of menu) {
    await Promise.all([page.waitForURL(/\.html/), page.locator('.menu a', { hasText: target.menu }).click()]);
    assert.is(rel(fileOf(page.url())), target.file);
  }
  assert.equal(errors, []);
  await page.close();
});

test('headings have anchors, shell blocks a working copy button, lab pages the current capacity model and pipeline diagram', async () => {
  const { page, errors } = await tracked();
  await page.goto(pathToFileURL(site.index).href);
  assert.is(await page.locator('h2#clean-up a.anchor[href="#clean-up"]').count(), 1);
  const awsBlocks = await page.locator('.code.aws').count();
  assert.ok(awsBlocks >= 5, `AWS blocks are marked (${awsBlocks})`);
  // What the button copies: the commands, without the "$ " prompts the stylesheet draws.
  assert.is(
    await page
      .locator('.code code', { hasText: 'npx workshop doctor' })
      .first()
      .evaluate((c) => (c as HTMLElement).innerText),
    'npm install\nnpm run sandbox:fetch\nnpx workshop doctor',
  );
  const button = page.locator('.code button.copy').first();
  await button.click();
  await page.waitForFunction(() => document.querySelector('.code button.copy')?.textContent !== 'Copy', undefined, { timeout: 5000 });
  const label = (await button.textContent()) ?? '';
  assert.ok(['Copied', 'Press Ctrl+C'].includes(label), label);
  for (const lab of LABS) {
    await page.goto(pathToFileURL(join(site.outDir, 'labs', lab.id, 'index.html')).href);
    const table = page.locator('[data-generated="capacity-model"] table');
    assert.is(await table.count(), 1, `${lab.id} shows its capacity model`);
    assert.match((await table.textContent())!, `${capacityModel(lab).latencyFloorMs} ms`);
    assert.equal(await drawnDiagrams(page), [pipelineAlt(lab)], `${lab.id} shows its pipeline diagram`);
  }
  await page.goto(pathToFileURL(site.index).href);
  assert.equal(await drawnDiagrams(page), LABS.map(pipelineAlt), "the guide shows each lab's diagram in its walkthrough");
  assert.equal(errors, []);
  await page.close();
});

test('screenshot: reports/site-screenshot.png', async () => {
  const { page, errors } = await tracked();
  mkdirSync(REPORTS, { recursive: true });
  await page.goto(pathToFileURL(site.index).href);
  const file = join(REPORTS, 'site-screenshot.png');
  await page.screenshot({ path: file });
  await page.goto(pathToFileURL(join(site.outDir, 'labs', LABS[1].id, 'index.html')).href);
  await page.screenshot({ path: join(REPORTS, 'site-lab-screenshot.png'), fullPage: true });
  assert.ok(statSync(file).size > 10_000);
  assert.equal(errors, []);
  await page.close();
});

test.run();
