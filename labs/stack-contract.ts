// What the stacks promise the rest of the project, without building them: stack names, where
// their Terraform state lives, the names of their outputs, and the outputs file the deploy
// writes for the harness. The deploy scripts and the AWS target read these; importing this file
// loads neither CDK Terrain, the provider nor esbuild.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabSpec } from './lab-spec.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUTDIR = join(REPO_ROOT, 'cdktf.out');
/** Terraform state of every stack, and the deploy scripts' record of what is deployed. */
export const DEFAULT_STATE_DIR = join(REPO_ROOT, '.deploy');
export const BASE_STACK = 'base';
/** The oldest Terraform (or OpenTofu) the stacks are written for: their required_version, and what the deploy checks. */
export const MIN_TERRAFORM_VERSION = '1.5.0';
/** The stacks' outputs as last deployed: `npm run deploy` writes it, the AWS target reads it. */
export const OUTPUTS_FILE = join(DEFAULT_STATE_DIR, 'outputs.json');

export function labStackName(lab: Pick<LabSpec, 'id'>): string {
  return `lab-${lab.id}`;
}

export function statePath(stateDir: string, stackName: string): string {
  return join(stateDir, `terraform.${stackName}.tfstate`);
}

/**
 * Names an S3 bucket to keep every stack's state in instead of local files: a hosted event's
 * CodeBuild project deploys the base with it, and the participant's IDE deploys the labs with the
 * same bucket, so both see one state (labs/hosted-event/template.ts sets it on both).
 */
export const STATE_BUCKET_VARIABLE = 'WORKSHOP_STATE_BUCKET';

/** Where the stacks keep their Terraform state: local files under a folder, or objects in one S3 bucket. */
export type StateBackend = { kind: 'local'; dir: string } | { kind: 's3'; bucket: string; region: string };

/** The S3 backend when WORKSHOP_STATE_BUCKET is set, else local files under `stateDir`. */
export function stateBackendFromEnv(stateDir: string, region: string, env: NodeJS.ProcessEnv = process.env): StateBackend {
  const bucket = env[STATE_BUCKET_VARIABLE]?.trim();
  return bucket ? { kind: 's3', bucket, region } : { kind: 'local', dir: stateDir };
}

/** The object key of a stack's state in the state bucket. */
export function stateKey(stackName: string): string {
  return `terraform/${stackName}.tfstate`;
}

/** Names of the base stack's outputs, read by the lab stacks and by the harness. */
export const BASE_OUTPUTS = {
  region: 'region',
  vpcId: 'vpc_id',
  privateSubnetIds: 'private_subnet_ids',
  workloadSecurityGroupId: 'workload_security_group_id',
  endpointSecurityGroupId: 'endpoint_security_group_id',
  clusterArn: 'cluster_arn',
  clusterMode: 'cluster_mode',
  bootstrapBrokers: 'bootstrap_brokers_sasl_iam',
  producerFunctionName: 'producer_function_name',
  topicAdminFunctionName: 'topic_admin_function_name',
  dashboardName: 'dashboard_name',
  topics: 'topics',
  /** WORKSHOP_PREFIX as deployed (labs/participant.ts). */
  participantPrefix: 'participant_prefix',
  /** Where the functions publish their metrics: the harness reads them there. */
  metricsNamespace: 'metrics_namespace',
} as const;

/** Names of a lab stack's outputs, read by the harness. Optional ones exist only where they apply. */
export const LAB_OUTPUTS = {
  region: 'region',
  labId: 'lab_id',
  topic: 'topic',
  kafkaEsmUuid: 'kafka_esm_uuid',
  /** The function the Kafka ESM invokes: the booking processor, or the forwarder in lab 3. */
  kafkaConsumerFunctionName: 'kafka_consumer_function_name',
  /** The function that processes bookings (booking-processor or sqs-processor). */
  processorFunctionName: 'processor_function_name',
  forwarderFunctionName: 'forwarder_function_name',
  sqsEsmUuid: 'sqs_esm_uuid',
  bufferQueueUrl: 'buffer_queue_url',
  bufferDlqUrl: 'buffer_dlq_url',
  onFailureDestination: 'on_failure_destination',
  onFailureQueueUrl: 'on_failure_queue_url',
  onFailureBucket: 'on_failure_bucket',
  /** The lab's Glue Schema Registry, when it uses one (the mapping's SchemaRegistryURI). */
  schemaRegistryArn: 'schema_registry_arn',
} as const;

/** What the harness reads to drive a deployed lab. */
export interface DeployedOutputs {
  region: string;
  base: Record<string, unknown>;
  /** `from`: the learner's exercise folder the lab was deployed from (`npm run deploy -- <lab> --from`). */
  lab?: { id: string; stack: string; outputs: Record<string, unknown>; from?: string };
}

export function readDeployedOutputs(file = OUTPUTS_FILE): DeployedOutputs | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as DeployedOutputs;
}

/** Undefined (nothing deployed) removes the file: stale names would only mislead the harness. */
export function writeDeployedOutputs(outputs: DeployedOutputs | undefined, file = OUTPUTS_FILE): void {
  if (!outputs) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(outputs, null, 2)}\n`);
}
