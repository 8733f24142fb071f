// One typed LabSpec drives both places a lab runs. validateLabSpec() enforces the limits AWS
// enforces (the ranges in labs/spec-limits.ts, read from labs/aws-limits.ts, and the rules in RULES
// below), so a spec that would be refused by CreateEventSourceMapping is refused here first, with
// the field, the value, the allowed range and the rule behind it.

import { PROCESSING_MODES, WORK_KINDS } from '../handlers/shared/processing.ts';
import { BOOKING_STATUSES, TRAFFIC_SHAPES, VALUE_FORMATS } from '../handlers/shared/traffic.ts';
import {
  LAMBDA_DOCS as DOCS,
  KAFKA_MAX_BATCH_SIZE,
  MAX_MAPPINGS_PER_POLLER_GROUP,
  MAX_POLLERS_PER_POLLER_GROUP,
  POLLER_GROUP_NAME_MAX_LENGTH,
  SQS_MAX_BATCH_WITHOUT_WINDOW,
} from './aws-limits.ts';
import { ESM_METRIC_GROUPS } from './esm-metrics.ts';
import { SYSTEM_LOG_LEVELS } from './esm-system-log.ts';
import { allowedKeys, KEYED_PATHS } from './lab-spec-keys.ts';
import { EVENT_RECORD_FORMATS, type LabSpec, SCHEMA_VALIDATION_ATTRIBUTES, type TargetSpec } from './lab-spec-types.ts';
import { nearestName } from './nearest-name.ts';
import { limitAllowed, limitOf, limitRule, SPEC_LIMITS, type SpecLimit } from './spec-limits.ts';
import { WorkshopError } from './workshop-error.ts';

export * from './lab-spec-types.ts';

const RULES = {
  startingPosition: `StartingPosition is LATEST, TRIM_HORIZON or AT_TIMESTAMP (${DOCS}msk-esm-parameters.html)`,
  atTimestamp: `StartingPositionTimestamp is required with AT_TIMESTAMP and only allowed with it (${DOCS}msk-esm-parameters.html)`,
  filterKey: `Kafka filters match only the record value: each pattern's single top-level key is "value" (${DOCS}kafka-filtering.html)`,
  errorControlsProvisioned: `Kafka error handling controls (retries, record age, bisect, ReportBatchItemFailures) are configured in provisioned mode (${DOCS}kafka-retry-configurations.html)`,
  kafkaDestination: `A Kafka on-failure destination is a topic on the same cluster and must differ from the source topic (${DOCS}kafka-on-failure.html)`,
  kafkaDestinationProvisioned: `A Kafka topic as on-failure destination needs provisioned mode (${DOCS}kafka-on-failure.html)`,
  snsTopic: `An SNS topic name is 1..256 characters of [A-Za-z0-9_-] (https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html)`,
  bucket: `An S3 bucket name is 3..63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, without "..", not an IP address, not starting with xn-- or ending with -s3alias (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)`,
  queueName: `An SQS queue name is 1..80 characters of [A-Za-z0-9_-] (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html)`,
  topicName: `A Kafka topic name is 1..249 characters of [a-zA-Z0-9._-] (Apache Kafka topic naming)`,
  sqsWindow: `An SQS ESM with BatchSize over ${SQS_MAX_BATCH_WITHOUT_WINDOW} needs MaximumBatchingWindowInSeconds of at least 1 (${DOCS}services-sqs-parameters.html)`,
  sqsModes: `An SQS ESM uses either MaximumConcurrency or provisioned pollers, not both (${DOCS}services-sqs-scaling.html)`,
  metrics: `MetricsConfig.Metrics holds 0..3 distinct groups of EventCount, ErrorCount, KafkaMetrics (https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingMetricsConfig.html)`,
  pollerGroup: `PollerGroupName is 1..${POLLER_GROUP_NAME_MAX_LENGTH} characters of [a-zA-Z0-9_-]; a group holds up to ${MAX_MAPPINGS_PER_POLLER_GROUP} mappings whose maximum pollers add up to at most ${MAX_POLLERS_PER_POLLER_GROUP} (${DOCS}kafka-scaling-modes.html, https://docs.aws.amazon.com/lambda/latest/api/API_ProvisionedPollerConfig.html)`,
  systemLogLevel: `LoggingConfig.SystemLogLevel is DEBUG, INFO or WARN, for Kafka mappings in provisioned mode only (${DOCS}esm-logging.html)`,
  valueFormat: `The producer writes each booking as json (the default) or avro, Avro framed for a schema registry as Confluent's serializer frames it (magic byte 0, the schema id, the body)`,
  evolveSchemaAt: `The producer moves to version 2 of the booking schema (one new optional field) at this share of the run, and tries a version with a new required field that a registry checking BACKWARD compatibility refuses; only an Avro booking has a schema`,
  schemaRegistry: `SchemaRegistryConfig takes an EventRecordFormat of JSON or SOURCE and SchemaValidationConfigs naming KEY and/or VALUE, each once; a schema registry "is only available for event source mappings using provisioned mode" (${DOCS}services-consume-kafka-events.html, https://docs.aws.amazon.com/lambda/latest/api/API_KafkaSchemaRegistryConfig.html)`,
};

