// `workshop check <lab>`: what the learner built, checked the way the lab is. First the files
// (they type-check, AWS would take the spec, the problem is the lab's, the learner's prediction
// is written down; lab 4's handler does what the probes ask), which fails in seconds; only then
// the lab's traffic and targets, run with the learner's spec and handler in the local sandbox
// like any `workshop run` (the live dashboard follows it, the JSON and HTML reports are written
// beside the learner's files), and the lab's own goals. With --target aws the traffic runs on AWS,
// against the learner's exercise as `npm run deploy -- <lab> --from exercises/<lab>` deployed it. Every failure names what to look at
// (checkpoints.ts); the record, with the prediction and how it compared, goes to progress.json.

import { join, resolve } from 'node:path';
import type { HandlerName } from '../../handlers/bundle.ts';
import { displayPath } from '../../labs/display-path.ts';
import type { LabSpec, Place } from '../../labs/lab-spec.ts';
import type { Prediction } from '../../labs/prediction.ts';
import { type DeployedOutputs, REPO_ROOT } from '../../labs/stack-contract.ts';
import { LiveFeedWriter, type LiveRun } from '../dashboard/live-feed.ts';
import { UsageError } from '../errors.ts';
import { type Progress as RunProgress, runLab } from '../run-lab.ts';
import type { LabRunResult, RunReport } from '../run-result.ts';
import type { AwsTargetOptions } from '../targets/aws.ts';
import { loadDeployedOutputs } from '../targets/aws-outputs.ts';
import type { LabTarget } from '../targets/target.ts';
import { checkpointOf } from './checkpoints.ts';
import type { Finding } from './finding.ts';
import { probeBookingProcessor } from './handler-probes.ts';
import { type LoadedSpec, loadLearnerSpec } from './learner-spec.ts';
import { comparePrediction } from './prediction-report.ts';
import { type CheckRecord, recordCheck } from './progress.ts';
import { exercisesDir, fingerprint, labFolder, learnerFiles, writeAtomically } from './workspace.ts';

export interface CheckOptions {
  quick?: boolean;
  timeScale?: number;
  dir?: string;
  onProgress?: (progress: RunProgress) => void;
  /** Where the lab's traffic runs: the local sandbox (default), or the learner's exercise as deployed to AWS. */
  place?: Place;
  /** The AWS target's options (tests: the deploy outputs and mocked clients). */
  aws?: AwsTargetOptions;
}

/** The last check's run, in the learner's lab folder: what `workshop run --json/--html` would write. */
export const CHECK_REPORT_JSON = 'check-report.json';
export const CHECK_REPORT_HTML = 'check-report.html';

export interface CheckReports {
  json: string;
  html: string;
}

export interface CheckOutcome {
  passed: boolean;
  findings: Finding[];
  record: CheckRecord;
  /** Where a damaged progress.json went before this check started a new one. */
  progressSetAside?: string;
  /** Written when the check ran traffic. */
  reports?: CheckReports;
}

/** The learner's files, or the one-line reason there are none to check. */
export function filesToCheck(solution: LabSpec, dir = exercisesDir()) {
  const { files, missing } = learnerFiles(solution, dir);
  if (missing.length === files.length) {
    throw new UsageError(
      `Lab ${solution.number} has no exercise in ${displayPath(labFolder(solution, dir))} yet: start it with \`npx workshop exercise ${solution.number}\` (\`npx workshop run ${solution.number}\` runs the solution).`,
    );
  }
  if (missing.length > 0) {
    throw new UsageError(
      `${missing.map((path) => displayPath(path)).join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing: \`npx workshop exercise ${solution.number}\` writes ${missing.length === 1 ? 'it' : 'them'} again and keeps your other files.`,
    );
  }
  return files;
}

/**
 * `check --target aws` measures what is deployed, so the deployed lab must be this exercise
 * (`npm run deploy -- <lab> --from`, which the deploy records): otherwise a UsageError with the
 * command that deploys it. The AWS target's pre-run checks then compare the deployed mapping with
 * the learner's spec, so a spec changed since the deploy is caught too.
 */
export function requireDeployedExercise(solution: LabSpec, dir: string, deployed: DeployedOutputs | undefined): void {
  const folder = labFolder(solution, dir);
  const deploy = deployCommand(solution, dir);
  const lab = deployed?.lab;
  if (lab?.id !== solution.id) {
    throw new UsageError(
      `Lab ${solution.number} is not deployed to AWS (${lab ? `lab ${lab.id} is` : 'nothing is'}): deploy your exercise with \`${deploy}\`, then check again.`,
    );
  }
  if (lab.from === undefined || resolve(REPO_ROOT, lab.from) !== folder) {
    throw new UsageError(
      `Lab ${solution.number} on AWS was deployed from ${lab.from ?? `labs/${solution.id}/spec.ts`}, not from your exercise ${displayPath(folder)}: deploy yours with \`${deploy}\`, then check again.`,
    );
  }
}

