// The entry points on a Node.js older than the scripts' (an install that skipped the `node`
// package's script leaves npm on the laptop's own): each ends with one line saying how to fix it
// and the environment exit code, before any of its work; a Node.js of the scripts' major or newer
// passes.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { olderNodeProblem, refuseOlderNode, SCRIPTS_NODE_MAJOR, SCRIPTS_NODE_VERSION } from '../../labs/scripts-node.ts';
import { REPO_ROOT } from '../../labs/stack-contract.ts';
import { EXIT, WorkshopError } from '../../labs/workshop-error.ts';
import { findOlderNode, needsOlderNode } from '../support/older-node.ts';

test("the scripts' major or newer passes; an older one gets one line naming npm rebuild node", () => {
  assert.is(olderNodeProblem(SCRIPTS_NODE_VERSION), undefined);
  assert.is(olderNodeProblem(`v${SCRIPTS_NODE_MAJOR}.0.0`), undefined);
  assert.is(olderNodeProblem(`${SCRIPTS_NODE_MAJOR + 2}.1.0`), undefined);
  const line = olderNodeProblem('v20.20.2');
  assert.is(
    line,
    `This is Node.js 20.20.2, older than the Node.js ${SCRIPTS_NODE_MAJOR} the workshop's scripts run on (node_modules/.bin/node, from the npm package node ${SCRIPTS_NODE_VERSION}): run npm rebuild node (an npm install with --ignore-scripts skips it), then run the command through npm or npx again.`,
  );
  try {
    refuseOlderNode('18.19.0');
    assert.unreachable('Node.js 18 was accepted');
  } catch (error) {
    assert.instance(error, WorkshopError);
    assert.is((error as WorkshopError).exitCode, EXIT.environment.code);
  }
});

const older = findOlderNode();
if (needsOlderNode(test, older)) {
  // Started the way npm would on that Node.js: tsx as a loader of the machine's node, in the checkout.
  const entryPoints: Array<[string, string[]]> = [
    ['npx workshop (bin/workshop.js)', ['bin/workshop.js', 'models']],
    ['npm run workshop (tsx harness/cli.ts)', ['--import', 'tsx', 'harness/cli.ts', 'paths']],
    ['an AWS command (labs/aws-path-preflight.ts)', ['--import', 'tsx', '--import', './labs/aws-path-preflight.ts', 'labs/synth.ts']],
  ];
  for (const [what, args] of entryPoints) {
    test(`${what} on the machine's Node.js ${older.version}: one line and exit ${EXIT.environment.code}, nothing else`, () => {
      const run = spawnSync(older.path, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
      assert.is(run.status, EXIT.environment.code, run.stderr);
      assert.is(run.stdout, '');
      assert.is(run.stderr.trim(), olderNodeProblem(older.version));
    });
  }
}

test.run();
