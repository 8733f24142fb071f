// The real thing: the committed lock fetched from Maven Central into an empty cache by
// `npm run sandbox:fetch`'s script, with a PATH that has no mvn (nor anything else), as a learner
// without Maven would. Then what a warm start costs: the quick check (stamp) and a full one (hash).
// WORKSHOP_MAVEN_MIRROR, when set, is honoured here as everywhere.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REPO_ROOT } from '../../docs/markdown.ts';
import { COMPONENTS, readLock } from '../../sandbox/jar-lock.ts';
import { ensureJars, verifyJars } from '../../sandbox/jars.ts';

const scratch = mkdtempSync(join(tmpdir(), 'workshop-jars-central-'));
const cache = join(scratch, 'cache');
const emptyBin = join(scratch, 'empty-bin');
mkdirSync(emptyBin);

test.after(() => rmSync(scratch, { recursive: true, force: true }));

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

test('sandbox/fetch-jars.ts fetches the whole lock from Maven Central into an empty cache with no mvn on PATH', async () => {
  const env = { ...process.env, PATH: emptyBin, WORKSHOP_CACHE: cache };
  const started = Date.now();
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'sandbox/fetch-jars.ts')], { cwd: REPO_ROOT, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (c) => resolve({ code: c, output: out }));
  });
  const ms = Date.now() - started;
  assert.is(code, 0, output);
  const lock = readLock();
  for (const component of COMPONENTS) {
    const entry = lock.components[component];
    assert.match(output, new RegExp(`${entry.version}: fetched in`), output);
    const bytes = entry.jars.reduce((sum, jar) => sum + jar.size, 0);
    console.log(`[measured] ${component} ${entry.version}: ${entry.jars.length} jars, ${megabytes(bytes)}`);
  }
  console.log(
    `[measured] cold fetch of every component from ${process.env.WORKSHOP_MAVEN_MIRROR || 'Maven Central'}: ${(ms / 1000).toFixed(1)} s (script start included)`,
  );
});

test('a warm start only checks the stamp; a full check hashes every jar and finds nothing', async () => {
  for (const component of COMPONENTS) {
    const started = process.hrtime.bigint();
    const jars = await ensureJars(component, { cacheRoot: cache });
    const warmMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.not.ok(jars.fetched);
    assert.is(jars.jars.length, readLock().components[component].jars.length);
    const quick = await verifyJars(component, { cacheRoot: cache });
    assert.equal(quick.problems, []);
    assert.is(quick.hashed, 0);
    const full = await verifyJars(component, { cacheRoot: cache, full: true });
    assert.equal(full.problems, []);
    assert.is(full.hashed, full.jars);
    console.log(`[measured] ${component}: warm ensureJars ${warmMs.toFixed(1)} ms (stamp), full verification ${full.ms} ms (sha256 of ${full.jars} jars)`);
  }
});

test.run();
