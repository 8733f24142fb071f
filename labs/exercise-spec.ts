// The learner's spec.ts (exercises/<lab>/spec.ts), loaded as the workshop runs it: compiled with
// esbuild (a syntax error comes back as file:line:column, not a stack), checked against AWS's
// limits, and checked to keep the lab's problem (traffic, work, targets), so a check measures the
// lab, not a new one. Both `workshop check` (harness/exercise/) and `npm run deploy -- <lab>
// --from exercises/<lab>` load it here, so both give the same errors.

import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { build } from 'esbuild';
import type { HandlerName } from '../handlers/bundle.ts';
import { describeBuildErrors } from './build-errors.ts';
import { displayPath } from './display-path.ts';
import { type LabSpec, LabSpecError, validateLabSpec } from './lab-spec.ts';
import { labSourceFiles, locateUnknownKeys } from './spec-source.ts';
import { REPO_ROOT } from './stack-contract.ts';

/** The spec's name in an exercise folder. */
export const EXERCISE_SPEC_FILE = 'spec.ts';

/** A handler's source in an exercise folder (lab 4's booking-processor.ts), bundled in place of handlers/<name>.ts. */
export function exerciseHandlerFile(handler: HandlerName): string {
  return `${handler}.ts`;
}

/** The workshop's labs with the learner's `exercise` in place of its lab: what a deploy with --from deploys. */
export function labsWithExercise(labs: readonly LabSpec[], exercise: LabSpec | undefined): readonly LabSpec[] {
  return exercise ? labs.map((lab) => (lab.id === exercise.id ? exercise : lab)) : labs;
}

/** The names of the spec's checks, in the order they run; `workshop check` shows them as findings. */
export const SPEC_CHECKS = {
  compiles: 'spec.ts compiles',
  limits: "within AWS's limits",
  problem: "the lab's problem is unchanged",
} as const;

export interface SpecCheck {
  name: (typeof SPEC_CHECKS)[keyof typeof SPEC_CHECKS];
  pass: boolean;
  detail?: string;
}

/** Every check that ran (the first failure is the last); `lab` and `prediction` only when all passed. */
export type ExerciseSpec = { lab: LabSpec; prediction: unknown; checks: SpecCheck[] } | { lab?: undefined; prediction?: undefined; checks: SpecCheck[] };

export async function loadExerciseSpec(path: string, solution: LabSpec): Promise<ExerciseSpec> {
  const compiled = await compile(path);
  if ('error' in compiled) return { checks: [{ name: SPEC_CHECKS.compiles, pass: false, detail: compiled.error }] };
  let exported: unknown;
  let prediction: unknown;
  try {
    ({ lab: exported, prediction } = (await import(pathToFileURL(compiled.file).href)) as { lab?: unknown; prediction?: unknown });
  } catch (error) {
    return { checks: [{ name: SPEC_CHECKS.compiles, pass: false, detail: `${displayPath(path)} failed while loading: ${(error as Error).message}` }] };
  } finally {
    // Imported once per content; a check leaves nothing behind in .build.
    rmSync(compiled.file, { force: true });
  }
  if (exported === undefined) {
    return {
      checks: [
        {
          name: SPEC_CHECKS.compiles,
          pass: false,
          detail: `${displayPath(path)} has no \`export const lab: LabSpec = { … }\`: keep the export the exercise started with.`,
        },
      ],
    };
  }
  const checks: SpecCheck[] = [{ name: SPEC_CHECKS.compiles, pass: true }];
  const lab = exported as LabSpec;
  try {
    validateLabSpec(lab);
    checks.push({ name: SPEC_CHECKS.limits, pass: true });
  } catch (error) {
    // Not only LabSpecError: a spec shaped unlike any lab (a field of the wrong type) can make
    // the validator itself throw, and that is still the learner's spec to fix.
    const detail =
      error instanceof LabSpecError
        ? (await locateUnknownKeys(error, [path, ...labSourceFiles(solution.id).filter((file) => file.endsWith('problem.ts'))])).message
        : `${displayPath(path)}: the spec could not be validated (${(error as Error).message}); compare its shape with the exercise's starting state.`;
    return { checks: [...checks, { name: SPEC_CHECKS.limits, pass: false, detail }] };
  }
  const changed = problemChanges(lab, solution);
  if (changed.length > 0) {
    checks.push({
      name: SPEC_CHECKS.problem,
      pass: false,
      detail: `${changed.join('; ')}. The traffic, the work a booking takes and the targets are the lab's problem, not knobs: put back \`...problem\` and \`...problem.processor\` as the exercise had them.`,
    });
    return { checks };
  }
  checks.push({ name: SPEC_CHECKS.problem, pass: true });
  return { lab, prediction, checks };
}

async function compile(path: string): Promise<{ file: string } | { error: string }> {
  try {
    const result = await build({
      entryPoints: [path],
      absWorkingDir: REPO_ROOT,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      write: false,
      logLevel: 'silent',
    });
    const text = result.outputFiles[0].text;
    const dir = join(REPO_ROOT, '.build', 'learner-specs');
    mkdirSync(dir, { recursive: true });
    // A new name per content (an import of the same URL would return the first version) and per
    // process (two checks at once never remove each other's file).
    const file = join(dir, `spec-${process.pid}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`);
    writeFileSync(file, text);
    return { file };
  } catch (error) {
    const described = describeBuildErrors(error);
    if (described === undefined) throw error;
    return { error: described };
  }
}

/** The problem's fields the learner's spec changed, each as "traffic.ratePerSec is 50, the lab's is 100". */
export function problemChanges(lab: LabSpec, solution: LabSpec): string[] {
  const problem = (spec: LabSpec) => ({
    id: spec.id,
    number: spec.number,
    topic: spec.topic,
    traffic: spec.traffic,
    targets: spec.targets,
    processor: { processingMsPerRecord: spec.processor?.processingMsPerRecord, workKind: spec.processor?.workKind },
  });
  return specDifferences(problem(lab), problem(solution));
}

/** Every leaf where `mine` differs from `theirs`, as "kafkaEsm.batchSize is 500, the lab's is 100". */
export function specDifferences(mine: unknown, theirs: unknown, path = ''): string[] {
  if (isDeepStrictEqual(mine, theirs)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(mine) && isObject(theirs)) {
    const keys = [...new Set([...Object.keys(theirs), ...Object.keys(mine)])];
    return keys.flatMap((key) => specDifferences(mine[key], theirs[key], path ? `${path}.${key}` : key));
  }
  return [`${path} is ${JSON.stringify(mine) ?? 'unset'}, the lab's is ${JSON.stringify(theirs) ?? 'unset'}`];
}
