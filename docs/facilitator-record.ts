// `npm run facilitator -- --record`: runs each lab's solution once, as a room's laptops would
// (`npx workshop run <lab> --quick`, then at full length), and keeps what each printed, its exit
// code, its machine time and its JSON result in docs/facilitator-runs.json. docs/FACILITATOR.md's
// "what a correct run prints" and its agenda's machine times are generated from that file
// (docs/facilitator.ts), and test/docs/facilitator.test.ts renders each recorded result again with
// today's reporter: a change of the report's format fails it until the runs are recorded again.
// Takes about six minutes (eight runs); nothing else runs them, so the test suite stays cheap.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMachine } from '../bench/machine.ts';
import type { LabRunResult, RunReport } from '../harness/run-result.ts';
import { LABS } from '../labs/index.ts';
import type { LabSpec } from '../labs/lab-spec.ts';
import { REPO_ROOT } from './markdown.ts';

export const RUNS_FILE = 'docs/facilitator-runs.json';

/** The labs of the guide's core path (WORKSHOP.md, "Two paths"), checked with --quick. */
export const CORE_LABS = [1, 2, 3];

/**
 * test/docs/exercise-walk.test.ts's walk of the core path, as it measured it: every command a
 * learner on the core path types, by lab, and its machine time. The walk writes it when
 * WORKSHOP_RECORD_CORE_PATH names this file; docs/FACILITATOR.md's agenda quotes it.
 */
export const CORE_PATH_FILE = 'docs/core-path-walk.json';
export const RECORD_CORE_PATH_ENV = 'WORKSHOP_RECORD_CORE_PATH';

export interface CorePathWalk {
  about: string;
  measuredAt: string;
  machine: { cores: number; cpuModel: string; node: string };
  labs: Array<{ lab: number; commands: number; seconds: number }>;
}

/** The walk's measurement as CORE_PATH_FILE holds it; `steps` are each command's lab and milliseconds. */
export function corePathWalk(steps: Array<{ lab: number; ms: number }>, now = new Date()): CorePathWalk {
  const { cores, cpuModel } = describeMachine();
  return {
    about: `Written by test/docs/exercise-walk.test.ts when ${RECORD_CORE_PATH_ENV} names this file; do not edit. docs/FACILITATOR.md quotes it.`,
    measuredAt: now.toISOString(),
    machine: { cores, cpuModel, node: process.version },
    labs: CORE_LABS.map((lab) => {
      const mine = steps.filter((s) => s.lab === lab);
      return { lab, commands: mine.length, seconds: Math.round(mine.reduce((sum, s) => sum + s.ms, 0) / 100) / 10 };
    }),
  };
}

export function readCorePathWalk(root = REPO_ROOT): CorePathWalk {
  return JSON.parse(readFileSync(join(root, CORE_PATH_FILE), 'utf8')) as CorePathWalk;
}

export interface RecordedRun {
  lab: string;
  /** What the learner types. */
  command: string;
  quick: boolean;
  exitCode: number;
  /** Wall-clock seconds from the command's start to its exit: the machine time a learner waits. */
  seconds: number;
  /** What it printed after its progress line: the lab's targets, then the comparison table. */
  report: string;
  /** Its `--json` result: the test renders it again with today's reporter. */
  result: LabRunResult;
}

export interface RecordedRuns {
  about: string;
  recordedAt: string;
  machine: { cores: number; cpuModel: string; node: string };
  runs: RecordedRun[];
}

/** The printed report of a run: from the lab's verdict line on, without the progress line before it. */
export function reportPart(stdout: string, lab: string): string {
  const lines = stdout.replace(/\r/g, '\n').split('\n');
  const start = lines.findIndex((line) => line.startsWith(`${lab} (local) — `));
  if (start < 0) throw new Error(`no "${lab} (local) — PASS|FAIL" line in the run's output:\n${stdout.slice(-2000)}`);
  return lines.slice(start).join('\n').trimEnd();
}

function run(args: string[]): Promise<{ code: number; stdout: string; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'workshop.js'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, seconds: Math.round((performance.now() - started) / 100) / 10 }));
  });
}

/**
 * One run of a lab's solution. A solution that misses a target missed it on a busy machine (the
 * labs pass on two free cores: docs/MEASURED.md): it is run once more, and that run is kept.
 */
export async function recordOne(lab: LabSpec, quick: boolean): Promise<RecordedRun> {
  const tmp = mkdtempSync(join(tmpdir(), 'klw-facilitator-'));
  const command = `npx workshop run ${lab.number}${quick ? ' --quick' : ''}`;
  try {
    for (let attempt = 1; ; attempt++) {
      const json = join(tmp, `${lab.id}-${attempt}.json`);
      console.log(`recording: ${command}${attempt > 1 ? ' (again: the last run missed a target)' : ''}`);
      const { code, stdout, seconds } = await run(['run', String(lab.number), ...(quick ? ['--quick'] : []), '--json', json]);
      const report = JSON.parse(readFileSync(json, 'utf8')) as RunReport;
      // The path of the JSON file is the recorder's own, not what a learner's run prints.
      const printed = reportPart(stdout, lab.id).replace(/\n+JSON results: .*$/s, '');
      console.log(`  exit ${code}, ${seconds} s`);
      if (code === 0 || attempt === 2) return { lab: lab.id, command, quick, exitCode: code, seconds, report: printed, result: report.labs[0] };
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function recordRuns(): Promise<RecordedRuns> {
  const runs: RecordedRun[] = [];
  for (const quick of [true, false]) for (const lab of LABS) runs.push(await recordOne(lab, quick));
  const machine = describeMachine();
  return {
    about: 'Written by `npm run facilitator -- --record` (docs/facilitator-record.ts); do not edit. docs/FACILITATOR.md is generated from it.',
    recordedAt: new Date().toISOString(),
    machine: { cores: machine.cores, cpuModel: machine.cpuModel, node: machine.node },
    runs,
  };
}

export function writeRuns(runs: RecordedRuns, root = REPO_ROOT): void {
  writeFileSync(join(root, RUNS_FILE), `${JSON.stringify(runs, null, 1)}\n`);
}

export function readRuns(root = REPO_ROOT): RecordedRuns {
  return JSON.parse(readFileSync(join(root, RUNS_FILE), 'utf8')) as RecordedRuns;
}