export interface SpecProblem {
  path: string;
  value: unknown;
  allowed: string;
  rule: string;
  /** A key the spec may not hold: the keys its object may, and the one most likely meant. */
  unknownKey?: { known: readonly string[]; nearest?: string };
  /** Where the problem is written (`labs/01-baseline/spec.ts:12:5`, or the `--set` that made it), when known. */
  where?: string;
}

/** Every problem in a spec at once, so a participant fixes them in one pass. */
export class LabSpecError extends WorkshopError {
  constructor(
    readonly labId: string,
    readonly problems: SpecProblem[],
  ) {
    super(`Lab ${labId} is not a valid configuration:\n` + problems.map((p) => `  - ${describeProblem(p)}`).join('\n'), { category: 'badInput' });
    this.name = 'LabSpecError';
  }
}

export function describeProblem(p: SpecProblem): string {
  const where = p.where ? `${p.where}: ` : '';
  if (p.unknownKey) {
    const parent = p.path.includes('.') ? p.path.slice(0, p.path.lastIndexOf('.')) : '';
    const fix = p.unknownKey.nearest
      ? `did you mean ${parent ? `${parent}.` : ''}${p.unknownKey.nearest}?`
      : `${parent || 'a LabSpec'} holds ${p.unknownKey.known.join(', ')}.`;
    return `${where}${p.path} is not a LabSpec key: ${fix} Rule: ${p.rule}`;
  }
  return `${where}${p.path} = ${formatValue(p.value)}: allowed ${p.allowed}. Rule: ${p.rule}`;
}

function formatValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

class Checker {
  readonly problems: SpecProblem[] = [];

  constructor(private readonly limits: readonly SpecLimit[]) {}

  /** The rule AWS states for a field with a row in labs/spec-limits.ts. */
  rule(path: string): string {
    return limitRule(limitOf(path, this.limits));
  }

  /** The field's row: its range, what is allowed and the rule, as labs/spec-limits.ts words them. */
  limit(path: string): SpecLimit {
    return limitOf(path, this.limits);
  }

  /** A field within AWS's range for it (its row in labs/spec-limits.ts); `at` names an element of a list. */
  within(path: string, value: unknown, at = path): value is number {
    const limit = limitOf(path, this.limits);
    if (limit.orInfinite && value === -1) return true;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < limit.min || value > limit.max) {
      this.fail(at, value, limitAllowed(limit), limitRule(limit));
      return false;
    }
    return true;
  }

  fail(path: string, value: unknown, allowed: string, rule: string): void {
    this.problems.push({ path, value, allowed, rule });
  }

  int(path: string, value: unknown, min: number, max: number, rule: string): value is number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, value, `a whole number from ${min} to ${max}`, rule);
      return false;
    }
    return true;
  }

  number(path: string, value: unknown, min: number, max: number, rule: string): value is number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      this.fail(path, value, `a number from ${min} to ${max}`, rule);
      return false;
    }
    return true;
  }

  oneOf<T extends string>(path: string, value: unknown, options: readonly T[], rule: string): value is T {
    if (!options.includes(value as T)) {
      this.fail(path, value, `one of ${options.join(', ')}`, rule);
      return false;
    }
    return true;
  }

  matches(path: string, value: unknown, pattern: RegExp, allowed: string, rule: string): void {
    if (typeof value !== 'string' || !pattern.test(value)) this.fail(path, value, allowed, rule);
  }

  /** A set optional group (pollers, destination, buffer...) must be an object: null is not "unset". */
  object(path: string, value: unknown, allowed: string, rule: string): boolean {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, value, allowed, rule);
      return false;
    }
    return true;
  }

  /** Every key of the object at `path` that its type does not have, with the nearest one it does. */
  knownKeys(path: string, node: unknown): void {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    const record = node as Record<string, unknown>;
    const known = allowedKeys(path, record);
    if (!known) return;
    for (const key of Object.keys(record)) {
      if (known.includes(key)) continue;
      this.problems.push({
        path: path ? `${path}.${key}` : key,
        value: record[key],
        allowed: `one of ${known.join(', ')}`,
        rule: KEY_RULE,
        unknownKey: { known, nearest: nearestName(key, known) },
      });
    }
  }

  boolean(path: string, value: unknown): void {
    if (value !== undefined && typeof value !== 'boolean') {
      this.fail(path, value, 'true or false', 'a switch is a boolean');
    }
  }
}

