// docs/MEASURED.md and bench/README.md cannot drift from the results: every figure they show is in
// a generated block that docs/measured.ts writes from the committed bench/results/ files and the
// soak's constants, the committed pages equal what it would write, and the prose around the
// blocks states no figure of its own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ThroughputResult } from '../../bench/results.ts';
import { DEFAULT_MINUTES, DEFAULT_RATE } from '../../bench/soak-plan.ts';
import { formatProblem } from '../../docs/guide-commands.ts';
import { checkLinksText } from '../../docs/guide-links.ts';
import { REPO_ROOT } from '../../docs/markdown.ts';
import { FIGURE, GENERATED, type Results, readResults, regenerate, withoutBlocks } from '../../docs/measured.ts';

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');
const results = readResults();
const FILES = Object.keys(GENERATED);

test('the pages show what the committed results hold (run `npm run figures` to refresh)', () => {
  assert.equal(FILES, ['docs/MEASURED.md', 'bench/README.md', 'README.md']);
  for (const file of FILES) {
    const text = read(file);
    assert.fixture(text, regenerate(file, text, results), `${file} is stale: run npm run figures`);
  }
});

test("README's install table is the install case's own result", () => {
  const install = results.install;
  assert.ok(install, 'bench/results/ holds a run with the install case');
  const readme = read('README.md');
  const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;
  const i = install!.result;
  assert.match(
    readme,
    `| ${mb(i.npmBytes)} | ${mb(i.jarBytes)} | ${mb(i.npmBytes + i.jarBytes)} | ${i.coldSec.toFixed(1)} s | ${i.warmMedianSec.toFixed(1)} s |`,
  );
  assert.ok(i.npmBytes + i.jarBytes <= i.case.goalLocalMB * 1e6, 'the local path downloads at most the goal');
  assert.ok(i.warmMedianSec < i.case.goalWarmSec, 'a warm npm install is under the goal');
});

test("the figures are the result files' own", () => {
  const page = read('docs/MEASURED.md');
  const tp = results.bench.results.find((r): r is ThroughputResult => r.kind === 'throughput' && !('error' in r));
  assert.ok(tp);
  assert.match(page, `${tp!.highestSustainedPerSec!.toLocaleString('en-US')} events/s with zero loss`);
  assert.match(page, `${results.soak.accounting.published.toLocaleString('en-US')} published`);
  assert.match(page, results.bench.startedAt);
  // The 25-minute soak, fitted after the warm-up: the figure bench/soak-plan.ts's comment cites.
  assert.match(page, /\| all 25 minutes \| 4 minutes \| \+0\.22 ±0\.28 \|/);
});

test('bench/README.md states the soak defaults bench/soak-plan.ts has', () => {
  const readme = read('bench/README.md');
  assert.match(readme, `**${DEFAULT_MINUTES} minutes at ${DEFAULT_RATE.toLocaleString('en-US')} events/s**`);
  assert.not.match(withoutBlocks(readme).slice(readme.indexOf('## Soak')), /\d+ minutes/, 'the soak section names no duration outside its generated block');
});

test('a changed result makes the committed page stale: the check catches drift', () => {
  const changed: Results = structuredClone(results);
  changed.soak.accounting.published += 1;
  const text = read('docs/MEASURED.md');
  assert.is.not(regenerate('docs/MEASURED.md', text, changed), text);
  assert.throws(() => regenerate('docs/MEASURED.md', text.replace('<!-- generated:soak-latest -->', ''), results), /no <!-- generated:soak-latest --> block/);
});

test('the prose around the generated blocks states no measured figure', () => {
  for (const file of ['docs/MEASURED.md']) {
    const found = [...withoutBlocks(read(file)).matchAll(FIGURE)].map((m) => m[0]);
    assert.equal(found, [], `${file}: figures outside a generated block`);
  }
  assert.equal(
    [...'lab 1 ran 4,000 events/s on a 2-core machine, 89 µs each'.matchAll(FIGURE)].map((m) => m[0]),
    ['4,000 events/s', '2-core', '89 µs'],
  );
});

test('every link on the pages resolves', () => {
  for (const file of FILES) {
    const { links, problems } = checkLinksText(file, read(file));
    assert.ok(links.length > 0, `${file}: links found`);
    assert.equal(problems.map(formatProblem), [], `${file}: broken links`);
  }
});

test.run();
