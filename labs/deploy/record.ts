// What is deployed, as the deploy and destroy scripts left it: .deploy/deployed.json, written
// after every step so a run that stops half-way still knows which stacks are up.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BASE_STACK, DEFAULT_STATE_DIR, labStackName, statePath } from '../stack-contract.ts';
import { DeployError } from './deploy-error.ts';

export const RECORD_FILE = join(DEFAULT_STATE_DIR, 'deployed.json');

/** What is deployed, as the deploy and destroy scripts left it. */
export interface DeployRecord {
  region?: string;
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

/**
 * Which of the stacks' local states (stack-contract's statePath) hold managed resources: an apply
 * that failed half-way creates some and records nothing, and only its state knows them.
 */
export function stacksHoldingResources(labIds: readonly string[], stateDir = DEFAULT_STATE_DIR): HeldStacks {
  const holds = (stack: string) => {
    const file = statePath(stateDir, stack);
    if (!existsSync(file)) return false;
    try {
      const state = JSON.parse(readFileSync(file, 'utf8')) as { resources?: { mode?: string; instances?: unknown[] }[] };
      return (state.resources ?? []).some((r) => r.mode === 'managed' && (r.instances?.length ?? 0) > 0);
    } catch {
      throw new DeployError(`${file} is not a Terraform state Terraform wrote: restore it from ${file}.backup, or check it before destroying.`, 'badInput');
    }
  };
  return { base: holds(BASE_STACK), labs: labIds.filter((id) => holds(labStackName({ id }))) };
}

export function writeRecord(record: DeployRecord, file = RECORD_FILE): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}
