// What a learner downloads and waits for at set-up, measured as a fresh laptop does it: the
// project's package.json, lock and .npmrc in an empty folder, `npm install` with an empty npm
// cache (download = what the cache holds afterwards: every tarball and registry answer npm
// fetched), the same install again from that warm cache, the jars fetched into an empty jar
// cache, and the AWS path's `npm run aws:setup` on top. It needs the registry and Maven Central
// (or the mirror in WORKSHOP_MAVEN_MIRROR), as a learner's first install does.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { folderBytes } from '../sandbox/files.ts';
import { ON_DEMAND_COMPONENTS } from '../sandbox/jar-lock.ts';
import { COMPONENTS, ensureJars } from '../sandbox/jars.ts';
import type { InstallCase } from './cases.ts';
import type { InstallResult } from './results.ts';

const ROOT = new URL('..', import.meta.url).pathname;

function npm(args: string[], cwd: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`npm ${args.join(' ')} failed (${code}): ${stderr.trim().slice(-400)}`)),
    );
  });
}

function copyProject(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const file of ['package.json', 'package-lock.json', '.npmrc']) copyFileSync(join(from, file), join(to, file));
}

export async function runInstallSize(c: InstallCase): Promise<InstallResult> {
  const dir = mkdtempSync(join(tmpdir(), 'klw-install-bench-'));
  try {
    const project = join(dir, 'project');
    copyProject(ROOT, project);
    copyProject(join(ROOT, 'modules'), join(project, 'modules'));
    const npmCache = join(dir, 'npm-cache');
    const coldSec = await npm(['install', '--cache', npmCache], project);
    const npmBytes = folderBytes(npmCache);
    const nodeModulesBytes = folderBytes(join(project, 'node_modules'));
    const warmSec: number[] = [];
    for (let i = 0; i < c.warmInstalls; i++) {
      rmSync(join(project, 'node_modules'), { recursive: true, force: true });
      warmSec.push(await npm(['install', '--cache', npmCache, '--prefer-offline'], project));
    }
    const jarCache = join(dir, 'jars');
    const jarsStarted = performance.now();
    for (const component of COMPONENTS.filter((c) => !ON_DEMAND_COMPONENTS.includes(c))) await ensureJars(component, { cacheRoot: jarCache, progress: false });
    const jarsSec = (performance.now() - jarsStarted) / 1000;
    const jarBytes = folderBytes(jarCache);
    // What it downloads is the archive; the folder it unpacks into is made here, not fetched.
    let unpacked = 0;
    for (const component of ON_DEMAND_COMPONENTS) {
      const set = await ensureJars(component, { cacheRoot: jarCache, progress: false });
      for (const dir of set.unpacked) unpacked += folderBytes(dir);
    }
    const registryBytes = folderBytes(jarCache) - jarBytes - unpacked;
    const awsCache = join(dir, 'npm-cache-aws');
    const awsSec = await npm(['install', '--prefix', 'modules', '--cache', awsCache], project);
    const awsBytes = folderBytes(awsCache);
    const sorted = [...warmSec].sort((a, b) => a - b);
    const warmMedianSec = sorted[Math.floor(sorted.length / 2)];
    const localBytes = npmBytes + jarBytes;
    return {
      kind: 'install',
      case: c,
      npmBytes,
      jarBytes,
      registryBytes,
      awsBytes,
      nodeModulesBytes,
      coldSec,
      warmSec,
      warmMedianSec,
      jarsSec,
      awsSec,
      metGoal: localBytes <= c.goalLocalMB * 1e6 && warmMedianSec < c.goalWarmSec,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
