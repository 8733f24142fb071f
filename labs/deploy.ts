// `npm run deploy -- <lab>`: deploy one lab to AWS.
//
//   npm run deploy -- 2               lab 2 (also: 02-low-latency, low-latency)
//   npm run deploy -- base            only the base stack (network, cluster, topics, producer, dashboard)
//   npm run deploy -- 3 --base        re-apply the base too (after changing modules/ or a topic)
//   npm run deploy -- 3 --dry-run     print the steps, change nothing
//
// Steps: synthesize (labs/synth.ts), destroy the lab deployed before (so only one pipeline
// consumes the shared topic at a time), apply the base if it is not deployed yet, apply the
// lab. Each stack is applied with Terraform itself on cdktf.out/stacks/<stack> (cdktf-cli is
// not needed). What is deployed is recorded in .deploy/deployed.json after every step, and the
// stacks' outputs (function names, ESM UUIDs, queue URLs, dashboard) in .deploy/outputs.json
// for the harness.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GetEventSourceMappingCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { concurrencyProblem } from './account-concurrency.ts';
import { mappingProblem } from './esm-health.ts';
import type { LabSpec, SystemLogLevel } from './lab-spec.ts';
import { BASE_STACK, DEFAULT_OUTDIR, DEFAULT_STATE_DIR, LAB_OUTPUTS, labStackName, OUTPUTS_FILE, writeDeployedOutputs, type DeployedOutputs } from './stack-contract.ts';
import { resolveRegion } from './region.ts';
import { runsAsScript } from './entry-point.ts';

export const RECORD_FILE = join(DEFAULT_STATE_DIR, 'deployed.json');
/** One download of the AWS provider for all stacks (it is several hundred MB). */
export const PLUGIN_CACHE_DIR = join(DEFAULT_STATE_DIR, 'plugin-cache');

/** What is deployed, as the deploy and destroy scripts left it. */
export interface DeployRecord {
  region?: string;
  baseDeployed: boolean;
  /** Id of the lab whose stack is deployed, if any. */
  currentLab?: string;
}

export interface Step {
  action: 'apply' | 'destroy';
  stack: string;
  /** Lab id for lab stacks. */
  labId?: string;
  why: string;
}

/** What `deploy` and `destroy` print and exit with when they cannot go on. */
export class DeployError extends Error {
  override name = 'DeployError';
}

// ---------------------------------------------------------------- arguments

export interface DeployArgs {
  /** A lab number, id or short name, or "base". */
  target: string;
  refreshBase: boolean;
  dryRun: boolean;
}

export interface DestroyArgs {
  /** Unset: the lab deployed now. */
  target?: string;
  all: boolean;
  dryRun: boolean;
}

function splitFlags(argv: string[], known: string[], usage: string): { flags: Set<string>; positional: string[] } {
  const flags = new Set<string>();
  const positional: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('--')) {
      if (!known.includes(arg)) throw new DeployError(`Unknown option ${arg}. ${usage}`);
      flags.add(arg);
    } else positional.push(arg);
  }
  return { flags, positional };
}

export function deployUsage(choices: string): string {
  return `Usage: npm run deploy -- <lab|base> [--base] [--dry-run]; labs: ${choices}.`;
}

export function destroyUsage(choices: string): string {
  return `Usage: npm run destroy -- [<lab>] [--all] [--dry-run]; without a lab it destroys the lab deployed now, --all also the base; labs: ${choices}.`;
}

export function parseDeployArgs(argv: string[], choices: string): DeployArgs {
  const usage = deployUsage(choices);
  const { flags, positional } = splitFlags(argv, ['--base', '--dry-run'], usage);
  if (positional.length !== 1) {
    throw new DeployError(positional.length === 0 ? `Which lab? ${usage}` : `One lab at a time, got ${positional.join(' ')}. ${usage}`);
  }
  return { target: positional[0], refreshBase: flags.has('--base'), dryRun: flags.has('--dry-run') };
}

export function parseDestroyArgs(argv: string[], choices: string): DestroyArgs {
  const usage = destroyUsage(choices);
  const { flags, positional } = splitFlags(argv, ['--all', '--dry-run'], usage);
  if (positional.length > 1) throw new DeployError(`One lab at a time, got ${positional.join(' ')}. ${usage}`);
  if (positional.length === 1 && flags.has('--all')) {
    throw new DeployError(`--all destroys everything deployed; give either a lab or --all. ${usage}`);
  }
  return { target: positional[0], all: flags.has('--all'), dryRun: flags.has('--dry-run') };
}

