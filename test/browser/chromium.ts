// Where the browser tests find a Chromium, and what `npm test` does when there is none: the
// CHROME_PATH a participant set, else `chromium`, `google-chrome` or `google-chrome-stable` on the
// PATH. With none, a root shell with apt (a fresh Debian machine, CI) installs Debian's package;
// anywhere else the run stops at once with the one command to run.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export { CHROMIUM_NAMES } from '../../harness/doctor/checks.ts';

import { CHROMIUM_NAMES } from '../../harness/doctor/checks.ts';
export const INSTALL_COMMAND = 'sudo apt-get install -y chromium';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable of that name on PATH. */
export function onPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  return path
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(executable);
}

export interface ChromiumLookup {
  env: Record<string, string | undefined>;
  onPath(name: string): string | undefined;
  executable(path: string): boolean;
}

const SYSTEM: ChromiumLookup = { env: process.env, onPath: (name) => onPath(name), executable };

/** A usable Chromium, or why CHROME_PATH cannot be used. */
export function findChromium(lookup: ChromiumLookup = SYSTEM): { path?: string; problem?: string } {
  const given = lookup.env.CHROME_PATH;
  if (given)
    return lookup.executable(given)
      ? { path: given }
      : { problem: `CHROME_PATH=${given} is not an executable file: point it at a Chrome or Chromium binary, or unset it.` };
  for (const name of CHROMIUM_NAMES) {
    const path = lookup.onPath(name);
    if (path) return { path };
  }
  return {};
}

export type ChromiumPlan = { kind: 'use'; path: string } | { kind: 'install' } | { kind: 'stop'; message: string };

/** What `npm test` does about Chromium before running browser tests. */
export function chromiumPlan(found: { path?: string; problem?: string }, canInstall: boolean, files: number): ChromiumPlan {
  if (found.path) return { kind: 'use', path: found.path };
  if (found.problem) return { kind: 'stop', message: found.problem };
  if (canInstall) return { kind: 'install' };
  return {
    kind: 'stop',
    message: `${files} test file${files === 1 ? ' needs' : 's need'} a Chromium and none was found (CHROME_PATH, ${CHROMIUM_NAMES.join(', ')}). Install Debian's: \`${INSTALL_COMMAND}\`, or set CHROME_PATH to a Chrome or Chromium binary.`,
  };
}

/** Root with apt-get: allowed to install Debian's package itself. */
export function canInstallChromium(): boolean {
  return process.getuid?.() === 0 && onPath('apt-get') !== undefined;
}

/** apt-get update + install chromium; true when a Chromium is then found. */
export function installChromium(): boolean {
  console.log(`No Chromium found: installing Debian's (apt-get install -y chromium), needed by the browser tests.`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'chromium'],
  ]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (result.status !== 0) return false;
  }
  return findChromium().path !== undefined;
}

/** Test files that open a browser: they import the browser support module. */
export function usesBrowser(file: string): boolean {
  const text = readFileSync(file, 'utf8');
  return /from '[^']*\/browser\/support\.ts'/.test(text) || (/\/test\/browser\/[^/]+$/.test(file) && /from '\.\/support\.ts'/.test(text));
}
