// The Node.js the npm scripts run on: the npm registry's `node` package (package.json's
// dependencies), whose install script fetches the binary into node_modules/.bin/node. An install
// that skipped that script (`npm install --ignore-scripts`) leaves the scripts on the laptop's
// own Node.js, maybe 18 or 20, where CDK Terrain's bindings and the local Lambda runtime's
// `nodejs22.x` major would fail later and less clearly; each entry point refuses it first, in one
// line. Why Node.js 22: docs/DEVELOPING.md#nodejs-22.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './stack-contract.ts';
import { versionParts } from './version.ts';
import { WorkshopError } from './workshop-error.ts';

/** The `node` package's version in package.json: the Node.js the scripts run on. */
export const SCRIPTS_NODE_VERSION: string = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: { node: string } })
  .dependencies.node;

export const SCRIPTS_NODE_MAJOR = versionParts(SCRIPTS_NODE_VERSION)[0];

/** The one line for a Node.js older than the scripts' major, or undefined when it will do. */
export function olderNodeProblem(nodeVersion: string = process.versions.node): string | undefined {
  if (versionParts(nodeVersion)[0] >= SCRIPTS_NODE_MAJOR) return undefined;
  return `This is Node.js ${nodeVersion.replace(/^v/, '')}, older than the Node.js ${SCRIPTS_NODE_MAJOR} the workshop's scripts run on (node_modules/.bin/node, from the npm package node ${SCRIPTS_NODE_VERSION}): run npm rebuild node (an npm install with --ignore-scripts skips it), then run the command through npm or npx again.`;
}

/** Throws the environment error an entry point ends with on an older Node.js. */
export function refuseOlderNode(nodeVersion: string = process.versions.node): void {
  const problem = olderNodeProblem(nodeVersion);
  if (problem) throw new WorkshopError(problem, { category: 'environment' });
}
