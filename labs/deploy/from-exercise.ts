// `npm run deploy -- <lab> --from exercises/<lab>`: the learner's exercise deployed in place of
// labs/<lab>/spec.ts. Everything that can be wrong with the folder is found here, before the
// deploy asks AWS or Terraform anything: the folder, whose exercise it is, the spec (the same
// loader and checks as `workshop check`, labs/exercise-spec.ts, so the same errors) and the
// handler it carries (bundled now, so a syntax error is a line, not a failed synth).
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { bundleHandlerSync, type HandlerName, LEARNER_BUNDLES } from '../../handlers/bundle.ts';
import { describeBuildErrors } from '../build-errors.ts';
import { displayPath } from '../display-path.ts';
import { EXERCISE_SPEC_FILE, exerciseHandlerFile, loadExerciseSpec, specDifferences } from '../exercise-spec.ts';
import type { LabSpec } from '../lab-spec.ts';
import { REPO_ROOT } from '../stack-contract.ts';
import type { ExerciseStack } from '../stacks.ts';
import { DeployError } from './deploy-error.ts';

export interface DeployedExercise extends ExerciseStack {
  /** The folder relative to the repository (absolute when outside it), as the deploy record keeps it. */
  folder: string;
  /** The spec's settings that differ from labs/<lab>/spec.ts, as "kafkaEsm.batchSize is 500, the lab's is 100". */
  changes: string[];
}

/** The handlers a lab's own stack runs (labs/stacks.ts LabStack): only these can come from an exercise. */
function labHandlers(lab: LabSpec): HandlerName[] {
  return lab.sqsBuffer ? ['sqs-forwarder', 'sqs-processor'] : ['booking-processor'];
}

/**
 * The exercise in `from` for `reference`'s lab, or a DeployError ('badInput') saying what is
 * wrong with it and how to fix it. `labs` are the workshop's labs (whose exercise a folder is).
 */
export async function loadExerciseForDeploy(from: string, reference: LabSpec, labs: readonly LabSpec[], cwd = process.cwd()): Promise<DeployedExercise> {
  const folder = resolve(cwd, from);
  const start = `\`npx workshop exercise ${reference.number}\` writes it to exercises/${reference.id}/`;
  if (!existsSync(folder)) {
    throw new DeployError(`--from ${from}: there is no such folder; give your lab ${reference.number} exercise folder (${start}).`, 'badInput');
  }
  if (!statSync(folder).isDirectory()) {
    throw new DeployError(`--from ${from} is a file; give the exercise's folder, as in --from exercises/${reference.id}.`, 'badInput');
  }
  const other = labs.find((lab) => lab.id === basename(folder) && lab.id !== reference.id);
  if (other) {
    throw new DeployError(
      `--from ${from} is lab ${other.number}'s exercise, not lab ${reference.number}'s: deploy it with npm run deploy -- ${other.number} --from ${from}, or give --from exercises/${reference.id}.`,
      'badInput',
    );
  }
  const specPath = join(folder, EXERCISE_SPEC_FILE);
  if (!existsSync(specPath)) {
    throw new DeployError(`--from ${from} has no ${EXERCISE_SPEC_FILE}: ${start}.`, 'badInput');
  }
  const loaded = await loadExerciseSpec(specPath, reference);
  if (!loaded.lab) {
    const failed = loaded.checks.find((check) => !check.pass);
    throw new DeployError(
      `${displayPath(specPath)} cannot be deployed (${failed?.name ?? 'its checks'} failed; \`npx workshop check ${reference.number}\` says the same): ${failed?.detail ?? ''}`,
      'badInput',
    );
  }
  await checkTopics(loaded.lab, labs);
  const handlerSources: Partial<Record<HandlerName, string>> = {};
  for (const handler of labHandlers(loaded.lab)) {
    const source = join(folder, exerciseHandlerFile(handler));
    if (!existsSync(source)) continue;
    try {
      bundleHandlerSync(handler, { entry: source, outRoot: LEARNER_BUNDLES });
    } catch (error) {
      const described = describeBuildErrors(error);
      if (described === undefined) throw error;
      throw new DeployError(`${displayPath(source)} does not build, so it cannot be deployed: fix these and deploy again:\n${described}`, 'badInput');
    }
    handlerSources[handler] = source;
  }
  return { folder: displayPath(folder, REPO_ROOT), lab: loaded.lab, handlerSources, changes: specDifferences(loaded.lab, reference) };
}

/** The base stack is the workshop's, unchanged: an exercise may use only the topics it creates. */
async function checkTopics(lab: LabSpec, labs: readonly LabSpec[]): Promise<void> {
  const { workshopTopics } = await import('../stacks.ts');
  const created = new Set(workshopTopics(labs).map((topic) => topic.name));
  const missing = workshopTopics([lab]).filter((topic) => !created.has(topic.name));
  if (missing.length > 0) {
    throw new DeployError(
      `Your spec uses the topic ${missing.map((t) => t.name).join(', ')}, which the base stack does not create: use one of ${[...created].join(', ')}.`,
      'badInput',
    );
  }
}

/** What the dry run and the deploy print about the exercise: what differs from the lab's spec, and which handler is the learner's. */
export function describeExercise(exercise: DeployedExercise): string {
  const spec = `labs/${exercise.lab.id}/${EXERCISE_SPEC_FILE}`;
  return [
    `From your exercise ${exercise.folder}:`,
    ...(exercise.changes.length === 0
      ? [`  ${EXERCISE_SPEC_FILE}: the same settings as ${spec}`]
      : [`  ${EXERCISE_SPEC_FILE}, where it differs from ${spec}:`, ...exercise.changes.map((change) => `    ${change}`)]),
    ...Object.entries(exercise.handlerSources).map(([handler, source]) => `  ${displayPath(source, REPO_ROOT)}: deployed in place of handlers/${handler}.ts`),
  ].join('\n');
}
