// `--set path=value`: a what-if experiment on any LabSpec field, validated like the spec itself.
// The value is JSON when it parses as JSON (numbers, booleans, objects, arrays), a plain string
// otherwise; `unset` removes the field so the AWS default applies.
import { KAFKA_WINDOW_IS_ONE_WAY } from '../labs/aws-limits.ts';
import { type LabSpec, LabSpecError, validateLabSpec } from '../labs/lab-spec.ts';
import { nearestName } from '../labs/nearest-name.ts';
import { EventPatternError, FilterCriteriaError, parseFilterCriteria } from '../sandbox/filter/index.ts';
import { UsageError } from './errors.ts';

const TARGET_FIELDS = ['endToEndP50MaxMs', 'endToEndP99MaxMs', 'minThroughputPerSec', 'avgBatchSize', 'avgBatchSize.expected', 'avgBatchSize.tolerance'];
const POLLERS = ['', '.minimum', '.maximum'];

/** Every path a participant may set. Whole objects can be set as JSON too. */
export const SETTABLE_PATHS: readonly string[] = [
  'topic.partitions',
  'topic.name',
  'kafkaEsm.batchSize',
  'kafkaEsm.batchingWindowSeconds',
  'kafkaEsm.startingPosition',
  'kafkaEsm.startingPositionTimestamp',
  'kafkaEsm.consumerGroupId',
  ...[...POLLERS, '.pollerGroupName'].map((p) => `kafkaEsm.provisionedPollers${p}`),
  'kafkaEsm.filters',
  'kafkaEsm.maximumRetryAttempts',
  'kafkaEsm.maximumRecordAgeSeconds',
  'kafkaEsm.bisectBatchOnFunctionError',
  'kafkaEsm.reportBatchItemFailures',
  'kafkaEsm.onFailure',
  'kafkaEsm.onFailure.kind',
  'kafkaEsm.onFailure.queueName',
  'kafkaEsm.onFailure.topic',
  'kafkaEsm.onFailure.topicName',
  'kafkaEsm.onFailure.bucketName',
  'kafkaEsm.metrics',
  'kafkaEsm.systemLogLevel',
  'kafkaEsm.schemaRegistry',
  'kafkaEsm.schemaRegistry.eventRecordFormat',
  'kafkaEsm.schemaRegistry.validate',
  'processor.processingMsPerRecord',
  'processor.workKind',
  'processor.mode',
  'processor.memoryMb',
  'processor.timeoutSeconds',
  'processor.reservedConcurrency',
  'sqsBuffer',
  'sqsBuffer.batchSize',
  'sqsBuffer.batchingWindowSeconds',
  'sqsBuffer.maximumConcurrency',
  ...POLLERS.map((p) => `sqsBuffer.provisionedPollers${p}`),
  'sqsBuffer.visibilityTimeoutSeconds',
  'sqsBuffer.maxReceiveCount',
  'traffic.shape',
  'traffic.ratePerSec',
  'traffic.peakRatePerSec',
  'traffic.durationSec',
  'traffic.spikeStartSec',
  'traffic.spikeDurationSec',
  'traffic.eventBytes',
  'traffic.statusMix',
  'traffic.statusMix.CONFIRMED',
  'traffic.statusMix.PENDING',
  'traffic.statusMix.CANCELLED',
  'traffic.poisonShare',
  'traffic.valueFormat',
  'traffic.evolveSchemaAt',
  'traffic.seed',
  'traffic.warmUpSec',
  'traffic.drainTimeoutSec',
  ...['local', 'aws'].flatMap((place) => TARGET_FIELDS.map((f) => `targets.${place}.${f}`)),
];

export interface Override {
  path: string;
  value: unknown;
  /** As typed, for the report. */
  text: string;
}

export function parseOverride(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new UsageError(`--set takes path=value, e.g. --set kafkaEsm.batchSize=10 (got "${text}").`);
  }
  const path = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1).trim();
  if (!SETTABLE_PATHS.includes(path)) {
    const hint = closestPath(path);
    throw new UsageError(
      `Unknown --set path "${path}".${hint ? ` Did you mean ${hint}?` : ''} Settable paths: ${
        SETTABLE_PATHS.filter((p) => p.split('.')[0] === path.split('.')[0])
          .slice(0, 12)
          .join(', ') || 'see `workshop paths`'
      }.`,
    );
  }
  if (raw === '') throw new UsageError(`--set ${path}= has no value: give a value, or "unset" to use the AWS default.`);
  return { path, value: raw === 'unset' ? undefined : parseValue(raw), text };
}

/** True when the overrides take a batching window the lab sets back to the Kafka default. */
export function unsetsKafkaWindow(lab: LabSpec, overrides: Override[]): boolean {
  const last = overrides.filter((o) => o.path === 'kafkaEsm.batchingWindowSeconds').at(-1);
  return last !== undefined && last.value === undefined && lab.kafkaEsm.batchingWindowSeconds !== undefined;
}

/** What the run must say about its overrides, as a note (local) or a refusal (AWS). */
export function overrideCaveats(lab: LabSpec, overrides: Override[]): string[] {
  return unsetsKafkaWindow(lab, overrides)
    ? [`kafkaEsm.batchingWindowSeconds=unset: ${KAFKA_WINDOW_IS_ONE_WAY}. Locally every run starts a new mapping, so the default applies here.`]
    : [];
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * A spec's filter patterns in EventBridge syntax, checked as CreateEventSourceMapping would.
 * labs/ only checks their shape (it may not import the sandbox's matcher); a run checks both.
 */
export function checkFilterSyntax(spec: LabSpec): LabSpec {
  try {
    parseFilterCriteria(spec.kafkaEsm.filters);
  } catch (error) {
    if (error instanceof EventPatternError || error instanceof FilterCriteriaError) {
      throw new UsageError(`Lab ${spec.id}: kafkaEsm.filters is not a valid filter: ${error.message}`);
    }
    throw error;
  }
  return spec;
}

/** The spec with every override applied, validated; a bad value is a UsageError naming it. */
export function applyOverrides(lab: LabSpec, overrides: readonly Override[]): LabSpec {
  if (overrides.length === 0) return checkFilterSyntax(lab);
  const copy = structuredClone(lab) as unknown as Record<string, unknown>;
  for (const { path, value } of overrides) {
    const keys = path.split('.');
    let node = copy;
    for (const key of keys.slice(0, -1)) {
      if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    const last = keys[keys.length - 1];
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  const set = overrides.map((o) => o.text).join(', ');
  const withSet = (message: string) => new UsageError(`With --set ${set}, ${message.charAt(0).toLowerCase()}${message.slice(1)}`);
  try {
    return checkFilterSyntax(validateLabSpec(copy as unknown as LabSpec));
  } catch (error) {
    if (error instanceof LabSpecError || error instanceof UsageError) throw withSet(error.message);
    throw error;
  }
}

function closestPath(path: string): string | undefined {
  return nearestName(path, SETTABLE_PATHS);
}
