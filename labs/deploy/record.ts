// What is deployed, as the deploy and destroy scripts left it: .deploy/deployed.json, written
// after every step so a run that stops half-way still knows which stacks are up. The record is
// this machine's; the stacks' states (local files, or a hosted event's S3 bucket shared with the
// CodeBuild project that deployed the base) say what is really up.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { BASE_STACK, DEFAULT_STATE_DIR, labStackName, STATE_BUCKET_VARIABLE, type StateBackend, stateKey, statePath } from '../stack-contract.ts';
import { DeployError } from './deploy-error.ts';

export const RECORD_FILE = join(DEFAULT_STATE_DIR, 'deployed.json');

/** What is deployed, as the deploy and destroy scripts left it. */
export interface DeployRecord {
  region?: string;
  /** WORKSHOP_PREFIX the deployed stacks were named with (labs/participant.ts). */
  prefix?: string;
  baseDeployed: boolean;
  /** Id of the lab whose stack is deployed, if any. */
  currentLab?: string;
  /** The exercise folder the current lab was deployed from (`--from`); unset: labs/<lab>/spec.ts. */
  currentLabFrom?: string;
}

export function readRecord(file = RECORD_FILE): DeployRecord {
  if (!existsSync(file)) return { baseDeployed: false };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<DeployRecord>;
    const record: DeployRecord = { baseDeployed: parsed.baseDeployed === true };
    if (typeof parsed.currentLab === 'string') record.currentLab = parsed.currentLab;
    if (typeof parsed.currentLab === 'string' && typeof parsed.currentLabFrom === 'string') record.currentLabFrom = parsed.currentLabFrom;
    if (typeof parsed.region === 'string') record.region = parsed.region;
    if (typeof parsed.prefix === 'string') record.prefix = parsed.prefix;
    return record;
  } catch {
    throw new DeployError(`${file} is not valid JSON: fix or delete it (it only records what is deployed).`, 'badInput');
  }
}

/** Stacks whose Terraform state still holds resources, whatever the record says. */
export interface HeldStacks {
  base: boolean;
  /** Lab ids. */
  labs: string[];
}

/** Whether one Terraform state (its JSON text) holds managed resources; `where` names it in the error. */
function stateHoldsResources(text: string, where: string, restore: string): boolean {
  try {
    const state = JSON.parse(text) as { resources?: { mode?: string; instances?: unknown[] }[] };
    return (state.resources ?? []).some((r) => r.mode === 'managed' && (r.instances?.length ?? 0) > 0);
  } catch {
    throw new DeployError(`${where} is not a Terraform state Terraform wrote: ${restore}, or check it before destroying.`, 'badInput');
  }
}

/**
 * Which of the stacks' local states (stack-contract's statePath) hold managed resources: an apply
 * that failed half-way creates some and records nothing, and only its state knows them.
 */
export function stacksHoldingResources(labIds: readonly string[], stateDir = DEFAULT_STATE_DIR): HeldStacks {
  const holds = (stack: string) => {
    const file = statePath(stateDir, stack);
    if (!existsSync(file)) return false;
    return stateHoldsResources(readFileSync(file, 'utf8'), file, `restore it from ${file}.backup`);
  };
  return { base: holds(BASE_STACK), labs: labIds.filter((id) => holds(labStackName({ id }))) };
}

/**
 * The same question of states kept in an S3 bucket (WORKSHOP_STATE_BUCKET, a hosted event): each
 * stack's state object is read with GetObject, and a missing one holds nothing.
 */
export async function stacksHoldingResourcesInBucket(
  labIds: readonly string[],
  backend: { bucket: string; region: string },
  client?: S3Client,
): Promise<HeldStacks> {
  const { S3Client: Client, GetObjectCommand, NoSuchKey } = await import('@aws-sdk/client-s3');
  const s3 = client ?? new Client({ region: backend.region });
  const holds = async (stack: string) => {
    const where = `s3://${backend.bucket}/${stateKey(stack)}`;
    let text: string;
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: backend.bucket, Key: stateKey(stack) }));
      text = (await object.Body?.transformToString()) ?? '';
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return false;
      throw new DeployError(
        `Could not read ${where} (${(error as Error).message}): check that ${STATE_BUCKET_VARIABLE} names the event's state bucket and that your credentials may read it.`,
      );
    }
    return stateHoldsResources(text, where, 'restore an earlier version of the object (the bucket keeps versions)');
  };
  const base = await holds(BASE_STACK);
  const labs: string[] = [];
  for (const id of labIds) if (await holds(labStackName({ id }))) labs.push(id);
  if (!client) s3.destroy();
  return { base, labs };
}

/** Where the stacks' states are, asked the same question: local files, or the state bucket. */
export async function heldStacks(labIds: readonly string[], backend: StateBackend): Promise<HeldStacks> {
  return backend.kind === 's3' ? stacksHoldingResourcesInBucket(labIds, backend) : stacksHoldingResources(labIds, backend.dir);
}

/**
 * The record as the states show it: a base another machine deployed into shared state (a hosted
 * event's CodeBuild project) is deployed here too, so the next lab does not apply it again.
 */
export function withDeployedBase(record: DeployRecord, held: HeldStacks, region: string): DeployRecord {
  if (record.baseDeployed || !held.base) return record;
  return { ...record, baseDeployed: true, region: record.region ?? region };
}

export function writeRecord(record: DeployRecord, file = RECORD_FILE): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}
