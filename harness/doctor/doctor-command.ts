// `workshop doctor`: whether the local labs will run on this machine, in a few seconds, without
// starting a lab. One line per check; a problem's line carries the fix for this system. Exit 0
// means the local labs will run; optional parts (browser tests, the AWS path) never fail it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { findAwsToolchain } from '../../labs/aws-toolchain.ts';
import { SCRIPTS_NODE_MAJOR } from '../../labs/scripts-node.ts';
import { EXIT } from '../../labs/workshop-error.ts';
import { findExecutable } from '../../sandbox/executables.ts';
import { detectPlatform, PLATFORM_NAMES } from '../../sandbox/install-hints.ts';
import { cacheRoot, findJava } from '../../sandbox/jars.ts';
import { parseCommandArgs } from '../command-args.ts';
import { DEFAULT_DASHBOARD_PORT } from '../dashboard/server.ts';
import { checkInstalledBinary } from '../node-binary/installed-binary.ts';
import { type Finding, type Machine, runChecks } from './checks.ts';
import { jarsFinding } from './jars-finding.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

/** This machine, as the checks see it. */
export function thisMachine(env: NodeJS.ProcessEnv = process.env): Machine {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  // Asked by the Node.js check and the AWS toolchain's: one `node --version` for both.
  let scriptsNodeVersion: { version: string | undefined } | undefined;
  return {
    platform: detectPlatform(),
    env,
    nodeVersion: process.version,
    nodeEngine: pkg.engines.node,
    scriptsNodeMajor: SCRIPTS_NODE_MAJOR,
    scriptsNodeBinary: () => checkInstalledBinary(),
    scriptsNodeVersion: () => {
      if (!scriptsNodeVersion) {
        const bin = join(ROOT, 'node_modules/.bin/node');
        const run = existsSync(bin) ? spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 }) : undefined;
        scriptsNodeVersion = { version: run?.status === 0 ? run.stdout.trim() : undefined };
      }
      return scriptsNodeVersion.version;
    },
    java: () => {
      try {
        const java = findJava('kafka', env);
        return { version: /version "([^"]+)"/.exec(java.versionLine)?.[1] ?? String(java.major), path: java.path };
      } catch (error) {
        return { problem: (error as Error).message.split('\n')[0] };
      }
    },
    jars: () => jarsFinding(env),
    freeSpace: () => {
      let dir = cacheRoot(env);
      while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
      const stats = statfsSync(dir);
      return { bytes: stats.bavail * stats.bsize, dir };
    },
    canListen: (port) =>
      new Promise((resolve) => {
        const server = createServer();
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
      }),
    dashboardPort: DEFAULT_DASHBOARD_PORT,
    awsToolchain() {
      const scripts = this.scriptsNodeVersion();
      return findAwsToolchain(undefined, scripts ? scripts.replace(/^v/, '') : process.versions.node);
    },
    which: (name) => findExecutable(name, env) ?? undefined,
    exists: existsSync,
    home: homedir(),
  };
}

export function renderFindings(findings: Finding[], platform: string): string {
  const line = (f: Finding) => `  ${f.ok ? 'ok ' : f.required ? 'FIX' : ' - '}  ${f.line}`;
  const required = findings.filter((f) => f.required);
  const broken = required.filter((f) => !f.ok);
  return [
    `workshop doctor (${platform}): what the local labs need`,
    ...required.map(line),
    'Optional: browser tests and the AWS path',
    ...findings.filter((f) => !f.required).map(line),
    broken.length === 0
      ? 'The local labs will run: npm start (or npx workshop run 1).'
      : `${broken.length} problem${broken.length === 1 ? '' : 's'} to fix before the local labs will run: ${broken.map((f) => f.what).join(', ')}. Fix, then run npx workshop doctor again.`,
  ].join('\n');
}

export async function doctorCommand(args: string[], machine: Machine = thisMachine()): Promise<number> {
  parseCommandArgs('doctor', { args, options: {} });
  const findings = await runChecks(machine);
  console.log(renderFindings(findings, PLATFORM_NAMES[machine.platform]));
  return findings.some((f) => f.required && !f.ok) ? EXIT.environment.code : EXIT.passed.code;
}
