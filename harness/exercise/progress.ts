// The learner's checkpoint record, kept next to their exercises (progress.json), so a
// self-paced learner who comes back another day sees where they stopped. Written by
// `workshop check` (each check, with the prediction and how it compared) and `check --hint` (how
// many steps of each hint were shown), read by `workshop progress` and by `check --hint` (which
// shows the last check's findings again when nothing changed since). Writers and readers are here.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Prediction } from '../../labs/prediction.ts';
import type { Finding } from './finding.ts';
import type { PredictionComparison } from './prediction-report.ts';
import { exercisesDir, freePath, writeAtomically } from './workspace.ts';

export interface CheckRecord {
  at: string;
  passed: boolean;
  /** Of the learner's files at the time: `check --hint` reuses the record while it is the same. */
  fingerprint: string;
  findings: Finding[];
  /** What the learner predicted before this check measured. */
  prediction?: Prediction;
  /** The prediction beside the model's figures and the run's, when the check ran traffic. */
  comparison?: PredictionComparison;
}

export interface LabProgress {
  checks: number;
  /** The first check that passed. */
  doneAt?: string;
  last: CheckRecord;
  /** Per hint id (checkpoints.ts), how many steps beyond its idea `check --hint` has shown. */
  hintSteps?: Record<string, number>;
}

export interface Progress {
  version: 1;
  labs: Record<string, LabProgress>;
}

export function progressFile(dir = exercisesDir()): string {
  return join(dir, 'progress.json');
}

/** The record, and why it could not be read when it is damaged (it is then treated as empty). */
export interface LoadedProgress {
  progress: Progress;
  damaged?: string;
}

export function loadProgress(dir = exercisesDir()): LoadedProgress {
  const file = progressFile(dir);
  const empty: Progress = { version: 1, labs: {} };
  if (!existsSync(file)) return { progress: empty };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return { progress: empty, damaged: `it is not JSON (${(error as Error).message})` };
  }
  const wrong = shapeProblem(parsed);
  return wrong ? { progress: empty, damaged: wrong } : { progress: parsed as Progress };
}

export function readProgress(dir = exercisesDir()): Progress {
  return loadProgress(dir).progress;
}

/**
 * Adds a check to the record. A damaged record is never written over: it is moved aside
 * (progress.json.damaged, .damaged.2, …) and a new record started, and the caller says where.
 */
export function recordCheck(labId: string, check: CheckRecord, dir = exercisesDir()): { lab: LabProgress; setAside?: string } {
  const { progress, damaged } = loadProgress(dir);
  const file = progressFile(dir);
  let setAside: string | undefined;
  if (damaged) {
    setAside = damagedRecordPath(dir);
    renameSync(file, setAside);
  }
  const before = progress.labs[labId];
  const lab: LabProgress = {
    checks: (before?.checks ?? 0) + 1,
    doneAt: before?.doneAt ?? (check.passed ? check.at : undefined),
    last: check,
    ...(before?.hintSteps ? { hintSteps: before.hintSteps } : {}),
  };
  progress.labs[labId] = lab;
  writeAtomically(file, `${JSON.stringify(progress, null, 2)}\n`);
  return { lab, setAside };
}

/**
 * One more step of each of these hints (none past the answer), kept with the lab's record: what
 * `check --hint` does before it prints. Returns every hint's steps now.
 */
export function advanceHints(labId: string, hintIds: readonly string[], maxSteps: number, dir = exercisesDir()): Record<string, number> {
  const { progress, damaged } = loadProgress(dir);
  const lab = progress.labs[labId];
  if (!lab || damaged) return Object.fromEntries(hintIds.map((id) => [id, 1]));
  const steps = { ...(lab.hintSteps ?? {}) };
  for (const id of new Set(hintIds)) steps[id] = Math.min(maxSteps, (steps[id] ?? 0) + 1);
  progress.labs[labId] = { ...lab, hintSteps: steps };
  writeAtomically(progressFile(dir), `${JSON.stringify(progress, null, 2)}\n`);
  return steps;
}

/** How many hint steps a lab has used in all. */
export function hintStepsUsed(lab: LabProgress | undefined): number {
  return Object.values(lab?.hintSteps ?? {}).reduce((sum, n) => sum + n, 0);
}

function isFinding(finding: unknown): finding is Finding {
  const f = finding as Partial<Finding> | null;
  return typeof f === 'object' && f !== null && typeof f.name === 'string' && typeof f.pass === 'boolean';
}

/** Where recordCheck will move a damaged record. */
export function damagedRecordPath(dir = exercisesDir()): string {
  return freePath(`${progressFile(dir)}.damaged`);
}

function shapeProblem(parsed: unknown): string | undefined {
  const record = parsed as Partial<Progress> | null;
  if (typeof record !== 'object' || record === null || record.version !== 1) return 'it is not a version 1 progress record';
  if (typeof record.labs !== 'object' || record.labs === null) return 'it has no "labs" object';
  for (const [labId, lab] of Object.entries(record.labs)) {
    const last = (lab as Partial<LabProgress> | null)?.last;
    const valid =
      typeof lab?.checks === 'number' &&
      typeof last?.at === 'string' &&
      typeof last.passed === 'boolean' &&
      typeof last.fingerprint === 'string' &&
      Array.isArray(last.findings) &&
      last.findings.every(isFinding);
    const steps = (lab as Partial<LabProgress>).hintSteps;
    const stepsValid = steps === undefined || (typeof steps === 'object' && steps !== null && Object.values(steps).every((n) => typeof n === 'number'));
    if (!valid || !stepsValid) return `its entry for ${labId} is not a check record`;
  }
  return undefined;
}
