// `npm run destroy`: take down what `npm run deploy` put up.
//
//   npm run destroy                   the lab deployed now (the base stays, ready for the next lab)
//   npm run destroy -- 4              lab 4's stack
//   npm run destroy -- --all          the lab deployed now (and any lab whose state still holds
//                                     resources), then the base (cluster, VPC, functions)
//   npm run destroy -- base           same as --all: a lab cannot outlive the base it reads
//   npm run destroy -- --dry-run      print the steps, change nothing
//
// Destroying the base can take 20+ minutes: Lambda releases the VPC network interfaces of the
// producer and topic-admin functions slowly, and the subnets wait for them.
import { parseDestroyArgs, resolveTarget } from './deploy/arguments.ts';
import { preflight } from './deploy/aws-checks.ts';
import { runCli } from './deploy/cli.ts';
import { executeSteps, synthForDeploy } from './deploy/execute.ts';
import { checkPrefix, checkRegion, formatPlan, planDestroy } from './deploy/plan.ts';
import { heldStacks, readRecord } from './deploy/record.ts';
import { runsAsScript } from './entry-point.ts';
import { participantPrefix } from './participant.ts';
import { resolveRegion } from './region.ts';
import { DEFAULT_STATE_DIR, stateBackendFromEnv } from './stack-contract.ts';

async function main(argv: string[]): Promise<number> {
  const { LABS, findLab, labChoices } = await import('./index.ts');
  const args = parseDestroyArgs(argv, labChoices());
  const target = args.target === undefined ? undefined : resolveTarget(args.target, findLab, labChoices());
  const prefix = participantPrefix();
  const region = await resolveRegion();
  const record = readRecord();
  checkRegion(record, region);
  checkPrefix(record, prefix);
  // With a state bucket (a hosted event) the states are read from S3, so --all also finds the base
  // the event's CodeBuild project deployed.
  const held = await heldStacks(
    LABS.map((lab) => lab.id),
    stateBackendFromEnv(DEFAULT_STATE_DIR, region),
  );
  const steps = planDestroy(target, args.all, record, held);
  console.log(`Destroy plan (region ${region}, prefix ${prefix}):\n${formatPlan(steps)}`);
  if (args.dryRun || steps.length === 0) return 0;
  await preflight(region);
  if (!(await synthForDeploy(LABS, region, prefix))) return 1;
  await executeSteps(steps, { region, prefix, labs: LABS });
  console.log('\nDone.');
  return 0;
}

if (runsAsScript(import.meta.url)) {
  await runCli(main);
}
