// harness/node-binary/pins.ts against the npm registry, as `npm run node:pins` reads it: each
// platform's package has the pinned integrity (or is still missing where the pins say so), and
// this machine's binary pin is the sum of the binary inside that very tarball. Needs the
// registry: on a laptop without it the test skips with one line; CI reaches it, so there a
// failed answer fails.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NODE_BINARY_PINS, PINNED_NODE_VERSION } from '../../harness/node-binary/pins.ts';
import { isNodePlatform, NODE_PLATFORMS } from '../../harness/node-binary/platforms.ts';
import { registryAnswer } from '../../harness/node-binary/refresh-pins.ts';
import { tarballFile } from '../../harness/pack/tarball-manifest.ts';

// Asked all at once: each `npm view` takes seconds, mostly npm starting.
const answers = await Promise.all(NODE_PLATFORMS.map((platform) => registryAnswer(NODE_BINARY_PINS[platform].package, PINNED_NODE_VERSION)));
const first = answers.find((answer) => 'unreachable' in answer) ?? answers[0];

if ('unreachable' in first && !process.env.CI) {
  console.log(`[skipped] the pins against the npm registry: npm view failed (${first.unreachable})`);
  test.skip('needs the npm registry', () => {});
} else {
  test('each platform: the registry publishes the pinned integrity, or still lacks what the pins say it lacks', () => {
    const stale: string[] = [];
    for (const [i, platform] of NODE_PLATFORMS.entries()) {
      const pin = NODE_BINARY_PINS[platform];
      const answer = answers[i];
      assert.not.ok('unreachable' in answer, `${pin.package}: ${JSON.stringify(answer)}`);
      const pinned = 'unpublished' in pin ? { unpublished: true } : { integrity: pin.integrity };
      if (JSON.stringify(answer) !== JSON.stringify(pinned)) stale.push(`${platform}: pinned ${JSON.stringify(pinned)}, registry ${JSON.stringify(answer)}`);
    }
    assert.equal(stale, [], 'harness/node-binary/pins.ts is stale: run npm run node:pins');
  });

  const platform = `${process.platform}-${process.arch}`;
  const pin = isNodePlatform(platform) ? NODE_BINARY_PINS[platform] : undefined;
  if (pin && !('unpublished' in pin)) {
    test("this machine's binary pin is the sum of the binary inside the pinned tarball", () => {
      const scratch = mkdtempSync(join(tmpdir(), 'node-pin-'));
      try {
        const packed = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch, `${pin.package}@${PINNED_NODE_VERSION}`], {
          cwd: scratch,
          encoding: 'utf8',
          timeout: 300_000,
        });
        assert.is(packed.status, 0, packed.stderr);
        const tarball = join(scratch, (JSON.parse(packed.stdout) as { filename: string }[])[0].filename);
        assert.is(`sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`, pin.integrity);
        const binary = tarballFile(tarball, pin.binary);
        assert.ok(binary, `${pin.binary} in the tarball`);
        assert.is(createHash('sha256').update(binary).digest('hex'), pin.binarySha256);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  }
}

test.run();
