// The learner's exercise folder: one folder per lab (exercises/02-low-latency/spec.ts, …), the
// checkpoint record (progress.json) and the backups. The workshop's own files are never
// written: a learner's edits live here, and `check` runs them in their place.
//
// Nothing a learner wrote is ever replaced without a copy: before `exercise` or `solution`
// writes over a file that holds something else, the file is copied to
// .backups/<time>/<lab>/<name>, and the command says where.

import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { displayPath } from '../../labs/display-path.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { REPO_ROOT } from '../../labs/stack-contract.ts';
import { UsageError } from '../errors.ts';
import { checkpointOf, type ExerciseFile } from './checkpoints.ts';

/** Moves the exercise folder (tests, or a learner who keeps exercises elsewhere). */
export const EXERCISES_DIR_ENV = 'WORKSHOP_EXERCISES_DIR';

export function exercisesDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env[EXERCISES_DIR_ENV] || join(REPO_ROOT, 'exercises'));
}

export function labFolder(lab: Pick<LabSpec, 'id'>, dir = exercisesDir()): string {
  return join(dir, lab.id);
}

const RELATIVE_IMPORT = /((?:\bfrom|\bimport)\s*\(?\s*)(['"])(\.\.?\/[^'"]+)\2/g;

/** A source file's text with its relative imports pointing at the same files from `toDir`. */
export function relocateImports(source: string, fromDir: string, toDir: string): string {
  return source.replace(RELATIVE_IMPORT, (_match, lead: string, quote: string, specifier: string) => {
    let moved = relative(toDir, resolve(fromDir, specifier)).split(sep).join('/');
    if (!moved.startsWith('.')) moved = `./${moved}`;
    return `${lead}${quote}${moved}${quote}`;
  });
}

/** The text `file` gets in the learner's folder, from its starting state or its solution. */
export function exerciseText(file: ExerciseFile, version: 'start' | 'solution', folder: string): string {
  const source = join(REPO_ROOT, file[version]);
  return relocateImports(readFileSync(source, 'utf8'), dirname(source), folder);
}

export interface WrittenFile {
  path: string;
  /** Where its previous content went, when it held something else. */
  backup?: string;
  /** It already held exactly this. */
  unchanged: boolean;
  /** It held the learner's own version, which `keepEdited` left in place. */
  kept?: boolean;
}

export interface WriteOptions {
  /** Leave a file that holds something else as it is (`exercise` without --reset). */
  keepEdited?: boolean;
  now?: Date;
}

/**
 * Writes each file's `version` into the lab's folder. A file that holds something else is kept
 * (`keepEdited`) or backed up before it is replaced.
 */
export function writeExercise(lab: Pick<LabSpec, 'id'>, version: 'start' | 'solution', dir = exercisesDir(), options: WriteOptions = {}): WrittenFile[] {
  const folder = labFolder(lab, dir);
  const stamp = (options.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
  return checkpointOf(lab.id).files.map((file) => {
    const path = join(folder, file.name);
    const text = exerciseText(file, version, folder);
    if (existsSync(path)) {
      if (readLearnerFile(path) === text) return { path, unchanged: true };
      if (options.keepEdited) return { path, unchanged: false, kept: true };
      const backup = freePath(join(dir, '.backups', stamp, lab.id, file.name));
      mkdirSync(dirname(backup), { recursive: true });
      copyFileSync(path, backup);
      writeAtomically(path, text);
      return { path, backup, unchanged: false };
    }
    writeAtomically(path, text);
    return { path, unchanged: false };
  });
}

/** The learner's files for a lab, or the names missing (the exercise was never started). */
export function learnerFiles(lab: Pick<LabSpec, 'id'>, dir = exercisesDir()): { files: Array<ExerciseFile & { path: string }>; missing: string[] } {
  const folder = labFolder(lab, dir);
  const files = checkpointOf(lab.id).files.map((file) => ({ ...file, path: join(folder, file.name) }));
  return { files, missing: files.filter((f) => !existsSync(f.path)).map((f) => f.path) };
}

/** Changes whenever any of the learner's files for the lab changes. */
export function fingerprint(paths: readonly string[]): string {
  const hash = createHash('sha256');
  for (const path of paths) hash.update(path).update('\0').update(readLearnerFile(path)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** Every `TODO(lab N)` line of the learner's files, as file:line: text. */
export function todosIn(paths: readonly string[]): Array<{ path: string; line: number; text: string }> {
  return paths.flatMap((path) =>
    readLearnerFile(path)
      .split('\n')
      .flatMap((text, i) => (/TODO\(lab \d+\)/.test(text) ? [{ path, line: i + 1, text: text.trim().replace(/^\/\/\s*/, '') }] : [])),
  );
}

/** A learner's file as text; a read error names the file (Node's EISDIR, say, does not). */
export function readLearnerFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (typeof e?.code === 'string' && e.path === undefined) e.path = path;
    throw error;
  }
}

export function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Runs a builders-session command, turning a file error inside the exercise folder (no write
 * permission, a file another program holds, a folder named like a file) into one line that names
 * the file: it is the learner's folder to fix, not a failed server.
 */
export async function inExerciseFolder<T>(command: () => T | Promise<T>, dir = exercisesDir()): Promise<T> {
  try {
    return await command();
  } catch (error) {
    const e = error as NodeJS.ErrnoException | null;
    if (typeof e?.code !== 'string' || typeof e.path !== 'string') throw error;
    const path = resolve(e.path);
    if (path !== dir && !path.startsWith(`${dir}${sep}`)) throw error;
    throw new UsageError(
      `Could not ${e.syscall ?? 'use'} ${displayPath(path)} (${e.code}): check that nothing else of that name is in the way (a folder where a file belongs, or the reverse), that you may write there and that no other program holds it; or set ${EXERCISES_DIR_ENV} to another folder.`,
    );
  }
}

/** `path`, or `path.2`, `path.3`, … : the first that does not exist yet. */
export function freePath(path: string): string {
  let candidate = path;
  for (let n = 2; existsSync(candidate); n++) candidate = `${path}.${n}`;
  return candidate;
}
