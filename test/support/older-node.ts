// A Node.js older than the one the scripts run on (the laptop's own, which npm would fall back to
// after an install that skipped the `node` package's script), for the tests that start an entry
// point on it. Looked up on PATH past node_modules/.bin; a machine with only Node.js 22 or newer
// lacks one, so those tests skip there with one line, except in CI, which has Node.js 20.
import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';
import type { Test } from 'uvu';
import { SCRIPTS_NODE_MAJOR } from '../../labs/scripts-node.ts';
import { versionParts } from '../../labs/version.ts';
import { findExecutable } from '../../sandbox/executables.ts';
import { needsTool } from './needs-tool.ts';

export interface OlderNode {
  path: string;
  /** Without the "v": "20.20.2". */
  version: string;
}

export function findOlderNode(env: NodeJS.ProcessEnv = process.env): OlderNode | { missing: string } {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || dir.includes('node_modules')) continue;
    const path = findExecutable(join(dir, 'node'));
    if (!path) continue;
    const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout?.trim().replace(/^v/, '') ?? '';
    if (version && versionParts(version)[0] < SCRIPTS_NODE_MAJOR) return { path, version };
  }
  return { missing: `no Node.js older than ${SCRIPTS_NODE_MAJOR} on PATH (outside node_modules)` };
}

/** A uvu suite's tests, or the one line saying why they cannot run here (a failure in CI). */
export function needsOlderNode(test: Test, found: OlderNode | { missing: string }): found is OlderNode {
  return needsTool(test, found, "a Node.js older than the scripts'");
}
