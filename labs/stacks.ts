// The CDK Terrain stacks: one `base` stack deployed once (network, MSK cluster, topics, load
// generator, dashboard) and one stack per lab (`lab-01-baseline`, ...) holding only that lab's
// pipeline, built from the constructs in modules/ with the lab's LabSpec as their settings.
//
// A lab stack reads the base stack's outputs from the base's state (terraform_remote_state), so
// it synthesizes offline, deploys after the base, and can be destroyed and replaced by another
// lab without touching the cluster or the data. The state is a local file per stack, or an object
// per stack in an S3 bucket when WORKSHOP_STATE_BUCKET names one (a hosted event's, where CodeBuild
// deploys the base and the participant's IDE the labs).
// Every lab is validated (validateLabSpec) before any construct is built. The names and output
// keys the stacks promise are in stack-contract.ts; labs/main.ts is the entry point cdktf runs.

import type { HandlerName } from '../handlers/bundle.ts';
import { processorEnvironment } from '../handlers/shared/settings.ts';
import {
  App,
  AwsProvider,
  Construct,
  DataTerraformRemoteStateLocal,
  DataTerraformRemoteStateS3,
  LocalBackend,
  S3Backend,
  TerraformOutput,
  TerraformStack,
} from '../modules/cdk-terrain.ts';
import { Dashboard } from '../modules/dashboard.ts';
import { type ClusterMode, ClusterRef, KafkaCluster } from '../modules/kafka-cluster.ts';
import { KafkaConsumer } from '../modules/kafka-consumer.ts';
import { LoadGenerator, type TopicSpec } from '../modules/load-generator.ts';
import { metricsNamespaceOf, PREFIX_CONTEXT, PROJECT_TAG, participantPrefixOf, resourceName } from '../modules/names.ts';
import { InterfaceEndpoint, Network } from '../modules/network.ts';
import { SchemaRegistry, SchemaRegistryByName } from '../modules/schema-registry.ts';
import { SqsBuffer } from '../modules/sqs-buffer.ts';
import { labsWithExercise } from './exercise-spec.ts';
import { type LabSpec, pollerGroupProblems, usesSchemaRegistry, validateLabSpec } from './lab-spec.ts';
import { checkParticipantPrefix, participantPrefix } from './participant.ts';
import { regionFromEnv } from './region.ts';
import {
  BASE_OUTPUTS,
  BASE_STACK,
  DEFAULT_OUTDIR,
  DEFAULT_STATE_DIR,
  LAB_OUTPUTS,
  labStackName,
  MIN_TERRAFORM_VERSION,
  type StateBackend,
  stateBackendFromEnv,
  stateKey,
  statePath,
} from './stack-contract.ts';

export interface WorkshopAppOptions {
  labs: readonly LabSpec[];
  /**
   * A learner's exercise deployed in place of its lab (`npm run deploy -- <lab> --from`): only
   * that lab's stack is built from it; the base stack is built from `labs` as always.
   */
  exercise?: ExerciseStack;
  /** Default: the environment's (regionFromEnv); the entry points pass resolveRegion()'s, which reads the profile too. */
  region?: string;
  outdir?: string;
  /** Where local state files go (default .deploy/), unless `state` or WORKSHOP_STATE_BUCKET says S3. */
  stateDir?: string;
  /** Default: stateBackendFromEnv (S3 when WORKSHOP_STATE_BUCKET is set, else local files in stateDir). */
  state?: StateBackend;
  /** MSK Serverless unless WORKSHOP_CLUSTER_MODE=provisioned. */
  clusterMode?: ClusterMode;
  /** Begins every resource name; default: WORKSHOP_PREFIX, else klw (labs/participant.ts). */
  prefix?: string;
}

export interface WorkshopApp {
  app: App;
  base: BaseStack;
  labs: LabStack[];
}

function common(stack: TerraformStack, name: string, region: string, state: StateBackend): void {
  new AwsProvider(stack, 'aws', {
    region,
    defaultTags: [{ tags: { [PROJECT_TAG.key]: PROJECT_TAG.value, Stack: name } }],
  });
  // No state locking in S3: use_lockfile needs Terraform 1.10 and the stacks accept 1.5. At an
  // event one writer deploys at a time: CodeBuild's base finishes before the IDE is handed out.
  if (state.kind === 's3') new S3Backend(stack, { bucket: state.bucket, key: stateKey(name), region: state.region, encrypt: true });
  else new LocalBackend(stack, { path: statePath(state.dir, name) });
  stack.addOverride('terraform.required_version', `>= ${MIN_TERRAFORM_VERSION}`);
}