/** The command that deploys the learner's exercise of `solution`'s lab. */
export function deployCommand(solution: LabSpec, dir: string): string {
  return `npm run deploy -- ${solution.number} --from ${displayPath(labFolder(solution, dir))}`;
}

export async function checkExercise(solution: LabSpec, options: CheckOptions = {}): Promise<CheckOutcome> {
  const dir = options.dir ?? exercisesDir();
  const files = filesToCheck(solution, dir);
  if (options.place === 'aws') {
    const outputs = options.aws?.outputs;
    requireDeployedExercise(solution, dir, typeof outputs === 'function' ? outputs() : (outputs ?? loadDeployedOutputs()));
  }
  const print = fingerprint(files.map((f) => f.path));
  const findings: Finding[] = [];

  // Types first: a misspelt key or a wrong type is named at its line in seconds, and a file that
  // does not type-check is neither run nor probed. The compiler loads here, not when the CLI starts.
  const { typeCheck } = await import('./type-check.ts');
  const typeErrors = typeCheck(files.map((f) => f.path));
  const typeChecked = (file: (typeof files)[number]) => {
    const errors = typeErrors.get(file.path) ?? [];
    if (errors.length > 0) findings.push({ name: `${file.name} compiles`, pass: false, detail: errors.join('\n') });
    return errors.length === 0;
  };
  const specFile = files.find((f) => f.role === 'spec')!;
  const loaded: LoadedSpec = typeChecked(specFile) ? await loadLearnerSpec(specFile.path, solution) : { findings: [] };
  findings.push(...loaded.findings);
  const handlers = files.filter((f) => f.role !== 'spec');
  for (const handler of handlers) {
    if (handler.role === 'booking-processor' && typeChecked(handler)) findings.push(...(await probeBookingProcessor(handler.path)));
  }

  let result: LabRunResult | undefined;
  if (loaded.lab && findings.every((f) => f.pass)) {
    const target = await targetFor(options, handlers, deployCommand(solution, dir));
    // The learner's local run is a run like any other: on the live dashboard while it lasts.
    const observer = target.place === 'local' ? (run: LiveRun) => new LiveFeedWriter(run) : undefined;
    try {
      result = await runLab(loaded.lab, target, { quick: options.quick, onProgress: options.onProgress, observer });
    } finally {
      await target.close();
    }
    findings.push(...runFindings(result, loaded.prediction));
  }

  const passed = findings.every((f) => f.pass);
  const record: CheckRecord = {
    at: new Date().toISOString(),
    passed,
    fingerprint: print,
    findings,
    ...(loaded.prediction ? { prediction: loaded.prediction } : {}),
    ...(result && loaded.prediction ? { comparison: comparePrediction(loaded.prediction, result) } : {}),
  };
  const { setAside } = recordCheck(solution.id, record, dir);
  const reports = result ? await writeCheckReports(result, labFolder(solution, dir)) : undefined;
  return { passed, findings, record, progressSetAside: setAside, reports };
}

/** The local sandbox running the learner's handlers, or AWS, where `deploy` put them. */
async function targetFor(options: CheckOptions, handlers: Array<{ role: string; path: string }>, deploy: string): Promise<LabTarget> {
  if (options.place === 'aws') {
    const { AwsTarget } = await import('../targets/aws.ts');
    return new AwsTarget({ ...options.aws, exercise: { deploy } });
  }
  const { LocalTarget } = await import('../targets/local.ts');
  const handlerSources = Object.fromEntries(handlers.map((h) => [h.role as HandlerName, h.path]));
  return new LocalTarget({ timeScale: options.timeScale, handlerSources });
}

/** The run's targets and the lab's goals, as findings; a failed target keeps the model's explanation. */
export function runFindings(result: LabRunResult, prediction: Prediction): Finding[] {
  const targets = result.targets.map(
    (t): Finding => ({ name: t.name, pass: t.pass, measured: `${t.actual} (target ${t.expected})`, ...(t.pass ? {} : { detail: t.reason }) }),
  );
  const goals = checkpointOf(result.config.id).goals.map(
    (g): Finding => ({ name: g.name, pass: g.met(result, prediction), measured: g.measured(result, prediction) }),
  );
  return [...targets, ...goals];
}

/** The check's run as `workshop run --json --html` writes it, beside the learner's files. */
async function writeCheckReports(result: LabRunResult, folder: string): Promise<CheckReports> {
  const { renderHtmlReport } = await import('../report/html.ts');
  const report: RunReport = { generatedAt: new Date().toISOString(), labs: [result] };
  const reports = { json: join(folder, CHECK_REPORT_JSON), html: join(folder, CHECK_REPORT_HTML) };
  writeAtomically(reports.json, `${JSON.stringify(report, null, 2)}\n`);
  writeAtomically(reports.html, renderHtmlReport(report));
  return reports;
}
