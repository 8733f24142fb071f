// The deploy and destroy decisions, pure: which stacks to destroy and apply in which order, what
// the record says after each step, and what the Terraform provider leaves for the deploy to set.
// Nothing here runs Terraform or talks to AWS, so the tests and the lab READMEs use it freely.
import type { LabSpec, SystemLogLevel } from '../lab-spec.ts';
import { DEFAULT_PREFIX, PREFIX_VARIABLE } from '../participant.ts';
import { BASE_STACK, labStackName } from '../stack-contract.ts';
import { DeployError } from './deploy-error.ts';
import type { DeployRecord, HeldStacks } from './record.ts';

export interface Step {
  action: 'apply' | 'destroy';
  stack: string;
  /** Lab id for lab stacks. */
  labId?: string;
  /** A lab applied from the learner's exercise folder (`--from`), as the record keeps it. */
  from?: string;
  why: string;
}

/** Which stacks to destroy and apply, in order, to end with `target` deployed. */
export function planDeploy(target: LabSpec | 'base', record: DeployRecord, options: { refreshBase?: boolean; from?: string } = {}): Step[] {
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
    const what = record.currentLab === labId ? `update lab ${labId}` : `deploy lab ${labId}`;
    steps.push({
      action: 'apply',
      stack: labStackName(target as LabSpec),
      labId,
      ...(options.from === undefined ? { why: what } : { from: options.from, why: `${what} from your exercise ${options.from}` }),
    });
  }
  return steps;
}

/**
 * Which stacks to destroy, lab before base (a lab reads the base's outputs). Everything (`--all`,
 * or the base) also takes every stack whose state still holds resources (`held`), recorded or not.
 */
export function planDestroy(target: LabSpec | 'base' | undefined, all: boolean, record: DeployRecord, held: HeldStacks = { base: false, labs: [] }): Step[] {
  const steps: Step[] = [];
  const destroyLab = (id: string, why: string) => steps.push({ action: 'destroy', stack: labStackName({ id }), labId: id, why });
  if (all || target === 'base') {
    if (record.currentLab !== undefined) destroyLab(record.currentLab, 'a lab stack goes before the base it reads');
    for (const id of held.labs) {
      if (id !== record.currentLab) destroyLab(id, 'not recorded as deployed, but its state still holds resources (an apply that stopped half-way)');
    }
    if (record.baseDeployed || held.base) {
      steps.push({
        action: 'destroy',
        stack: BASE_STACK,
        why: record.baseDeployed ? 'asked for: cluster, network and functions' : 'not recorded as deployed, but its state still holds resources',
      });
    }
    return steps;
  }
  if (target !== undefined) {
    destroyLab(target.id, record.currentLab === target.id ? 'asked for' : 'asked for (not recorded as deployed; destroys whatever its state holds)');
    return steps;
  }
  if (record.currentLab !== undefined) destroyLab(record.currentLab, 'the lab deployed now');
  return steps;
}

/** The record after a step succeeded, deployed in `region` with the participant's `prefix`. */
export function applyStep(record: DeployRecord, step: Step, region: string, prefix: string): DeployRecord {
  const next: DeployRecord = { ...record, region, prefix };
  if (step.stack === BASE_STACK) next.baseDeployed = step.action === 'apply';
  else if (step.action === 'apply') {
    next.currentLab = step.labId;
    if (step.from === undefined) delete next.currentLabFrom;
    else next.currentLabFrom = step.from;
  } else if (record.currentLab === step.labId) {
    delete next.currentLab;
    delete next.currentLabFrom;
  }
  if (!next.baseDeployed && next.currentLab === undefined) {
    delete next.region;
    delete next.prefix;
  }
  return next;
}

/** Deploying into another region than the recorded deployment would orphan it. */
export function checkRegion(record: DeployRecord, region: string): void {
  if (record.region && record.region !== region && (record.baseDeployed || record.currentLab)) {
    throw new DeployError(
      `The workshop is deployed in ${record.region} but AWS_REGION is ${region}: set AWS_REGION=${record.region} (or destroy with it first, npm run destroy -- --all).`,
      'badInput',
    );
  }
}

/**
 * Deploying or destroying with another WORKSHOP_PREFIX than the recorded deployment would plan
 * against other names and orphan the deployed ones. A record from before the prefix existed was
 * deployed with the default.
 */
export function checkPrefix(record: DeployRecord, prefix: string): void {
  const deployedWith = record.prefix ?? DEFAULT_PREFIX;
  if (deployedWith !== prefix && (record.baseDeployed || record.currentLab)) {
    throw new DeployError(
      `The workshop is deployed with ${PREFIX_VARIABLE}=${deployedWith} but ${PREFIX_VARIABLE} is ${prefix} now: set ${PREFIX_VARIABLE}=${deployedWith} (or destroy with it first, npm run destroy -- --all).`,
      'badInput',
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