/** A lab (by number, id or short name) or "base"; a readable error otherwise. */
export function resolveTarget(target: string, findLab: (key: string) => LabSpec | undefined, choices: string): LabSpec | 'base' {
  if (target === BASE_STACK) return 'base';
  const lab = findLab(target);
  if (!lab) throw new DeployError(`There is no lab "${target}": use one of ${choices}, or base.`);
  return lab;
}

// ---------------------------------------------------------------- plans (pure)

/** Which stacks to destroy and apply, in order, to end with `target` deployed. */
export function planDeploy(target: LabSpec | 'base', record: DeployRecord, options: { refreshBase?: boolean } = {}): Step[] {
  const steps: Step[] = [];
  const labId = target === 'base' ? undefined : target.id;
  if (record.currentLab !== undefined && record.currentLab !== labId && labId !== undefined) {
    steps.push({
      action: 'destroy',
      stack: labStackName({ id: record.currentLab }),
      labId: record.currentLab,
      why: `only one pipeline consumes the topic at a time; lab ${record.currentLab} makes way for ${labId}`,
    });
  }
  if (!record.baseDeployed || options.refreshBase || target === 'base') {
    steps.push({ action: 'apply', stack: BASE_STACK, why: record.baseDeployed ? 'update the base' : 'the base is not deployed yet' });
  }
  if (labId !== undefined) {
    steps.push({
      action: 'apply',
      stack: labStackName(target as LabSpec),
      labId,
      why: record.currentLab === labId ? `update lab ${labId}` : `deploy lab ${labId}`,
    });
  }
  return steps;
}

/** Which stacks to destroy, lab before base (a lab reads the base's outputs). */
export function planDestroy(target: LabSpec | 'base' | undefined, all: boolean, record: DeployRecord): Step[] {
  const steps: Step[] = [];
  const destroyLab = (id: string, why: string) => steps.push({ action: 'destroy', stack: labStackName({ id }), labId: id, why });
  if (all || target === 'base') {
    if (record.currentLab !== undefined) destroyLab(record.currentLab, 'a lab stack goes before the base it reads');
    if (record.baseDeployed) steps.push({ action: 'destroy', stack: BASE_STACK, why: 'asked for: cluster, network and functions' });
    return steps;
  }
  if (target !== undefined) {
    destroyLab(target.id, record.currentLab === target.id ? 'asked for' : 'asked for (not recorded as deployed; destroys whatever its state holds)');
    return steps;
  }
  if (record.currentLab !== undefined) destroyLab(record.currentLab, 'the lab deployed now');
  return steps;
}

/** The record after a step succeeded. */
export function applyStep(record: DeployRecord, step: Step, region: string): DeployRecord {
  const next: DeployRecord = { ...record, region };
  if (step.stack === BASE_STACK) next.baseDeployed = step.action === 'apply';
  else if (step.action === 'apply') next.currentLab = step.labId;
  else if (record.currentLab === step.labId) delete next.currentLab;
  if (!next.baseDeployed && next.currentLab === undefined) delete next.region;
  return next;
}

/** Deploying into another region than the recorded deployment would orphan it. */
export function checkRegion(record: DeployRecord, region: string): void {
  if (record.region && record.region !== region && (record.baseDeployed || record.currentLab)) {
    throw new DeployError(
      `The workshop is deployed in ${record.region} but AWS_REGION is ${region}: set AWS_REGION=${record.region} (or destroy with it first, npm run destroy -- --all).`,
    );
  }
}

/** Kafka ESM settings Terraform cannot apply, set with UpdateEventSourceMapping after apply. */
export interface PostApplySettings {
  MaximumBatchingWindowInSeconds?: 0;
  LoggingConfig?: { SystemLogLevel: SystemLogLevel };
}

