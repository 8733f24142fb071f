// The learner's checkpoint record, kept next to their exercises (progress.json), so a
// self-paced learner who comes back another day sees where they stopped. Written by
// `workshop check`, read by `workshop progress` and by `check --hint` (which shows the last
// check's findings again when nothing changed since). The writer and the reader are both here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from './finding.ts';
import { exercisesDir, writeAtomically } from './workspace.ts';

export interface CheckRecord {
  at: string;
  passed: boolean;
  /** Of the learner's files at the time: `check --hint` reuses the record while it is the same. */
  fingerprint: string;
  findings: Finding[];
}

export interface LabProgress {
  checks: number;
  /** The first check that passed. */
  doneAt?: string;
  last: CheckRecord;
}

export interface Progress {
  version: 1;
  labs: Record<string, LabProgress>;
}

export function progressFile(dir = exercisesDir()): string {
  return join(dir, 'progress.json');
}

export function readProgress(dir = exercisesDir()): Progress {
  const file = progressFile(dir);
  if (!existsSync(file)) return { version: 1, labs: {} };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Progress;
    if (parsed?.version === 1 && parsed.labs && typeof parsed.labs === 'object') return parsed;
  } catch {
    // A damaged record is started afresh below rather than failing every command.
  }
  return { version: 1, labs: {} };
}

export function recordCheck(labId: string, check: CheckRecord, dir = exercisesDir()): LabProgress {
  const progress = readProgress(dir);
  const before = progress.labs[labId];
  const lab: LabProgress = {
    checks: (before?.checks ?? 0) + 1,
    doneAt: before?.doneAt ?? (check.passed ? check.at : undefined),
    last: check,
  };
  progress.labs[labId] = lab;
  writeAtomically(progressFile(dir), `${JSON.stringify(progress, null, 2)}\n`);
  return lab;
}
