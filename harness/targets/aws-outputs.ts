// What the AWS target needs to find a deployed lab: the stack outputs `npm run deploy` writes to
// .deploy/outputs.json, read by their names; the file and the names are labs/stack-contract.ts. A lab that was never
// deployed, or another lab deployed in its place, is a UsageError of one line with the fix.
import { DEFAULT_METRICS_NAMESPACE } from '../../handlers/shared/telemetry.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { BASE_OUTPUTS, type DeployedOutputs, LAB_OUTPUTS, OUTPUTS_FILE, readDeployedOutputs } from '../../labs/stack-contract.ts';
import { UsageError } from '../errors.ts';

/** Everything of one deployed lab the AWS target talks to. */
export interface AwsLabOutputs {
  region: string;
  labId: string;
  topic: string;
  producerFunctionName: string;
  kafkaEsmUuid: string;
  /** The function the Kafka ESM invokes: the booking processor, or lab 3's forwarder. */
  kafkaConsumerFunctionName: string;
  /** The function that processes bookings and writes the "batch processed" lines. */
  processorFunctionName: string;
  forwarderFunctionName?: string;
  sqsEsmUuid?: string;
  bufferQueueUrl?: string;
  bufferDlqUrl?: string;
  /** The Kafka ESM's on-failure destination as deployed (a queue ARN). */
  onFailureDestination?: string;
  onFailureQueueUrl?: string;
  /** The S3 on-failure destination's bucket name. */
  onFailureBucket?: string;
  /** The lab's Glue Schema Registry, when it uses one: the Kafka ESM's SchemaRegistryURI. */
  schemaRegistryArn?: string;
  dashboardName?: string;
  /** Where the deployed functions publish their metrics (the participant's namespace, labs/participant.ts). */
  metricsNamespace: string;
  /** The learner's exercise folder the lab was deployed from (`npm run deploy -- <lab> --from`). */
  deployedFrom?: string;
}

function deployFix(lab: Pick<LabSpec, 'id'>): string {
  return `npm run deploy -- ${lab.id}`;
}

function text(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Reads .deploy/outputs.json; a missing file is undefined, a broken one a UsageError. */
export function loadDeployedOutputs(file = OUTPUTS_FILE): DeployedOutputs | undefined {
  try {
    return readDeployedOutputs(file);
  } catch (error) {
    throw new UsageError(
      `${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}): delete it and redeploy with \`npm run deploy -- <lab>\`.`,
    );
  }
}

/**
 * The deployed outputs of `lab`, or a UsageError saying what is missing and the command that
 * fixes it. `source` names where the outputs came from, for the message.
 */
export function resolveLabOutputs(lab: LabSpec, deployed: DeployedOutputs | undefined, source = OUTPUTS_FILE): AwsLabOutputs {
  const fix = deployFix(lab);
  if (!deployed || typeof deployed !== 'object' || typeof deployed.base !== 'object' || deployed.base === null) {
    throw new UsageError(`Nothing is deployed to AWS (no ${source}): deploy lab ${lab.id} with \`${fix}\` first (it deploys the base stack too).`);
  }
  if (!deployed.lab) {
    throw new UsageError(`Lab ${lab.id} is not deployed to AWS (only the base stack is, per ${source}): deploy it with \`${fix}\`.`);
  }
  if (deployed.lab.id !== lab.id) {
    throw new UsageError(
      `Lab ${lab.id} is not deployed to AWS (lab ${deployed.lab.id} is, per ${source}): deploy it with \`${fix}\` (it replaces ${deployed.lab.id}).`,
    );
  }
  const base = deployed.base;
  const labOutputs = deployed.lab.outputs ?? {};
  const missing: string[] = [];
  const need = (record: Record<string, unknown>, key: string, stack: string): string => {
    const value = text(record, key);
    if (value === undefined) missing.push(`${stack}.${key}`);
    return value ?? '';
  };

  const outputs: AwsLabOutputs = {
    region: text(labOutputs, LAB_OUTPUTS.region) ?? text(base, BASE_OUTPUTS.region) ?? (typeof deployed.region === 'string' ? deployed.region : ''),
    labId: lab.id,
    topic: text(labOutputs, LAB_OUTPUTS.topic) ?? lab.topic.name,
    producerFunctionName: need(base, BASE_OUTPUTS.producerFunctionName, 'base'),
    kafkaEsmUuid: need(labOutputs, LAB_OUTPUTS.kafkaEsmUuid, deployed.lab.stack),
    kafkaConsumerFunctionName: need(labOutputs, LAB_OUTPUTS.kafkaConsumerFunctionName, deployed.lab.stack),
    processorFunctionName: need(labOutputs, LAB_OUTPUTS.processorFunctionName, deployed.lab.stack),
    // A base deployed before participants had namespaces published to the workshop's own.
    metricsNamespace: text(base, BASE_OUTPUTS.metricsNamespace) ?? DEFAULT_METRICS_NAMESPACE,
  };
  if (outputs.region === '') missing.push('region');
  const optional = (key: keyof AwsLabOutputs, name: string) => {
    const value = text(labOutputs, name);
    if (value !== undefined) (outputs as unknown as Record<string, string>)[key] = value;
  };
  optional('forwarderFunctionName', LAB_OUTPUTS.forwarderFunctionName);
  optional('sqsEsmUuid', LAB_OUTPUTS.sqsEsmUuid);
  optional('bufferQueueUrl', LAB_OUTPUTS.bufferQueueUrl);
  optional('bufferDlqUrl', LAB_OUTPUTS.bufferDlqUrl);
  optional('onFailureDestination', LAB_OUTPUTS.onFailureDestination);
  optional('onFailureQueueUrl', LAB_OUTPUTS.onFailureQueueUrl);
  optional('onFailureBucket', LAB_OUTPUTS.onFailureBucket);
  optional('schemaRegistryArn', LAB_OUTPUTS.schemaRegistryArn);
  const dashboard = text(base, BASE_OUTPUTS.dashboardName);
  if (dashboard) outputs.dashboardName = dashboard;
  if (typeof deployed.lab.from === 'string') outputs.deployedFrom = deployed.lab.from;

  if (lab.sqsBuffer) {
    for (const [key, name] of [
      ['sqsEsmUuid', LAB_OUTPUTS.sqsEsmUuid],
      ['bufferQueueUrl', LAB_OUTPUTS.bufferQueueUrl],
      ['bufferDlqUrl', LAB_OUTPUTS.bufferDlqUrl],
    ] as const) {
      if (outputs[key] === undefined) missing.push(`${deployed.lab.stack}.${name}`);
    }
  }
  const destination = lab.kafkaEsm.onFailure?.kind;
  if ((destination === 'sqs' || destination === 'sns') && outputs.onFailureQueueUrl === undefined) {
    missing.push(`${deployed.lab.stack}.${LAB_OUTPUTS.onFailureQueueUrl}`);
  }
  if (destination === 's3' && outputs.onFailureBucket === undefined) missing.push(`${deployed.lab.stack}.${LAB_OUTPUTS.onFailureBucket}`);
  if (missing.length > 0) {
    throw new UsageError(
      `The deployment of lab ${lab.id} in ${source} lacks ${missing.join(', ')} (deployed from an older spec, or the deploy stopped early): redeploy with \`${fix}\`.`,
    );
  }
  return outputs;
}