/**
 * What the pinned provider cannot express, so the deploy sets it after apply:
 * - a 0 s window: on create, maximum_batching_window_in_seconds is sent only when non-zero (the
 *   provider uses GetOk, which treats 0 as unset), so a Kafka ESM created with 0 would get the
 *   500 ms Kafka default;
 * - LoggingConfig: aws_lambda_event_source_mapping has no logging_config argument in provider
 *   6.66.0 (modules/provider-values.ts), although the Lambda API takes it (API_EventSourceMappingLoggingConfig.html).
 */
export function postApplySettings(lab: LabSpec): PostApplySettings | undefined {
  const settings: PostApplySettings = {};
  if (lab.kafkaEsm.batchingWindowSeconds === 0) settings.MaximumBatchingWindowInSeconds = 0;
  if (lab.kafkaEsm.systemLogLevel) settings.LoggingConfig = { SystemLogLevel: lab.kafkaEsm.systemLogLevel };
  return Object.keys(settings).length > 0 ? settings : undefined;
}

export function formatPlan(steps: Step[]): string {
  if (steps.length === 0) return 'Nothing to do.';
  return steps.map((s, i) => `  ${i + 1}. terraform ${s.action} ${s.stack}  (${s.why})`).join('\n');
}

// ---------------------------------------------------------------- records

export function readRecord(file = RECORD_FILE): DeployRecord {
  if (!existsSync(file)) return { baseDeployed: false };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<DeployRecord>;
    const record: DeployRecord = { baseDeployed: parsed.baseDeployed === true };
    if (typeof parsed.currentLab === 'string') record.currentLab = parsed.currentLab;
    if (typeof parsed.region === 'string') record.region = parsed.region;
    return record;
  } catch {
    throw new DeployError(`${file} is not valid JSON: fix or delete it (it only records what is deployed).`);
  }
}

export function writeRecord(record: DeployRecord, file = RECORD_FILE): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}

// ---------------------------------------------------------------- running Terraform

export interface TerraformRunner {
  run(stack: string, args: string[]): void;
  output(stack: string): Record<string, unknown>;
}

function stackDir(stack: string): string {
  return join(DEFAULT_OUTDIR, 'stacks', stack);
}

function terraformEnv(): NodeJS.ProcessEnv {
  mkdirSync(PLUGIN_CACHE_DIR, { recursive: true });
  return { ...process.env, TF_IN_AUTOMATION: '1', TF_PLUGIN_CACHE_DIR: process.env.TF_PLUGIN_CACHE_DIR ?? PLUGIN_CACHE_DIR };
}

export const terraform: TerraformRunner = {
  run(stack, args) {
    const result = spawnSync('terraform', [`-chdir=${stackDir(stack)}`, ...args], { stdio: 'inherit', env: terraformEnv() });
    if (result.error) throw new DeployError(`Could not run terraform: ${result.error.message}.`);
    if (result.status !== 0) throw new DeployError(`terraform ${args[0]} failed for stack ${stack} (exit ${result.status}): see its output above.`);
  },
  output(stack) {
    const result = spawnSync('terraform', [`-chdir=${stackDir(stack)}`, 'output', '-json'], { encoding: 'utf8', env: terraformEnv() });
    if (result.status !== 0) throw new DeployError(`terraform output failed for stack ${stack}: ${result.stderr.trim().split('\n')[0]}`);
    const outputs = JSON.parse(result.stdout) as Record<string, { value: unknown }>;
    return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
  },
};

/**
 * The AWS SDK warns at load time that its 2027 releases will need Node 22; the workshop pins
 * an SDK version and supports Node 20, so that warning would only bury our one-line errors.
 * The SDK's own switch turns it off.
 */
function quietSdkNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** Terraform on PATH and AWS credentials, or one sentence saying what to do. */
export async function preflight(region: string): Promise<void> {
  const version = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    throw new DeployError('terraform was not found on PATH: install Terraform 1.5 or newer (https://developer.hashicorp.com/terraform/install) and run again.');
  }
  quietSdkNodeVersionWarning();
  const { LambdaClient } = await import('@aws-sdk/client-lambda');
  const client = new LambdaClient({ region });
  try {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), 15_000).unref());
    const credentials = await Promise.race([client.config.credentials(), timeout]);
    if (!credentials?.accessKeyId) throw new Error('empty');
  } catch {
    throw new DeployError(
      'No AWS credentials found (environment, AWS_PROFILE, ~/.aws config, SSO or instance role): run `aws configure` or `aws sso login`, or set AWS_PROFILE, then run again.',
    );
  } finally {
    client.destroy();
  }
}