const WORKSHOP_RULE = 'workshop limit (keeps a local run on one laptop)';
const KEY_RULE = 'a key the LabSpec types do not have would be ignored, so it is refused (labs/lab-spec-types.ts)';

/** The object at a dotted path of the spec (`kafkaEsm.provisionedPollers`), or undefined. */
function nodeAt(spec: unknown, path: string): unknown {
  if (path === '') return spec;
  let node = spec;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * Checks a lab against the limits AWS enforces on its event source mappings, functions and queues
 * (labs/aws-limits.ts and the pages in RULES) and the workshop's own, before anything is built or
 * started (`limits` is for tests that change a limit). Returns the spec unchanged, or throws one LabSpecError listing every problem: the
 * field, its value, the allowed range and the rule behind it.
 *
 * @example
 * import { LABS } from './index.ts';
 * const lab = structuredClone(LABS[1]);
 * lab.kafkaEsm.batchingWindowSeconds = 301;
 * try {
 *   validateLabSpec(lab);
 * } catch (error) {
 *   if (error instanceof LabSpecError) console.log(error.message); // "- kafkaEsm.batchingWindowSeconds = 301: allowed a whole number from 0 to 300. Rule: ..."
 * }
 */
export function validateLabSpec(spec: LabSpec, limits: readonly SpecLimit[] = SPEC_LIMITS): LabSpec {
  const c = new Checker(limits);
  if (spec === null || typeof spec !== 'object') {
    throw new LabSpecError('?', [{ path: '(spec)', value: spec, allowed: 'a LabSpec object', rule: 'labs/lab-spec-types.ts' }]);
  }
  const id = typeof spec.id === 'string' ? spec.id : '?';
  for (const path of KEYED_PATHS) c.knownKeys(path, nodeAt(spec, path));
  checkTopic(c, spec);
  checkKafkaEsm(c, spec);
  checkProcessor(c, spec);
  if (spec.sqsBuffer !== undefined) checkSqsBuffer(c, spec);
  checkTraffic(c, spec);
  for (const place of ['local', 'aws'] as const) checkTargets(c, `targets.${place}`, spec.targets?.[place]);
  if (c.problems.length > 0) throw new LabSpecError(id, c.problems);
  return spec;
}

function checkTopic(c: Checker, spec: LabSpec): void {
  c.matches('topic.name', spec.topic?.name, /^[a-zA-Z0-9._-]{1,249}$/, '1..249 characters of a-z A-Z 0-9 . _ -', RULES.topicName);
  c.within('topic.partitions', spec.topic?.partitions);
}

function checkKafkaEsm(c: Checker, spec: LabSpec): void {
  const esm = spec.kafkaEsm ?? ({} as LabSpec['kafkaEsm']);
  c.within('kafkaEsm.batchSize', esm.batchSize);
  if (esm.batchingWindowSeconds !== undefined) c.within('kafkaEsm.batchingWindowSeconds', esm.batchingWindowSeconds);
  if (c.oneOf('kafkaEsm.startingPosition', esm.startingPosition, ['LATEST', 'TRIM_HORIZON', 'AT_TIMESTAMP'] as const, RULES.startingPosition)) {
    const hasTimestamp = esm.startingPositionTimestamp !== undefined;
    if (esm.startingPosition === 'AT_TIMESTAMP') {
      c.int('kafkaEsm.startingPositionTimestamp', esm.startingPositionTimestamp, 0, 32503680000, RULES.atTimestamp);
    } else if (hasTimestamp) {
      c.fail('kafkaEsm.startingPositionTimestamp', esm.startingPositionTimestamp, 'unset unless startingPosition is AT_TIMESTAMP', RULES.atTimestamp);
    }
  }
  if (esm.consumerGroupId !== undefined) {
    const { max } = c.limit('kafkaEsm.consumerGroupId');
    c.matches(
      'kafkaEsm.consumerGroupId',
      esm.consumerGroupId,
      new RegExp(`^[a-zA-Z0-9\\-/*:_+=.@]{1,${max}}$`),
      `1..${max} characters of a-z A-Z 0-9 - / * : _ + = . @`,
      c.rule('kafkaEsm.consumerGroupId'),
    );
  }
  const provisioned = esm.provisionedPollers !== undefined;
  const [minPollers, maxPollers] = [c.limit('kafkaEsm.provisionedPollers.minimum'), c.limit('kafkaEsm.provisionedPollers.maximum')];
  const pollersAllowed = `an object {"minimum": ${minPollers.min}..${minPollers.max}, "maximum": ${maxPollers.min}..${maxPollers.max}, "pollerGroupName"?: ...}, or unset for on-demand mode`;
  if (provisioned && c.object('kafkaEsm.provisionedPollers', esm.provisionedPollers, pollersAllowed, limitRule(maxPollers))) {
    const { minimum, maximum, pollerGroupName } = esm.provisionedPollers!;
    if (pollerGroupName !== undefined) {
      const groupName = new RegExp(`^[a-zA-Z0-9_-]{1,${POLLER_GROUP_NAME_MAX_LENGTH}}$`);
      c.matches(
        'kafkaEsm.provisionedPollers.pollerGroupName',
        pollerGroupName,
        groupName,
        `1..${POLLER_GROUP_NAME_MAX_LENGTH} characters of a-z A-Z 0-9 _ -, or unset for no group`,
        RULES.pollerGroup,
      );
    }
    checkPollerRange(c, 'kafkaEsm.provisionedPollers', minimum, maximum);
  }
  checkFilters(c, esm.filters);
  if (esm.maximumRetryAttempts !== undefined) c.within('kafkaEsm.maximumRetryAttempts', esm.maximumRetryAttempts);
  if (esm.maximumRecordAgeSeconds !== undefined) c.within('kafkaEsm.maximumRecordAgeSeconds', esm.maximumRecordAgeSeconds);
  c.boolean('kafkaEsm.bisectBatchOnFunctionError', esm.bisectBatchOnFunctionError);
  c.boolean('kafkaEsm.reportBatchItemFailures', esm.reportBatchItemFailures);
  if (!provisioned) {
    const controls = ['maximumRetryAttempts', 'maximumRecordAgeSeconds', 'bisectBatchOnFunctionError', 'reportBatchItemFailures'] as const;
    for (const control of controls) {
      const value = esm[control];
      if (value !== undefined && value !== false) {
        c.fail(`kafkaEsm.${control}`, value, 'unset in on-demand mode; set kafkaEsm.provisionedPollers to use it', RULES.errorControlsProvisioned);
      }
    }
  }
  checkOnFailure(c, spec, provisioned);
  checkMetrics(c, esm.metrics);
  if (esm.systemLogLevel !== undefined && c.oneOf('kafkaEsm.systemLogLevel', esm.systemLogLevel, SYSTEM_LOG_LEVELS, RULES.systemLogLevel) && !provisioned) {
    c.fail('kafkaEsm.systemLogLevel', esm.systemLogLevel, 'unset in on-demand mode; set kafkaEsm.provisionedPollers to use it', RULES.systemLogLevel);
  }
  checkSchemaRegistry(c, esm.schemaRegistry, provisioned);
}

/** A lab whose producer writes Avro or whose mapping validates records uses a schema registry. */
export function usesSchemaRegistry(lab: LabSpec): boolean {
  return lab.kafkaEsm.schemaRegistry !== undefined || lab.traffic.valueFormat === 'avro';
}

function checkSchemaRegistry(c: Checker, registry: unknown, provisioned: boolean): void {
  if (registry === undefined) return;
  const shape = `an object {"eventRecordFormat": ${EVENT_RECORD_FORMATS.join(' or ')}, "validate": [${SCHEMA_VALIDATION_ATTRIBUTES.map((a) => `"${a}"`).join(', ')}]}, or unset for no schema registry`;
  if (!c.object('kafkaEsm.schemaRegistry', registry, shape, RULES.schemaRegistry)) return;
  const { eventRecordFormat, validate } = registry as { eventRecordFormat: unknown; validate: unknown };
  c.oneOf('kafkaEsm.schemaRegistry.eventRecordFormat', eventRecordFormat, EVENT_RECORD_FORMATS, RULES.schemaRegistry);
  if (!Array.isArray(validate) || validate.length === 0) {
    c.fail(
      'kafkaEsm.schemaRegistry.validate',
      validate,
      `a list of ${SCHEMA_VALIDATION_ATTRIBUTES.join(' and/or ')} (the record parts the mapping validates)`,
      RULES.schemaRegistry,
    );
  } else {
    validate.forEach((attribute, i) => c.oneOf(`kafkaEsm.schemaRegistry.validate[${i}]`, attribute, SCHEMA_VALIDATION_ATTRIBUTES, RULES.schemaRegistry));
    if (new Set(validate).size !== validate.length) c.fail('kafkaEsm.schemaRegistry.validate', validate, 'each attribute at most once', RULES.schemaRegistry);
  }
  if (!provisioned) c.fail('kafkaEsm.schemaRegistry', registry, 'unset in on-demand mode; set kafkaEsm.provisionedPollers to use it', RULES.schemaRegistry);
}

function checkMetrics(c: Checker, metrics: unknown): void {
  if (metrics === undefined) return;
  if (!Array.isArray(metrics)) {
    c.fail('kafkaEsm.metrics', metrics, `a list of ${ESM_METRIC_GROUPS.join(', ')} (use [] for none)`, RULES.metrics);
    return;
  }
  metrics.forEach((group, i) => c.oneOf(`kafkaEsm.metrics[${i}]`, group, ESM_METRIC_GROUPS, RULES.metrics));
  if (new Set(metrics).size !== metrics.length) c.fail('kafkaEsm.metrics', metrics, 'each group at most once', RULES.metrics);
}

/**
 * The limits of a poller group across mappings (several labs, or several mappings in one
 * sandbox): MAX_MAPPINGS_PER_POLLER_GROUP mappings per group at most, their maximum pollers adding
 * up to MAX_POLLERS_PER_POLLER_GROUP at most.
 */
export function pollerGroupProblems(mappings: ReadonlyArray<{ id: string; kafkaEsm: Pick<LabSpec['kafkaEsm'], 'provisionedPollers'> }>): string[] {
  const groups = new Map<string, Array<{ id: string; maximum: number }>>();
  for (const m of mappings) {
    const pollers = m.kafkaEsm.provisionedPollers;
    if (!pollers?.pollerGroupName) continue;
    groups.set(pollers.pollerGroupName, [...(groups.get(pollers.pollerGroupName) ?? []), { id: m.id, maximum: pollers.maximum }]);
  }
  const problems: string[] = [];
  for (const [group, members] of groups) {
    const total = members.reduce((sum, m) => sum + m.maximum, 0);
    if (members.length > MAX_MAPPINGS_PER_POLLER_GROUP) {
      problems.push(
        `poller group ${group} would hold ${members.length} mappings: allowed at most ${MAX_MAPPINGS_PER_POLLER_GROUP}. Rule: ${RULES.pollerGroup}`,
      );
    }
    if (total > MAX_POLLERS_PER_POLLER_GROUP) {
      problems.push(
        `poller group ${group}: the maximum pollers of its mappings add up to ${total} (${members.map((m) => `${m.id} ${m.maximum}`).join(', ')}): allowed at most ${MAX_POLLERS_PER_POLLER_GROUP}; lower a maximum or use another group. Rule: ${RULES.pollerGroup}`,
      );
    }
  }
  return problems;
}

/** MinimumPollers and MaximumPollers each in range, and the maximum at least the minimum. */
function checkPollerRange(c: Checker, path: string, minimum: number, maximum: number): void {
  const minOk = c.within(`${path}.minimum`, minimum);
  if (c.within(`${path}.maximum`, maximum) && minOk && maximum < minimum) {
    c.fail(`${path}.maximum`, maximum, `at least the minimum (${minimum}) and at most ${c.limit(`${path}.maximum`).max}`, c.rule(`${path}.maximum`));
  }
}

function checkFilters(c: Checker, filters: unknown): void {
  const count = c.limit('kafkaEsm.filters');
  if (!Array.isArray(filters)) {
    c.fail('kafkaEsm.filters', filters, `a list of ${count.min}..${count.max} patterns (use [] for none)`, limitRule(count));
    return;
  }
  if (filters.length > count.max) c.fail('kafkaEsm.filters', `${filters.length} patterns`, `at most ${count.max} patterns`, limitRule(count));
  const size = c.limit('kafkaEsm.filters[]');
  filters.forEach((pattern, i) => {
    const path = `kafkaEsm.filters[${i}]`;
    const isObject = pattern !== null && typeof pattern === 'object' && !Array.isArray(pattern);
    const keys = isObject ? Object.keys(pattern) : [];
    const value = isObject ? (pattern as Record<string, unknown>).value : undefined;
    if (keys.length !== 1 || keys[0] !== 'value' || value === null || typeof value !== 'object') {
      c.fail(path, pattern, 'an object {"value": {...pattern...}}', RULES.filterKey);
      return;
    }
    const chars = JSON.stringify(pattern).length;
    if (chars > size.max) c.fail(path, `${chars} characters`, `at most ${size.max} characters`, limitRule(size));
  });
}

function checkOnFailure(c: Checker, spec: LabSpec, provisioned: boolean): void {
  const dest = spec.kafkaEsm?.onFailure;
  if (dest === undefined) return;
  const kinds = '{"kind": "sqs", "queueName": ...}, {"kind": "sns", "topicName": ...}, {"kind": "s3", "bucketName": ...} or {"kind": "kafka", "topic": ...}';
  if (!c.object('kafkaEsm.onFailure', dest, `an object ${kinds}, or unset for no destination`, RULES.kafkaDestination)) return;
  if (dest.kind === 'sqs') {
    c.matches('kafkaEsm.onFailure.queueName', dest.queueName, /^[A-Za-z0-9_-]{1,80}$/, '1..80 characters of A-Z a-z 0-9 _ -', RULES.queueName);
  } else if (dest.kind === 'sns') {
    c.matches('kafkaEsm.onFailure.topicName', dest.topicName, /^[A-Za-z0-9_-]{1,256}$/, '1..256 characters of A-Z a-z 0-9 _ -', RULES.snsTopic);
  } else if (dest.kind === 's3') {
    if (!isBucketName(dest.bucketName))
      c.fail('kafkaEsm.onFailure.bucketName', dest.bucketName, '3..63 of a-z 0-9 . -, a letter or digit at each end', RULES.bucket);
  } else if (dest.kind === 'kafka') {
    // AWS's pattern for the destination: kafka://([^.]([a-zA-Z0-9\-_.]{0,248})) (API_OnFailure.html).
    c.matches(
      'kafkaEsm.onFailure.topic',
      dest.topic,
      /^[a-zA-Z0-9_-][a-zA-Z0-9._-]{0,248}$/,
      '1..249 characters of a-z A-Z 0-9 . _ -, not starting with a dot',
      RULES.topicName,
    );
    if (dest.topic === spec.topic?.name) {
      c.fail('kafkaEsm.onFailure.topic', dest.topic, `any topic but the source topic "${spec.topic?.name}"`, RULES.kafkaDestination);
    }
    if (!provisioned) {
      c.fail('kafkaEsm.onFailure.topic', dest.topic, 'a Kafka destination only with kafkaEsm.provisionedPollers set', RULES.kafkaDestinationProvisioned);
    }
  } else {
    c.fail('kafkaEsm.onFailure.kind', (dest as { kind: unknown }).kind, 'sqs, sns, s3 or kafka', RULES.kafkaDestination);
  }
}

/**
 * The queue subscribed (raw message delivery) to an SNS on-failure topic, in the stacks and the
 * sandbox alike, so the harness reads an SNS destination as it reads a queue.
 */
export function snsSubscriptionQueueName(topicName: string): string {
  return `${topicName.slice(0, 80 - '-subscription'.length)}-subscription`;
}

/** S3's general purpose bucket naming rules. */
export function isBucketName(name: unknown): boolean {
  return (
    typeof name === 'string' &&
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith('xn--') &&
    !name.startsWith('sthree-') &&
    !name.endsWith('-s3alias') &&
    !name.endsWith('--ol-s3')
  );
}

function checkProcessor(c: Checker, spec: LabSpec): void {
  const p = spec.processor ?? ({} as LabSpec['processor']);
  c.number('processor.processingMsPerRecord', p.processingMsPerRecord, 0, 60000, WORKSHOP_RULE);
  c.oneOf('processor.workKind', p.workKind, WORK_KINDS, "a booking's work is computed on the handler's thread (cpu) or waits on another service (io)");
  c.oneOf('processor.mode', p.mode, PROCESSING_MODES, 'the booking processor runs records in order or in parallel by key');
  c.within('processor.memoryMb', p.memoryMb);
  c.within('processor.timeoutSeconds', p.timeoutSeconds);
  if (p.reservedConcurrency !== undefined) c.within('processor.reservedConcurrency', p.reservedConcurrency);
}

function checkSqsBuffer(c: Checker, spec: LabSpec): void {
  const q = spec.sqsBuffer!;
  if (!c.object('sqsBuffer', q, 'an SQS buffer object (see SqsBufferSpec), or unset for no buffer', c.rule('sqsBuffer.batchSize'))) return;
  const batchOk = c.within('sqsBuffer.batchSize', q.batchSize);
  if (q.batchingWindowSeconds !== undefined) c.within('sqsBuffer.batchingWindowSeconds', q.batchingWindowSeconds);
  if (batchOk && q.batchSize > SQS_MAX_BATCH_WITHOUT_WINDOW && !(typeof q.batchingWindowSeconds === 'number' && q.batchingWindowSeconds >= 1)) {
    c.fail(
      'sqsBuffer.batchingWindowSeconds',
      q.batchingWindowSeconds,
      `at least 1 because sqsBuffer.batchSize is ${q.batchSize} (> ${SQS_MAX_BATCH_WITHOUT_WINDOW})`,
      RULES.sqsWindow,
    );
  }
  if (q.maximumConcurrency !== undefined) c.within('sqsBuffer.maximumConcurrency', q.maximumConcurrency);
  const [minPollers, maxPollers] = [c.limit('sqsBuffer.provisionedPollers.minimum'), c.limit('sqsBuffer.provisionedPollers.maximum')];
  const pollersAllowed = `an object {"minimum": ${minPollers.min}..${minPollers.max}, "maximum": ${maxPollers.min}..${maxPollers.max}}, or unset`;
  if (q.provisionedPollers !== undefined && c.object('sqsBuffer.provisionedPollers', q.provisionedPollers, pollersAllowed, limitRule(maxPollers))) {
    const { minimum, maximum } = q.provisionedPollers;
    checkPollerRange(c, 'sqsBuffer.provisionedPollers', minimum, maximum);
    if (q.maximumConcurrency !== undefined) {
      c.fail('sqsBuffer.maximumConcurrency', q.maximumConcurrency, 'unset when sqsBuffer.provisionedPollers is set', RULES.sqsModes);
    }
  }
  if (c.within('sqsBuffer.visibilityTimeoutSeconds', q.visibilityTimeoutSeconds)) {
    const timeout = spec.processor?.timeoutSeconds;
    if (typeof timeout === 'number' && q.visibilityTimeoutSeconds < timeout) {
      const { max } = c.limit('sqsBuffer.visibilityTimeoutSeconds');
      c.fail(
        'sqsBuffer.visibilityTimeoutSeconds',
        q.visibilityTimeoutSeconds,
        `at least processor.timeoutSeconds (${timeout}) and at most ${max}`,
        c.rule('sqsBuffer.visibilityTimeoutSeconds'),
      );
    }
  }
  c.within('sqsBuffer.maxReceiveCount', q.maxReceiveCount);
}

function checkTraffic(c: Checker, spec: LabSpec): void {
  const t = spec.traffic ?? ({} as LabSpec['traffic']);
  const shapeOk = c.oneOf('traffic.shape', t.shape, TRAFFIC_SHAPES, 'a traffic profile is steady, ramp or spike');
  c.number('traffic.ratePerSec', t.ratePerSec, 0.1, 100000, WORKSHOP_RULE);
  const durationOk = c.number('traffic.durationSec', t.durationSec, 1, 3600, WORKSHOP_RULE);
  if (shapeOk && t.shape !== 'steady') {
    c.number('traffic.peakRatePerSec', t.peakRatePerSec, 0.1, 100000, `${t.shape} traffic needs a peak rate (${WORKSHOP_RULE})`);
  }
  if (shapeOk && t.shape === 'spike') {
    const startOk = c.number('traffic.spikeStartSec', t.spikeStartSec, 0, 3600, 'a spike starts within the run');
    const lengthOk = c.number('traffic.spikeDurationSec', t.spikeDurationSec, 0.1, 3600, 'a spike lasts within the run');
    if (startOk && lengthOk && durationOk && t.spikeStartSec! + t.spikeDurationSec! > t.durationSec) {
      c.fail(
        'traffic.spikeDurationSec',
        t.spikeDurationSec,
        `at most ${t.durationSec - t.spikeStartSec!} so the spike ends by traffic.durationSec`,
        'a spike lasts within the run',
      );
    }
  }
  c.int('traffic.eventBytes', t.eventBytes, 256, 1024 * 1024, 'an event is 256 B..1 MiB (an MSK record default max is 1 MiB; smaller cannot hold a booking)');
  const mix = t.statusMix as Record<string, unknown> | undefined;
  if (mix === null || typeof mix !== 'object') {
    c.fail('traffic.statusMix', mix, `weights for ${BOOKING_STATUSES.join(', ')}`, 'the booking status mix');
  } else {
    for (const status of BOOKING_STATUSES) c.number(`traffic.statusMix.${status}`, mix[status], 0, 1e6, 'a status weight is zero or positive');
    for (const key of Object.keys(mix)) {
      if (!BOOKING_STATUSES.includes(key as never)) {
        const nearest = nearestName(key, BOOKING_STATUSES);
        c.fail(
          `traffic.statusMix.${key}`,
          mix[key],
          `only ${BOOKING_STATUSES.join(', ')}${nearest ? ` (did you mean ${nearest}?)` : ''}`,
          'the booking status mix',
        );
      }
    }
    const total = BOOKING_STATUSES.reduce((sum, s) => sum + (typeof mix[s] === 'number' ? (mix[s] as number) : 0), 0);
    if (!(total > 0)) c.fail('traffic.statusMix', mix, 'at least one positive weight', 'the booking status mix');
  }
  c.number('traffic.poisonShare', t.poisonShare, 0, 1, 'a share of events, 0..1');
  if (t.valueFormat !== undefined) c.oneOf('traffic.valueFormat', t.valueFormat, VALUE_FORMATS, RULES.valueFormat);
  if (t.evolveSchemaAt !== undefined) {
    const evolveOk = typeof t.evolveSchemaAt === 'number' && t.evolveSchemaAt > 0 && t.evolveSchemaAt < 1;
    if (!evolveOk) c.fail('traffic.evolveSchemaAt', t.evolveSchemaAt, 'a share of the run greater than 0 and less than 1 (0.5: halfway)', RULES.evolveSchemaAt);
    if (t.valueFormat !== 'avro') c.fail('traffic.evolveSchemaAt', t.evolveSchemaAt, 'unset unless traffic.valueFormat is avro', RULES.evolveSchemaAt);
  }
  c.int('traffic.seed', t.seed, 0, 2 ** 32 - 1, 'a 32-bit unsigned seed');
  const warmOk = c.number('traffic.warmUpSec', t.warmUpSec, 0, 3600, WORKSHOP_RULE);
  if (warmOk && durationOk && t.warmUpSec >= t.durationSec) {
    c.fail(
      'traffic.warmUpSec',
      t.warmUpSec,
      `less than traffic.durationSec (${t.durationSec}) so some traffic is measured`,
      'warm-up is excluded from every statistic',
    );
  }
  c.number('traffic.drainTimeoutSec', t.drainTimeoutSec, 1, 3600, WORKSHOP_RULE);
}

function checkTargets(c: Checker, path: string, targets: TargetSpec | undefined): void {
  if (targets === null || typeof targets !== 'object') {
    c.fail(path, targets, 'a target object (maxLost: 0 at least)', 'every lab is checked in each place it runs');
    return;
  }
  if (targets.endToEndP50MaxMs !== undefined) c.number(`${path}.endToEndP50MaxMs`, targets.endToEndP50MaxMs, 1, 3600000, 'a latency limit in ms');
  if (targets.endToEndP99MaxMs !== undefined) c.number(`${path}.endToEndP99MaxMs`, targets.endToEndP99MaxMs, 1, 3600000, 'a latency limit in ms');
  if (targets.minThroughputPerSec !== undefined) c.number(`${path}.minThroughputPerSec`, targets.minThroughputPerSec, 0, 1e6, 'a rate in events/s');
  const batchRule = `a batch holds 1..${KAFKA_MAX_BATCH_SIZE} records`;
  if (
    targets.avgBatchSize !== undefined &&
    c.object(`${path}.avgBatchSize`, targets.avgBatchSize, `an object {"expected": 1..${KAFKA_MAX_BATCH_SIZE}, "tolerance": 0..10}, or unset`, batchRule)
  ) {
    c.number(`${path}.avgBatchSize.expected`, targets.avgBatchSize.expected, 1, KAFKA_MAX_BATCH_SIZE, batchRule);
    c.number(`${path}.avgBatchSize.tolerance`, targets.avgBatchSize.tolerance, 0, 10, 'a relative tolerance, e.g. 0.2 for ±20%');
  }
  if (targets.maxLost !== 0) c.fail(`${path}.maxLost`, targets.maxLost, '0', 'nothing published may be lost');
}
