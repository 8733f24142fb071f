// Runs the real CLI (`workshop ...`) the way a participant does, and reads its --json output.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import type { RunReport } from '../../../harness/run-result.ts';

const BIN = new URL('../../../bin/workshop.js', import.meta.url).pathname;

export interface CliRun {
  code: number;
  pid: number;
  stdout: string;
  stderr: string;
}

/** A stack frame as Node prints it: what a person must never see on the terminal. */
export const STACK_FRAME = /\n\s+at .+\(.+:\d+:\d+\)/;

/** Bad input exits 2 with its reason on stderr and no stack trace. */
export async function refused(args: string[], expected: RegExp, env: Record<string, string> = {}): Promise<CliRun> {
  const run = await workshop(args, env);
  assert.is(run.code, 2, `workshop ${args.join(' ')}: exit ${run.code}\n${run.stdout}\n${run.stderr}`);
  const lines = run.stderr
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '');
  assert.ok(lines.length >= 1, 'says why');
  assert.not.match(run.stderr, STACK_FRAME, 'no stack trace');
  assert.match(run.stderr, expected);
  return run;
}

/** `bin`: another copy's bin/workshop.js (a test that edits the project works on a copy). */
export function workshop(args: string[], env: Record<string, string> = {}, cwd?: string, bin = BIN): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, pid: child.pid ?? -1, stdout, stderr }));
  });
}

/** `workshop run ... --json FILE`, returning the exit code and the parsed report. */
export async function runJson(args: string[]): Promise<{ run: CliRun; report: RunReport; file: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'klw-e2e-')), 'result.json');
  const run = await workshop([...args, '--json', file]);
  let report: RunReport;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as RunReport;
  } catch {
    throw new Error(`workshop ${args.join(' ')} wrote no JSON (exit ${run.code}):\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
  }
  return { run, report, file };
}
