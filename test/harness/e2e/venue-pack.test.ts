// `npx workshop pack`, then a laptop installing from it with the npm registry and Maven Central
// unreachable: npm's proxy is a closed local port for everything but 127.0.0.1, its cache is
// empty, and the registry is the pack's server. The install must bring the same packages as the
// lock (the Node.js binary included, which the `node` package installs with a second npm call,
// byte for byte the pinned build), leave the lock unchanged, and the jars must come from the
// pack's Maven folder. Then a damaged pack is refused before anything is served, and a system
// without a published Node.js binary and bad arguments get one line.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkInstalledBinary } from '../../../harness/node-binary/installed-binary.ts';
import { NODE_BINARY_PINS } from '../../../harness/node-binary/pins.ts';
import { PACK_PLATFORMS } from '../../../harness/pack/venue-pack.ts';
import { EXIT } from '../../../labs/workshop-error.ts';
import { refused, workshop } from './support.ts';

const ROOT = new URL('../../..', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'klw-venue-pack-'));
const pack = join(scratch, 'pack');
const platform = `${process.platform}-${process.arch}`;
/** Every address but the pack's goes through a proxy that is not there. */
const OFFLINE = {
  npm_config_proxy: 'http://127.0.0.1:9',
  npm_config_https_proxy: 'http://127.0.0.1:9',
  npm_config_noproxy: '127.0.0.1',
  https_proxy: 'http://127.0.0.1:9',
};
let server: ChildProcess | undefined;

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** `node serve.mjs --port 0` in the pack; resolves with the address it prints. */
function serve(): Promise<string> {
  return new Promise((resolve, reject) => {
    server = spawn(process.execPath, [join(pack, 'serve.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    server.stdout!.on('data', (d) => {
      out += d;
      const url = /Serving .* at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    server.on('close', (code) => reject(new Error(`serve.mjs ended (${code}): ${out}`)));
  });
}

test(`workshop pack writes the npm packages for ${platform} and the jars, with their sums`, async () => {
  const started = performance.now();
  const made = await workshop(['pack', '--out', pack, '--platforms', platform]);
  assert.is(made.code, 0, made.stderr);
  console.log(
    `        [measured] workshop pack for ${platform}: ${((performance.now() - started) / 1000).toFixed(1)} s; ${/Venue pack: (.*) in/.exec(made.stdout)?.[1]}`,
  );
  for (const file of ['serve.mjs', 'SHA256SUMS', 'README.md', 'npm/kafkajs/packument.json', `npm/node-${process.platform}-${process.arch}/packument.json`]) {
    assert.ok(existsSync(join(pack, file)), file);
  }
  assert.match(made.stdout, `Serve it to the room: node ${join(pack, 'serve.mjs')} --host 0.0.0.0`);
});

test('a laptop installs from the pack with the registry and Maven Central unreachable', async () => {
  const url = await serve();
  const project = join(scratch, 'laptop');
  mkdirSync(project);
  for (const file of ['package.json', 'package-lock.json', '.npmrc']) copyFileSync(join(ROOT, file), join(project, file));
  const started = performance.now();
  const install = await run(
    'npm',
    ['install', '--registry', `${url}/npm/`, '--cache', join(scratch, 'npm-cache'), '--no-audit', '--no-fund'],
    project,
    OFFLINE,
  );
  assert.is(install.code, 0, install.stderr);
  console.log(`        [measured] npm install from the pack, offline: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const node = await run(join(project, 'node_modules/.bin/node'), ['--version'], project);
  const pinned = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: { node: string } }).dependencies.node;
  assert.is(node.stdout.trim(), `v${pinned}`, 'the Node.js binary came from the pack');
  const binary = await checkInstalledBinary(join(project, 'node_modules/node'));
  assert.ok('summary' in binary, `the pack's Node.js binary is the pinned build: ${JSON.stringify(binary)}`);
  for (const bin of ['tsx', 'esbuild', 'uvu']) assert.ok(existsSync(join(project, 'node_modules/.bin', bin)), bin);
  assert.is(readFileSync(join(project, 'package-lock.json'), 'utf8'), readFileSync(join(ROOT, 'package-lock.json'), 'utf8'), 'the lock is unchanged');

  const jars = await run('npm', ['run', 'sandbox:fetch'], ROOT, { ...OFFLINE, WORKSHOP_CACHE: join(scratch, 'jars'), WORKSHOP_MAVEN_MIRROR: `${url}/maven/` });
  assert.is(jars.code, 0, jars.stderr);
  assert.match(jars.stdout, `from ${url}/maven/`);
  assert.match(jars.stdout, /Kafka [\d.]+: fetched/);
  assert.match(jars.stdout, /ElasticMQ [\d.]+: fetched/);
});

test('a damaged pack is refused before anything is served, with the file to copy again', async () => {
  server?.kill();
  const tarball = join(pack, 'npm/kafkajs/-/kafkajs-2.2.4.tgz');
  appendFileSync(tarball, 'x');
  const served = await run(process.execPath, [join(pack, 'serve.mjs'), '--port', '0'], scratch);
  assert.is(served.code, 1);
  assert.is(served.stderr.trim(), 'npm/kafkajs/-/kafkajs-2.2.4.tgz is damaged (its sha256 differs from SHA256SUMS): copy the pack again.');
});

test('a system the registry publishes no Node.js binary for is refused in one line, before anything is packed', async () => {
  const lacking = PACK_PLATFORMS.filter((p) => 'unpublished' in NODE_BINARY_PINS[p]);
  for (const platform of lacking) {
    const run = await workshop(['pack', '--out', join(scratch, 'lacking'), '--platforms', platform]);
    assert.is(run.code, EXIT.environment.code, run.stderr);
    assert.match(run.stderr, new RegExp(`^The npm registry has no ${NODE_BINARY_PINS[platform].package}@[\\d.]+ .*: use the dev container there`));
    assert.is(run.stderr.trim().split('\n').length, 1);
    assert.not.ok(existsSync(join(scratch, 'lacking')) || existsSync(join(scratch, 'lacking.building')), 'nothing written');
  }
});

test('bad arguments: one line each', async () => {
  await refused(['pack', '--platforms', 'amiga-68k'], /"amiga-68k" is not a platform the pack knows: use any of/);
  await refused(['pack', '--out', ROOT], /is not empty and not an earlier venue pack: give --out a new or empty folder/);
  await refused(['pack', '--outt', 'x'], /unknown option --outt \(did you mean --out\?\)/);
});

test.after(() => {
  server?.kill();
  rmSync(scratch, { recursive: true, force: true });
});
test.run();