/** Every topic the labs use, once each, with the largest partition count asked for. */
export function workshopTopics(labs: readonly LabSpec[]): TopicSpec[] {
  const topics = new Map<string, number>();
  const add = (name: string, partitions: number) => topics.set(name, Math.max(partitions, topics.get(name) ?? 0));
  for (const lab of labs) {
    add(lab.topic.name, lab.topic.partitions);
    if (lab.kafkaEsm.onFailure?.kind === 'kafka') add(lab.kafkaEsm.onFailure.topic, lab.topic.partitions);
  }
  return [...topics].map(([name, partitions]) => ({ name, partitions }));
}

export interface BaseStackProps {
  labs: readonly LabSpec[];
  region: string;
  state: StateBackend;
  clusterMode: ClusterMode;
}

export class BaseStack extends TerraformStack {
  readonly network: Network;
  readonly cluster: KafkaCluster;
  readonly loadGenerator: LoadGenerator;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, props: BaseStackProps) {
    super(scope, BASE_STACK);
    common(this, BASE_STACK, props.region, props.state);
    const topics = workshopTopics(props.labs);

    this.network = new Network(this, 'network', { region: props.region });
    this.cluster = new KafkaCluster(this, 'kafka', {
      mode: props.clusterMode,
      subnetIds: this.network.privateSubnetIds,
      securityGroupIds: [this.network.workloadSecurityGroupId],
    });
    this.loadGenerator = new LoadGenerator(this, 'load-generator', {
      cluster: this.cluster.ref,
      bootstrapBrokers: this.cluster.bootstrapBrokersSaslIam,
      vpc: { subnetIds: this.network.privateSubnetIds, securityGroupIds: [this.network.workloadSecurityGroupId] },
      topics,
      replicationFactor: this.cluster.topicReplicationFactor,
      defaultTopic: topics[0]?.name ?? 'bookings',
      networkReady: this.network.ready,
      // The registry itself belongs to the lab stack that uses it; the producer is told its name.
      schemaRegistry: props.labs.some(usesSchemaRegistry) ? new SchemaRegistryByName(this, 'schema-registry', props.region) : undefined,
    });
    this.dashboard = new Dashboard(this, 'dashboard', { region: props.region });

    const outputs: Record<keyof typeof BASE_OUTPUTS, unknown> = {
      region: props.region,
      vpcId: this.network.vpcId,
      privateSubnetIds: this.network.privateSubnetIds,
      workloadSecurityGroupId: this.network.workloadSecurityGroupId,
      endpointSecurityGroupId: this.network.endpointSecurityGroupId,
      clusterArn: this.cluster.arn,
      clusterMode: this.cluster.mode,
      bootstrapBrokers: this.cluster.bootstrapBrokersSaslIam,
      producerFunctionName: this.loadGenerator.producer.functionName,
      topicAdminFunctionName: this.loadGenerator.topicAdmin.functionName,
      dashboardName: this.dashboard.dashboardName,
      topics: topics,
      participantPrefix: participantPrefixOf(this),
      metricsNamespace: metricsNamespaceOf(this),
    };
    for (const [key, value] of Object.entries(outputs)) {
      new TerraformOutput(this, BASE_OUTPUTS[key as keyof typeof BASE_OUTPUTS], { value });
    }
  }
}

/** The base stack's outputs as seen from a lab stack (through the base's state, where the backend keeps it). */
export class BaseRef extends Construct {
  readonly vpcId: string;
  readonly privateSubnetIds: string[];
  readonly workloadSecurityGroupId: string;
  readonly endpointSecurityGroupId: string;
  readonly cluster: ClusterRef;

  constructor(scope: Construct, id: string, state: StateBackend) {
    super(scope, id);
    const base =
      state.kind === 's3'
        ? new DataTerraformRemoteStateS3(this, 'state', { bucket: state.bucket, key: stateKey(BASE_STACK), region: state.region })
        : new DataTerraformRemoteStateLocal(this, 'state', { path: statePath(state.dir, BASE_STACK) });
    this.vpcId = base.getString(BASE_OUTPUTS.vpcId);
    this.privateSubnetIds = base.getList(BASE_OUTPUTS.privateSubnetIds);
    this.workloadSecurityGroupId = base.getString(BASE_OUTPUTS.workloadSecurityGroupId);
    this.endpointSecurityGroupId = base.getString(BASE_OUTPUTS.endpointSecurityGroupId);
    this.cluster = new ClusterRef(base.getString(BASE_OUTPUTS.clusterArn));
  }
}

