// The pipeline diagrams in headless Chromium: each committed labs/<lab>/pipeline.svg, and
// diagrams of specs with every optional part, parse as XML with the browser's strict parser
// (image/svg+xml), are SVG with a title and a description, show as an <img> at their own size,
// and every line of text fits its box (the heading, the picture) as the installed fonts draw it:
// the sans-serif the SVG asks for, and DejaVu Sans, the wider one a reader without Helvetica,
// Arial or Liberation Sans gets.
// Screenshot: reports/pipeline-diagram-screenshot.png.
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pipelineAlt, pipelineSvg } from '../../labs/diagram.ts';
import { diagramFile } from '../../labs/diagram-files.ts';
import { LABS } from '../../labs/index.ts';
import { REPO_ROOT } from '../../labs/stack-contract.ts';
import { everyPart } from '../labs/every-part-spec.ts';
import { browser, closeBrowser, REPORTS } from './support.ts';

const drawings = [
  ...LABS.map((lab) => ({ name: diagramFile(lab), svg: readFileSync(join(REPO_ROOT, diagramFile(lab)), 'utf8') })),
  { name: 'every part, SNS destination', svg: pipelineSvg(everyPart()) },
  { name: 'every part, Kafka destination', svg: pipelineSvg(everyPart({ kind: 'kafka', topic: 'a-rather-long-dead-letter-topic-name-for-bookings' })) },
  {
    name: 'a title longer than the pipeline',
    svg: pipelineSvg({ ...LABS[0], title: `${LABS[0].title}; `.repeat(4) }),
  },
];

test.after(closeBrowser);

test('each diagram parses as XML and is an SVG with its title and description', async () => {
  const page = await (await browser()).newPage();
  for (const { name, svg } of drawings) {
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      const root = doc.documentElement;
      return {
        error: doc.getElementsByTagName('parsererror')[0]?.textContent ?? null,
        name: root.localName,
        namespace: root.namespaceURI,
        title: root.querySelector(':scope > title')?.textContent ?? null,
        desc: root.querySelector(':scope > desc')?.textContent ?? null,
      };
    }, svg);
    assert.is(parsed.error, null, `${name}: not well-formed XML`);
    assert.is(parsed.name, 'svg', name);
    assert.is(parsed.namespace, 'http://www.w3.org/2000/svg', name);
    assert.ok(parsed.title, `${name}: a title`);
    assert.ok(parsed.desc && parsed.desc.length > 50, `${name}: a description`);
  }
  const lab = LABS[3];
  assert.is(
    await page.evaluate((text) => new DOMParser().parseFromString(text, 'image/svg+xml').querySelector('desc')?.textContent, pipelineSvg(lab)),
    pipelineAlt(lab),
    'the description is the alt text, unescaped',
  );
  assert.ok(
    await page.evaluate(
      () =>
        new DOMParser().parseFromString('<svg xmlns="http://www.w3.org/2000/svg"><text>a & b</text></svg>', 'image/svg+xml').querySelector('parsererror') !==
        null,
    ),
    'the parser is strict: a bare & is an error',
  );
  await page.close();
});

test('every line of text fits its box, in the fonts the SVG asks for and in the wider DejaVu Sans', async () => {
  const page = await (await browser()).newPage();
  for (const font of [undefined, 'DejaVu Sans']) {
    for (const { name, svg } of drawings) {
      await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
      if (font) await page.evaluate((family) => document.querySelector('svg')!.setAttribute('font-family', family), font);
      const overflows = await page.evaluate(() => [
        ...Array.from(document.querySelectorAll('svg > text')).flatMap((text) => {
          const t = (text as SVGTextElement).getBBox();
          const width = (document.querySelector('svg') as SVGSVGElement).width.baseVal.value;
          return t.x + t.width <= width - 2 ? [] : [`the heading "${text.textContent}" is ${Math.round(t.width)} wide in a picture of ${width}`];
        }),
        ...Array.from(document.querySelectorAll('svg g')).flatMap((group) => {
          const box = (group.querySelector('rect') as SVGRectElement).getBBox();
          return Array.from(group.querySelectorAll('text')).flatMap((text) => {
            const t = (text as SVGTextElement).getBBox();
            const inside = t.x >= box.x + 2 && t.x + t.width <= box.x + box.width - 2 && t.y >= box.y && t.y + t.height <= box.y + box.height;
            return inside ? [] : [`"${text.textContent}" is ${Math.round(t.width)} wide in a box of ${Math.round(box.width)}`];
          });
        }),
      ]);
      assert.equal(overflows, [], `${name} in ${font ?? 'its own fonts'}`);
    }
  }
  await page.close();
});

test('each committed diagram shows as an image at its own size; screenshot', async () => {
  const page = await (await browser()).newPage();
  mkdirSync(REPORTS, { recursive: true });
  const images = LABS.map((lab) => `<p><img src="${pathToFileURL(join(REPO_ROOT, diagramFile(lab))).href}" alt=""></p>`).join('');
  const file = join(REPORTS, 'pipeline-diagram-screenshot.png');
  // A file page, as the guide is: a page from nowhere may not load files.
  const html = join(mkdtempSync(join(tmpdir(), 'klw-diagrams-')), 'index.html');
  writeFileSync(html, `<!doctype html><body style="margin:16px;background:#0d1117">${images}</body>`);
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
  const sizes = await page.evaluate(() => Array.from(document.images).map((img) => [img.naturalWidth, img.naturalHeight]));
  LABS.forEach((lab, i) => {
    const [, width, height] = /width="(\d+)" height="(\d+)"/.exec(pipelineSvg(lab))!.map(Number);
    assert.equal(sizes[i], [width, height], `${lab.id}: drawn at ${width}×${height}`);
  });
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(statSync(file).size > 10_000);
  await page.close();
});

test.run();
