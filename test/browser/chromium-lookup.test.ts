// How `npm test` finds a Chromium for the browser tests, and what it does without one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type ChromiumLookup, chromiumPlan, findChromium, usesBrowser } from './chromium.ts';

const lookup = (env: Record<string, string>, installed: Record<string, string>, executables: string[] = Object.values(installed)): ChromiumLookup => ({
  env,
  onPath: (name) => installed[name],
  executable: (path) => executables.includes(path),
});

test('CHROME_PATH first, then chromium, google-chrome, google-chrome-stable on PATH', () => {
  assert.equal(findChromium(lookup({ CHROME_PATH: '/opt/chrome/chrome' }, { chromium: '/usr/bin/chromium' }, ['/opt/chrome/chrome'])), {
    path: '/opt/chrome/chrome',
  });
  assert.equal(findChromium(lookup({}, { chromium: '/usr/bin/chromium', 'google-chrome': '/usr/bin/google-chrome' })), { path: '/usr/bin/chromium' });
  assert.equal(findChromium(lookup({}, { 'google-chrome-stable': '/usr/bin/google-chrome-stable' })), { path: '/usr/bin/google-chrome-stable' });
  assert.equal(findChromium(lookup({}, {})), {});
});

test('a CHROME_PATH that is not an executable is named, not silently skipped', () => {
  const found = findChromium(lookup({ CHROME_PATH: '/nope/chrome' }, { chromium: '/usr/bin/chromium' }));
  assert.equal(found, { problem: 'CHROME_PATH=/nope/chrome is not an executable file: point it at a Chrome or Chromium binary, or unset it.' });
  assert.equal(chromiumPlan(found, true, 4), { kind: 'stop', message: found.problem! }, 'never installs over a wrong CHROME_PATH');
});

test("none found: root with apt installs Debian's; anywhere else the run stops with the one command", () => {
  assert.equal(chromiumPlan({ path: '/usr/bin/chromium' }, false, 4), { kind: 'use', path: '/usr/bin/chromium' });
  assert.equal(chromiumPlan({}, true, 4), { kind: 'install' });
  const stop = chromiumPlan({}, false, 4);
  assert.is(stop.kind, 'stop');
  assert.match((stop as { message: string }).message, '4 test files need a Chromium and none was found');
  assert.match((stop as { message: string }).message, '`sudo apt-get install -y chromium`');
});

test('the files that need it are the ones that import the browser support', () => {
  const root = new URL('../', import.meta.url).pathname;
  assert.ok(usesBrowser(`${root}browser/report.test.ts`));
  assert.ok(usesBrowser(`${root}harness/e2e/lessons.test.ts`));
  assert.not.ok(usesBrowser(`${root}labs/lab-spec.test.ts`));
  assert.not.ok(usesBrowser(`${root}browser/chromium-lookup.test.ts`));
});

test.run();