/** A learner's spec for one lab, and their sources for its handlers (lab 4's booking processor). */
export interface ExerciseStack {
  lab: LabSpec;
  handlerSources: Partial<Record<HandlerName, string>>;
}

export interface LabStackProps {
  lab: LabSpec;
  region: string;
  state: StateBackend;
  /** Sources bundled in place of handlers/<name>.ts. */
  handlerSources?: Partial<Record<HandlerName, string>>;
}

export class LabStack extends TerraformStack {
  readonly lab: LabSpec;
  readonly stackName: string;
  /** The consumer of the Kafka ESM: the booking processor, or lab 3's forwarder. */
  readonly kafkaConsumer: KafkaConsumer;
  readonly buffer?: SqsBuffer;
  /** The Glue registry and booking schema, when the lab uses a schema registry. */
  readonly schemaRegistry?: SchemaRegistry;

  constructor(scope: Construct, props: LabStackProps) {
    const name = labStackName(props.lab);
    super(scope, name);
    this.lab = props.lab;
    this.stackName = name;
    common(this, name, props.region, props.state);
    const { lab } = props;
    const base = new BaseRef(this, 'base', props.state);
    const labPrefix = resourceName(this, lab.id);

    const environment = { LAB_ID: lab.id, METRICS_NAMESPACE: metricsNamespaceOf(this) };
    const processorSettings = { processingMsPerRecord: lab.processor.processingMsPerRecord, mode: lab.processor.mode, workKind: lab.processor.workKind };
    if (usesSchemaRegistry(lab)) this.schemaRegistry = new SchemaRegistry(this, 'schema-registry', { topic: lab.topic.name });
    // Only a mapping that validates reads the registry; a lab whose producer alone writes Avro does not.
    const esmSchemaRegistry = lab.kafkaEsm.schemaRegistry ? this.schemaRegistry : undefined;

    if (lab.sqsBuffer) {
      this.buffer = new SqsBuffer(this, 'sqs-buffer', {
        namePrefix: labPrefix,
        topic: lab.topic.name,
        kafkaEsm: lab.kafkaEsm,
        buffer: lab.sqsBuffer,
        processor: lab.processor,
        cluster: base.cluster,
        environment,
        // The SQS ESM always reports partial batch failures (modules/sqs-buffer.ts).
        processorEnvironment: processorEnvironment({ ...processorSettings, reportBatchItemFailures: true }),
        sources: { 'sqs-forwarder': props.handlerSources?.['sqs-forwarder'], 'sqs-processor': props.handlerSources?.['sqs-processor'] },
        schemaRegistry: esmSchemaRegistry,
      });
      this.kafkaConsumer = this.buffer.forwarder;
    } else {
      this.kafkaConsumer = new KafkaConsumer(this, 'booking-processor', {
        handler: 'booking-processor',
        source: props.handlerSources?.['booking-processor'],
        functionName: `${labPrefix}-booking-processor`,
        description: `${lab.title}: processes bookings from ${lab.topic.name}`,
        topic: lab.topic.name,
        esm: lab.kafkaEsm,
        cluster: base.cluster,
        memoryMb: lab.processor.memoryMb,
        timeoutSeconds: lab.processor.timeoutSeconds,
        reservedConcurrency: lab.processor.reservedConcurrency,
        environment: {
          ...environment,
          ...processorEnvironment({ ...processorSettings, reportBatchItemFailures: lab.kafkaEsm.reportBatchItemFailures ?? false }),
          POWERTOOLS_SERVICE_NAME: 'booking-processor',
        },
        schemaRegistry: esmSchemaRegistry,
      });
    }

    // The ESM's pollers deliver failed records from inside the cluster VPC, which has no other
    // way to reach SQS. The endpoint lives (and costs) only while this lab is deployed.
    const destinationService = { sqs: 'sqs', sns: 'sns', s3: 's3', kafka: undefined }[lab.kafkaEsm.onFailure?.kind ?? 'kafka'];
    // Glue likewise, for the pollers validating records and for the producer (a VPC function)
    // looking up the booking schema's version.
    const services = [destinationService, this.schemaRegistry ? 'glue' : undefined].filter((s): s is string => s !== undefined);
    for (const service of services) {
      new InterfaceEndpoint(this, `${service}-endpoint`, {
        service,
        region: props.region,
        vpcId: base.vpcId,
        subnetIds: base.privateSubnetIds,
        securityGroupId: base.endpointSecurityGroupId,
      });
    }

    const outputs: Partial<Record<keyof typeof LAB_OUTPUTS, unknown>> = {
      region: props.region,
      labId: lab.id,
      topic: lab.topic.name,
      kafkaEsmUuid: this.kafkaConsumer.esmUuid,
      kafkaConsumerFunctionName: this.kafkaConsumer.fn.functionName,
      processorFunctionName: this.buffer ? this.buffer.processor.functionName : this.kafkaConsumer.fn.functionName,
    };
    if (this.buffer) {
      outputs.forwarderFunctionName = this.buffer.forwarder.fn.functionName;
      outputs.sqsEsmUuid = this.buffer.sqsEsmUuid;
      outputs.bufferQueueUrl = this.buffer.queue.url;
      outputs.bufferDlqUrl = this.buffer.deadLetterQueue.url;
    }
    if (this.kafkaConsumer.onFailureDestination !== undefined) {
      outputs.onFailureDestination = this.kafkaConsumer.onFailureDestination;
    }
    if (this.kafkaConsumer.onFailureQueue) outputs.onFailureQueueUrl = this.kafkaConsumer.onFailureQueue.url;
    if (this.kafkaConsumer.onFailureBucket) outputs.onFailureBucket = this.kafkaConsumer.onFailureBucket.bucket;
    if (this.schemaRegistry) outputs.schemaRegistryArn = this.schemaRegistry.arn;
    for (const [key, value] of Object.entries(outputs)) {
      new TerraformOutput(this, LAB_OUTPUTS[key as keyof typeof LAB_OUTPUTS], { value });
    }
  }
}

