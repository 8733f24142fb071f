// Synthesizes the workshop app once per test file (Testing.synth per stack, nothing written to
// disk) and offers small readers over the Terraform JSON.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LABS } from '../../labs/index.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { DEFAULT_PREFIX } from '../../labs/participant.ts';
import { labStackName } from '../../labs/stack-contract.ts';
import { buildWorkshopApp, type WorkshopApp } from '../../labs/stacks.ts';
import { Testing } from '../../modules/cdk-terrain.ts';

export type Block = Record<string, any>;
export interface TfJson {
  resource?: Record<string, Record<string, Block>>;
  data?: Record<string, Record<string, Block>>;
  output?: Record<string, { value: unknown }>;
  terraform?: Block;
}

export interface SynthedStack {
  name: string;
  /** What Testing.toHaveResourceWithProperties takes. */
  json: string;
  tf: TfJson;
}

export interface SynthedWorkshop {
  workshop: WorkshopApp;
  stateDir: string;
  base: SynthedStack;
  labs: Map<string, SynthedStack>;
  all: SynthedStack[];
}

/** The stacks of `labs`, named with `prefix` (the default, not the machine's WORKSHOP_PREFIX, so names are what the tests expect). */
export function synthWorkshop(labs: readonly LabSpec[] = LABS, prefix = DEFAULT_PREFIX): SynthedWorkshop {
  const dir = mkdtempSync(join(tmpdir(), 'klw-synth-'));
  const stateDir = join(dir, 'state');
  const workshop = buildWorkshopApp({ labs, outdir: join(dir, 'out'), state: { kind: 'local', dir: stateDir }, region: 'eu-west-1', prefix });
  const synth = (stack: WorkshopApp['base'] | WorkshopApp['labs'][number], name: string): SynthedStack => {
    const json = Testing.synth(stack);
    return { name, json, tf: JSON.parse(json) as TfJson };
  };
  const base = synth(workshop.base, 'base');
  const labStacks = new Map(workshop.labs.map((stack) => [stack.lab.id, synth(stack, labStackName(stack.lab))]));
  return { workshop, stateDir, base, labs: labStacks, all: [base, ...labStacks.values()] };
}

/** The blocks of one resource type, without cdktf's "//" metadata. */
export function resources(tf: TfJson, type: string): Block[] {
  return Object.values(tf.resource?.[type] ?? {}).map(strip);
}

export function dataSources(tf: TfJson, type: string): Block[] {
  return Object.values(tf.data?.[type] ?? {}).map(strip);
}

function strip(block: Block): Block {
  const { ['//']: _metadata, ...rest } = block;
  return rest;
}

/** The ESMs whose source is the MSK cluster (Kafka) or an SQS queue. */
export function kafkaEsms(tf: TfJson): Block[] {
  return resources(tf, 'aws_lambda_event_source_mapping').filter((esm) => Array.isArray(esm.topics));
}

export function sqsEsms(tf: TfJson): Block[] {
  return resources(tf, 'aws_lambda_event_source_mapping').filter((esm) => String(esm.event_source_arn).includes('aws_sqs_queue'));
}

export interface PolicyStatement {
  sid?: string;
  actions: string[];
  resources: string[];
  effect?: string;
}

/** Statements of every role policy in a stack (assume-role documents excluded). */
export function roleStatements(tf: TfJson): PolicyStatement[] {
  return Object.entries(tf.data?.aws_iam_policy_document ?? {})
    .filter(([id]) => !id.includes('assume-role'))
    .flatMap(([, doc]) => doc.statement as PolicyStatement[]);
}

/**
 * The role policy of the function construct at construct path `path` (e.g. `sqs-buffer/forwarder`).
 * Testing.synth drops the metadata, so the logical id (the path joined with "_") is matched.
 */
export function policyOf(tf: TfJson, path: string): PolicyStatement[] {
  const prefix = path.split('/').join('_');
  const docs = Object.entries(tf.data?.aws_iam_policy_document ?? {}).filter(([id]) => id.startsWith(prefix) && /_policy_[0-9A-F]{8}$/.test(id));
  if (docs.length !== 1) throw new Error(`expected one policy under ${path}, found ${docs.map(([id]) => id).join(', ') || 'none'}`);
  return docs[0][1].statement as PolicyStatement[];
}

export function actionsOf(statements: PolicyStatement[]): string[] {
  return statements.flatMap((s) => s.actions).sort();
}