/** GetAccountSettings, then a DeployError when the account's concurrency cannot run the lab. */
export async function checkAccountConcurrency(lab: LabSpec, region: string, client?: LambdaClient): Promise<void> {
  quietSdkNodeVersionWarning();
  const { LambdaClient: Client, GetAccountSettingsCommand } = await import('@aws-sdk/client-lambda');
  const lambda = client ?? new Client({ region });
  try {
    const settings = await lambda.send(new GetAccountSettingsCommand({}));
    const limit = settings.AccountLimit?.ConcurrentExecutions;
    const unreserved = settings.AccountLimit?.UnreservedConcurrentExecutions;
    if (limit === undefined || unreserved === undefined) return;
    const problem = concurrencyProblem(lab, { limit, unreserved });
    if (problem) throw new DeployError(problem);
  } finally {
    if (!client) lambda.destroy();
  }
}

/** Waits until a mapping has left Creating/Updating/Enabling (MSK: minutes); returns it. */
async function settledMapping(lambda: LambdaClient, uuid: string, clock: DeployClock): Promise<GetEventSourceMappingCommandOutput> {
  const { GetEventSourceMappingCommand } = await import('@aws-sdk/client-lambda');
  const deadline = clock.now() + 15 * 60_000;
  for (;;) {
    const esm = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    if (esm.State === 'Enabled' || esm.State === 'Disabled') return esm;
    if (clock.now() > deadline) throw new DeployError(`ESM ${uuid} is still ${esm.State} after 15 minutes: look at it in the Lambda console, then run the deploy again.`);
    await clock.sleep(10_000);
  }
}

export interface DeployClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: DeployClock = { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** Applies postApplySettings to the lab's Kafka ESM with one UpdateEventSourceMapping. */
export async function applyPostApplySettings(region: string, esmUuid: string, settings: PostApplySettings, client?: LambdaClient): Promise<void> {
  quietSdkNodeVersionWarning();
  const { LambdaClient: Client, UpdateEventSourceMappingCommand } = await import('@aws-sdk/client-lambda');
  const lambda = client ?? new Client({ region });
  try {
    // An ESM accepts updates only once it has left Creating/Updating.
    await settledMapping(lambda, esmUuid, realClock);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: esmUuid, ...settings }));
    console.log(`Set ${Object.keys(settings).join(' and ')} on ESM ${esmUuid} (the Terraform provider cannot).`);
  } finally {
    if (!client) lambda.destroy();
  }
}

export interface MappingWatch {
  client?: LambdaClient;
  clock?: DeployClock;
  /** How long to watch an Enabled mapping for a PROBLEM before trusting it. Default 2 minutes. */
  watchMs?: number;
}

/**
 * After a lab is applied: waits for each mapping to settle, then watches it until AWS reports OK,
 * or for `watchMs`. A PROBLEM (network, STS, permissions: labs/esm-health.ts) is a DeployError
 * with AWS's message and the likely fix, instead of an Enabled mapping whose first run loses
 * every event.
 */
export async function awaitMappingsWorking(region: string, mappings: { uuid: string; what: string }[], labId: string, watch: MappingWatch = {}): Promise<void> {
  quietSdkNodeVersionWarning();
  const { LambdaClient: Client, GetEventSourceMappingCommand } = await import('@aws-sdk/client-lambda');
  const lambda = watch.client ?? new Client({ region });
  const clock = watch.clock ?? realClock;
  try {
    for (const { uuid, what } of mappings) {
      let esm = await settledMapping(lambda, uuid, clock);
      const until = clock.now() + (watch.watchMs ?? 120_000);
      for (;;) {
        const problem = mappingProblem(esm, what, labId);
        if (problem) throw new DeployError(`${problem} (The stack is deployed; nothing was rolled back.)`);
        if (esm.LastProcessingResult === 'OK' || clock.now() >= until) break;
        await clock.sleep(10_000);
        esm = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
      }
      console.log(`${what} ${uuid}: ${esm.State}, ${esm.LastProcessingResult ?? 'no processing result yet'}.`);
    }
  } finally {
    if (!watch.client) lambda.destroy();
  }
}