/**
 * The whole app: the base stack and one stack per lab. Throws LabSpecError (with every problem of
 * the first invalid lab) before any construct is built.
 *
 * @example
 * import { Testing } from '../modules/cdk-terrain.ts';
 * import { LABS } from './index.ts';
 * const { app, labs } = buildWorkshopApp({ labs: LABS, region: 'eu-west-1', outdir: 'cdktf.out' });
 * const lab2 = JSON.parse(Testing.synth(labs[1])); // the resources of lab-02-low-latency
 * app.synth(); // or write every stack, as `npm run synth` does
 */
export function buildWorkshopApp(options: WorkshopAppOptions): WorkshopApp {
  const { exercise } = options;
  if (exercise && !options.labs.some((lab) => lab.id === exercise.lab.id)) {
    throw new Error(`The exercise is for lab "${exercise.lab.id}", which is not one of the labs being synthesized.`);
  }
  const deployed = labsWithExercise(options.labs, exercise?.lab);
  for (const lab of deployed) validateLabSpec(lab);
  const groupProblems = pollerGroupProblems(deployed);
  if (groupProblems.length > 0) throw new Error(`The labs' poller groups break AWS's limits:\n  - ${groupProblems.join('\n  - ')}`);
  const ids = options.labs.map((lab) => lab.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new Error(`Two labs have the id "${duplicate}"; each lab needs its own stack name.`);

  const region = options.region ?? regionFromEnv();
  const state = options.state ?? stateBackendFromEnv(options.stateDir ?? DEFAULT_STATE_DIR, region);
  const clusterMode = options.clusterMode ?? clusterModeFromEnv();
  const prefix = options.prefix === undefined ? participantPrefix() : checkParticipantPrefix(options.prefix);
  const app = new App({ outdir: options.outdir ?? DEFAULT_OUTDIR, context: { [PREFIX_CONTEXT]: prefix } });
  const base = new BaseStack(app, { labs: options.labs, region, state, clusterMode });
  const labs = deployed.map((lab) => new LabStack(app, { lab, region, state, handlerSources: lab === exercise?.lab ? exercise.handlerSources : undefined }));
  return { app, base, labs };
}

export function clusterModeFromEnv(env: NodeJS.ProcessEnv = process.env): ClusterMode {
  const mode = env.WORKSHOP_CLUSTER_MODE ?? 'serverless';
  if (mode !== 'serverless' && mode !== 'provisioned') {
    throw new Error(`WORKSHOP_CLUSTER_MODE=${mode} is not a cluster mode: use serverless (the default) or provisioned.`);
  }
  return mode;
}
