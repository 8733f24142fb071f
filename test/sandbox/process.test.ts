// Child-process lifecycle: stop escalates SIGTERM to SIGKILL, the log is captured, and no child
// outlives its parent: not on exit, an uncaught exception, SIGINT or SIGTERM, and after a
// parent's SIGKILL the next reapOrphans() stops it.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isPidAlive, liveChildren, type ManagedProcess, markerArg, newMarker, reapOrphans, startProcess } from '../../sandbox/process.ts';
import { waitFor } from './helpers.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'workshop-process-test-'));
const started: ManagedProcess[] = [];
const strays: number[] = [];

test.after(async () => {
  await Promise.all(started.map((p) => p.stop(500)));
  for (const pid of strays) if (isPidAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

function startChild(...extra: string[]): ManagedProcess {
  const marker = newMarker('test');
  const proc = startProcess({
    name: 'test-child',
    command: process.execPath,
    args: [join(here, 'fixtures', 'child.mjs'), markerArg(marker), ...extra],
    logFile: join(scratch, `child-${started.length}.log`),
    marker,
  });
  started.push(proc);
  return proc;
}

/** Runs fixtures/parent.ts in a new node process; resolves with the parent and its child's pid. */
async function startParent(mode: string): Promise<{ parent: ReturnType<typeof spawn>; childPid: number; exited: Promise<number | string> }> {
  const parent = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'parent.ts'), mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | string>((resolve) => parent.once('exit', (code, signal) => resolve(signal ?? code ?? -1)));
  const childPid = await new Promise<number>((resolve, reject) => {
    let out = '';
    parent.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /\{"child":(\d+)\}/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    parent.once('exit', () => reject(new Error(`parent exited early: ${out}`)));
  });
  strays.push(childPid);
  assert.ok(isPidAlive(childPid), 'child runs');
  return { parent, childPid, exited };
}

test('stdout and stderr go to the log file; logTail reads them', async () => {
  const proc = startChild();
  await waitFor(() => proc.logTail().includes('child up'), 5_000, 'the child to log');
  assert.match(readFileSync(proc.logFile, 'utf8'), new RegExp(`child up ${proc.pid}`));
  assert.ok(liveChildren().includes(proc.pid));
  const exit = await proc.stop();
  assert.is(exit.signal, 'SIGTERM');
  assert.not.ok(liveChildren().includes(proc.pid));
});

test('stop() sends SIGKILL when SIGTERM is ignored past the grace period', async () => {
  const proc = startChild('ignore-term');
  await waitFor(() => proc.logTail().includes('child up'), 5_000, 'the child to start');
  const t0 = Date.now();
  const exit = await proc.stop(400);
  const took = Date.now() - t0;
  assert.is(exit.signal, 'SIGKILL');
  assert.ok(took >= 380 && took < 3_000, `took ${took} ms`);
  assert.match(proc.logTail(), /child ignores SIGTERM/);
  assert.not.ok(isPidAlive(proc.pid));
});

test('kill9() kills at once', async () => {
  const proc = startChild('ignore-term');
  const exit = await proc.kill9();
  assert.is(exit.signal, 'SIGKILL');
  assert.not.ok(isPidAlive(proc.pid));
});

for (const mode of ['exit', 'throw', 'reject']) {
  test(`a parent that ends by ${mode} without stop() takes its child with it`, async () => {
    const { childPid, exited } = await startParent(mode);
    await exited;
    await waitFor(() => !isPidAlive(childPid), 3_000, 'the child to be gone');
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`a parent stopped by ${signal} takes its child with it and still dies by ${signal}`, async () => {
    const { parent, childPid, exited } = await startParent('wait');
    parent.kill(signal);
    assert.is(await exited, signal);
    await waitFor(() => !isPidAlive(childPid), 3_000, 'the child to be gone');
  });
}

test('a child orphaned by a parent killed with SIGKILL is reaped by the next reapOrphans()', async () => {
  const { parent, childPid, exited } = await startParent('wait');
  parent.kill('SIGKILL');
  assert.is(await exited, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(isPidAlive(childPid), 'no hook ran: the orphan still runs');
  const reaped = await reapOrphans(2_000);
  assert.ok(reaped.includes(childPid), `reaped ${reaped.join(',')}`);
  await waitFor(() => !isPidAlive(childPid), 3_000, 'the orphan to be gone');
});

test('reapOrphans() leaves the children of a live parent alone', async () => {
  const proc = startChild();
  const reaped = await reapOrphans(500);
  assert.not.ok(reaped.includes(proc.pid));
  assert.ok(proc.isRunning());
  await proc.stop();
});

test.run();