export interface ExecuteOptions {
  region: string;
  labs: readonly LabSpec[];
  runner?: TerraformRunner;
  recordFile?: string;
  outputsFile?: string;
  applySettings?: (region: string, esmUuid: string, settings: PostApplySettings) => Promise<void>;
  /** After a lab is applied; default awaitMappingsWorking. */
  checkMappings?: (region: string, mappings: { uuid: string; what: string }[], labId: string) => Promise<void>;
}

/** Runs the steps in order, recording progress after each, then writes the outputs file. */
export async function executeSteps(steps: Step[], options: ExecuteOptions): Promise<DeployRecord> {
  const runner = options.runner ?? terraform;
  const recordFile = options.recordFile ?? RECORD_FILE;
  let record = readRecord(recordFile);
  for (const step of steps) {
    console.log(`\n==> terraform ${step.action} ${step.stack} (${step.why})`);
    runner.run(step.stack, ['init', '-input=false']);
    runner.run(step.stack, step.action === 'apply' ? ['apply', '-auto-approve', '-input=false'] : ['destroy', '-auto-approve', '-input=false']);
    if (step.action === 'apply' && step.labId) {
      const lab = options.labs.find((l) => l.id === step.labId);
      const outputs = runner.output(step.stack);
      const kafkaUuid = outputs[LAB_OUTPUTS.kafkaEsmUuid];
      const sqsUuid = outputs[LAB_OUTPUTS.sqsEsmUuid];
      const settings = lab ? postApplySettings(lab) : undefined;
      if (settings && typeof kafkaUuid === 'string') await (options.applySettings ?? applyPostApplySettings)(options.region, kafkaUuid, settings);
      const mappings = [
        ...(typeof kafkaUuid === 'string' ? [{ uuid: kafkaUuid, what: 'Kafka event source mapping' }] : []),
        ...(typeof sqsUuid === 'string' ? [{ uuid: sqsUuid, what: 'SQS event source mapping' }] : []),
      ];
      await (options.checkMappings ?? awaitMappingsWorking)(options.region, mappings, step.labId);
    }
    record = applyStep(record, step, options.region);
    writeRecord(record, recordFile);
  }
  writeDeployedOutputs(deployedOutputs(record, runner, options.region), options.outputsFile ?? OUTPUTS_FILE);
  return record;
}

/** What Terraform reports for the recorded stacks; undefined when nothing is deployed. */
function deployedOutputs(record: DeployRecord, runner: TerraformRunner, region: string): DeployedOutputs | undefined {
  if (!record.baseDeployed) return undefined;
  const outputs: DeployedOutputs = { region, base: runner.output(BASE_STACK) };
  if (record.currentLab) {
    const stack = labStackName({ id: record.currentLab });
    outputs.lab = { id: record.currentLab, stack, outputs: runner.output(stack) };
  }
  return outputs;
}

/** Synthesizes every stack for `region`; false (with the message printed) when a lab is invalid. */
export async function synthForDeploy(labs: readonly LabSpec[], region: string): Promise<boolean> {
  const { runSynth } = await import('./synth.ts');
  return runSynth(labs, { region }) === 0;
}

async function main(argv: string[]): Promise<number> {
  const { LABS, findLab, labChoices } = await import('./index.ts');
  const args = parseDeployArgs(argv, labChoices());
  const target = resolveTarget(args.target, findLab, labChoices());
  const region = await resolveRegion();
  const record = readRecord();
  checkRegion(record, region);
  const steps = planDeploy(target, record, { refreshBase: args.refreshBase });
  console.log(`Deploy plan (region ${region}):\n${formatPlan(steps)}`);
  if (args.dryRun) return 0;
  await preflight(region);
  if (target !== 'base') await checkAccountConcurrency(target, region);
  if (!(await synthForDeploy(LABS, region))) return 1;
  await executeSteps(steps, { region, labs: LABS });
  console.log(`\nDone. Outputs for the harness: ${OUTPUTS_FILE}`);
  return 0;
}

export async function runCli(run: (argv: string[]) => Promise<number>): Promise<void> {
  try {
    process.exitCode = await run(process.argv.slice(2));
  } catch (error) {
    if (error instanceof DeployError) {
      console.error(error.message);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

if (runsAsScript(import.meta.url)) {
  await runCli(main);
}
