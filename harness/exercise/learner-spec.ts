// The learner's spec.ts, loaded as the workshop would run it: compiled with esbuild (a syntax
// error comes back as file:line:column, not a stack), checked against AWS's limits, and checked
// to keep the lab's problem (traffic, work, targets): a check measures the lab, not a new one.

import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { build } from 'esbuild';
import { type LabSpec, LabSpecError, validateLabSpec } from '../../labs/lab-spec.ts';
import { PREDICTED, type Prediction } from '../../labs/prediction.ts';
import { labSourceFiles, locateUnknownKeys } from '../../labs/spec-source.ts';
import { REPO_ROOT } from '../../labs/stack-contract.ts';
import { displayPath } from '../display-path.ts';
import { describeBuildErrors } from './build-errors.ts';
import { PREDICTION_WRITTEN } from './checkpoints.ts';
import type { Finding } from './finding.ts';
import { predictionProblems, unwritten } from './prediction-report.ts';

export type LoadedSpec = { lab: LabSpec; prediction: Prediction; findings: Finding[] } | { lab?: undefined; prediction?: undefined; findings: Finding[] };

export async function loadLearnerSpec(path: string, solution: LabSpec): Promise<LoadedSpec> {
  const compiled = await compile(path);
  if ('error' in compiled) return { findings: [{ name: 'spec.ts compiles', pass: false, detail: compiled.error }] };
  let exported: unknown;
  let predicted: unknown;
  try {
    ({ lab: exported, prediction: predicted } = (await import(pathToFileURL(compiled.file).href)) as { lab?: unknown; prediction?: unknown });
  } catch (error) {
    return { findings: [{ name: 'spec.ts compiles', pass: false, detail: `${displayPath(path)} failed while loading: ${(error as Error).message}` }] };
  } finally {
    // Imported once per content; a check leaves nothing behind in .build.
    rmSync(compiled.file, { force: true });
  }
  if (exported === undefined) {
    return {
      findings: [
        {
          name: 'spec.ts compiles',
          pass: false,
          detail: `${displayPath(path)} has no \`export const lab: LabSpec = { … }\`: keep the export the exercise started with.`,
        },
      ],
    };
  }
  const findings: Finding[] = [{ name: 'spec.ts compiles', pass: true }];
  const lab = exported as LabSpec;
  try {
    validateLabSpec(lab);
    findings.push({ name: "within AWS's limits", pass: true });
  } catch (error) {
    // Not only LabSpecError: a spec shaped unlike any lab (a field of the wrong type) can make
    // the validator itself throw, and that is still the learner's spec to fix.
    const detail =
      error instanceof LabSpecError
        ? (await locateUnknownKeys(error, [path, ...labSourceFiles(solution.id).filter((file) => file.endsWith('problem.ts'))])).message
        : `${displayPath(path)}: the spec could not be validated (${(error as Error).message}); compare its shape with the exercise's starting state.`;
    return { findings: [...findings, { name: "within AWS's limits", pass: false, detail }] };
  }
  const changed = problemChanges(lab, solution);
  findings.push(
    changed.length === 0
      ? { name: "the lab's problem is unchanged", pass: true }
      : {
          name: "the lab's problem is unchanged",
          pass: false,
          detail: `${changed.join('; ')}. The traffic, the work a booking takes and the targets are the lab's problem, not knobs: put back \`...problem\` and \`...problem.processor\` as the exercise had them.`,
        },
  );
  if (changed.length > 0) return { findings };
  const prediction = (predicted ?? {}) as Prediction;
  const missing = unwritten(prediction);
  const wrong = predictionProblems(prediction);
  findings.push(
    missing.length === 0 && wrong.length === 0
      ? { name: PREDICTION_WRITTEN, pass: true, measured: PREDICTED.map(({ key }) => `${key} ${prediction[key]}`).join(', ') }
      : {
          name: PREDICTION_WRITTEN,
          pass: false,
          measured: [missing.length > 0 ? `not yet written: ${missing.map((key) => `prediction.${key}`).join(', ')}` : '', ...wrong].filter(Boolean).join('; '),
        },
  );
  return missing.length === 0 && wrong.length === 0 ? { lab, prediction, findings } : { findings };
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
  return differences(problem(lab), problem(solution), '');
}

function differences(mine: unknown, theirs: unknown, path: string): string[] {
  if (isDeepStrictEqual(mine, theirs)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(mine) && isObject(theirs)) {
    const keys = [...new Set([...Object.keys(theirs), ...Object.keys(mine)])];
    return keys.flatMap((key) => differences(mine[key], theirs[key], path ? `${path}.${key}` : key));
  }
  return [`${path} is ${JSON.stringify(mine) ?? 'unset'}, the lab's is ${JSON.stringify(theirs) ?? 'unset'}`];
}
