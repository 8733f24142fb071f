// `npm run deploy -- <lab>`: deploy one lab to AWS.
//
//   npm run deploy -- 2               lab 2 (also: 02-low-latency, low-latency)
//   npm run deploy -- base            only the base stack (network, cluster, topics, producer, dashboard)
//   npm run deploy -- 3 --base        re-apply the base too (after changing modules/ or a topic)
//   npm run deploy -- 3 --dry-run     print the steps, change nothing
//   npm run deploy -- 2 --from exercises/02-low-latency
//                                     lab 2 as the learner built it: their spec.ts (and lab 4's
//                                     booking-processor.ts) in place of labs/<lab>/; the record
//                                     says so, and `workshop check <lab> --target aws` checks it
//
// Steps: synthesize (labs/synth.ts), destroy the lab deployed before (so only one pipeline
// consumes the shared topic at a time), apply the base if it is not deployed yet, apply the
// lab. With WORKSHOP_STATE_BUCKET set (a hosted event) the states are in that S3 bucket, and a base
// found there counts as deployed. Each stack is applied with Terraform itself on cdktf.out/stacks/<stack> (cdktf-cli is
// not needed). What is deployed is recorded in .deploy/deployed.json after every step, and the
// stacks' outputs (function names, ESM UUIDs, queue URLs, dashboard) in .deploy/outputs.json
// for the harness.
//
// This file is the command line only; labs/deploy/ holds its parts (arguments, plan, record,
// terraform, aws-checks, execute), which labs/destroy.ts shares.
import { parseDeployArgs, resolveTarget } from './deploy/arguments.ts';
import { checkAccountConcurrency, preflight } from './deploy/aws-checks.ts';
import { runCli } from './deploy/cli.ts';
import { executeSteps, synthForDeploy } from './deploy/execute.ts';
import { describeExercise, loadExerciseForDeploy } from './deploy/from-exercise.ts';
import { checkPrefix, checkRegion, formatPlan, planDeploy } from './deploy/plan.ts';
import { heldStacks, readRecord, withDeployedBase } from './deploy/record.ts';
import { runsAsScript } from './entry-point.ts';
import { labsWithExercise } from './exercise-spec.ts';
import { participantPrefix } from './participant.ts';
import { resolveRegion } from './region.ts';
import { DEFAULT_STATE_DIR, OUTPUTS_FILE, stateBackendFromEnv } from './stack-contract.ts';

async function main(argv: string[]): Promise<number> {
  const { LABS, findLab, labChoices } = await import('./index.ts');
  const args = parseDeployArgs(argv, labChoices());
  const target = resolveTarget(args.target, findLab, labChoices());
  // The exercise is read before anything else: a folder that cannot be deployed is one line.
  const exercise = args.from !== undefined && target !== 'base' ? await loadExerciseForDeploy(args.from, target, LABS) : undefined;
  const labs = labsWithExercise(LABS, exercise?.lab);
  const prefix = participantPrefix();
  const region = await resolveRegion();
  let record = readRecord();
  checkRegion(record, region);
  checkPrefix(record, prefix);
  const backend = stateBackendFromEnv(DEFAULT_STATE_DIR, region);
  // At a hosted event the base was deployed by the event's CodeBuild project into the shared state
  // bucket, so this machine's record does not know it yet: the bucket does.
  if (backend.kind === 's3' && !args.dryRun) record = withDeployedBase(record, await heldStacks([], backend), region);
  const steps = planDeploy(target, record, { refreshBase: args.refreshBase, from: exercise?.folder });
  console.log(`Deploy plan (region ${region}, prefix ${prefix}):\n${formatPlan(steps)}`);
  if (exercise) console.log(describeExercise(exercise));
  if (args.dryRun) return 0;
  await preflight(region);
  if (target !== 'base') await checkAccountConcurrency(exercise?.lab ?? target, region);
  if (!(await synthForDeploy(LABS, region, prefix, exercise))) return 1;
  await executeSteps(steps, { region, prefix, labs });
  console.log(`\nDone. Outputs for the harness: ${OUTPUTS_FILE}`);
  if (exercise) console.log(`Check it on AWS: npx workshop check ${exercise.lab.number} --target aws`);
  return 0;
}

if (runsAsScript(import.meta.url)) {
  await runCli(main);
}
