// A lab's pipeline in words: the parts an event passes through, left to right, and the side
// paths failures take, each with the spec's own numbers. The diagram (labs/diagram.ts) draws
// these parts and its alt text reads them, so the picture and its description cannot disagree.
import { KAFKA_DEFAULT_BATCHING_WINDOW_MS, kafkaWindowMs, SQS_DEFAULT_BATCHING_WINDOW_MS, sqsWindowMs } from './aws-limits.ts';
import type { FilterPattern, KafkaEsmSpec, LabSpec, OnFailureDestination, PollerRange, ProcessorSpec, SqsBufferSpec, TrafficSpec } from './lab-spec.ts';

/** What a part is, which sets its colour. */
export type PartKind = 'producer' | 'topic' | 'mapping' | 'function' | 'queue' | 'failure';

export interface PipelinePart {
  kind: PartKind;
  title: string;
  /** Each a short phrase; a diagram draws one per line, a sentence joins them with commas. */
  lines: string[];
}

/** A part failures go to, beside the main path. */
export interface PipelineBranch {
  /** Index in `chain` of the part that sends there. */
  from: number;
  /** When it is taken, e.g. "on failure". */
  when: string;
  part: PipelinePart;
}

export interface Pipeline {
  chain: PipelinePart[];
  branches: PipelineBranch[];
}

export function pipelineParts(lab: LabSpec): Pipeline {
  const chain: PipelinePart[] = [
    { kind: 'producer', title: 'Load generator', lines: trafficLines(lab.traffic) },
    { kind: 'topic', title: 'Kafka topic', lines: [lab.topic.name, `${lab.topic.partitions} partition${lab.topic.partitions === 1 ? '' : 's'}`] },
    { kind: 'mapping', title: 'Kafka event source mapping', lines: kafkaMappingLines(lab.kafkaEsm) },
  ];
  const branches: PipelineBranch[] = [];
  if (lab.kafkaEsm.onFailure) {
    branches.push({
      from: chain.length - 1,
      when: 'on failure',
      part: { kind: 'failure', title: 'On-failure destination', lines: [destination(lab.kafkaEsm.onFailure)] },
    });
  }
  if (lab.sqsBuffer) {
    const buffer = lab.sqsBuffer;
    chain.push(
      { kind: 'function', title: 'SQS forwarder', lines: ['sends each batch to the queue'] },
      { kind: 'queue', title: 'SQS queue', lines: [`visibility timeout ${buffer.visibilityTimeoutSeconds} s`] },
    );
    branches.push({
      from: chain.length - 1,
      when: `after ${buffer.maxReceiveCount} receive${buffer.maxReceiveCount === 1 ? '' : 's'}`,
      part: { kind: 'failure', title: 'Dead-letter queue', lines: [] },
    });
    chain.push({ kind: 'mapping', title: 'SQS event source mapping', lines: sqsMappingLines(buffer) });
  }
  chain.push({ kind: 'function', title: 'Booking processor', lines: processorLines(lab.processor) });
  return { chain, branches };
}

/** The diagram's title: which lab it shows. */
export function pipelineTitle(lab: LabSpec): string {
  return `Pipeline of lab ${lab.number} — ${lab.title}`;
}

/** The whole diagram as sentences, for its alt text and its <desc>. */
export function pipelineDescription(lab: LabSpec): string {
  const { chain, branches } = pipelineParts(lab);
  const phrase = (part: PipelinePart) => `${inSentence(part.title)}${part.lines.length > 0 ? ` (${part.lines.join(', ').replaceAll(' · ', ', ')})` : ''}`;
  const sentences = [`Lab ${lab.number} pipeline, left to right: ${chain.map(phrase).join(', then ')}.`];
  for (const branch of branches) {
    sentences.push(`${capitalize(branch.when)}, the ${inSentence(chain[branch.from].title)} sends to the ${phrase(branch.part)}.`);
  }
  return sentences.join(' ');
}

function trafficLines(traffic: TrafficSpec): string[] {
  const peak = traffic.peakRatePerSec;
  const rate =
    traffic.shape === 'spike' && peak !== undefined
      ? `${traffic.ratePerSec}/s, spike to ${peak}/s`
      : traffic.shape === 'ramp' && peak !== undefined
        ? `${traffic.ratePerSec} to ${peak}/s, ramp`
        : `${traffic.ratePerSec} bookings/s, steady`;
  const lines = [rate];
  if (traffic.valueFormat === 'avro') {
    lines.push(
      traffic.evolveSchemaAt === undefined ? 'Avro, schema registered' : `Avro, schema version 2 from ${round(traffic.evolveSchemaAt * 100)}% of the run`,
    );
  }
  if (traffic.poisonShare > 0)
    lines.push(`${round(traffic.poisonShare * 100)}% ${traffic.valueFormat === 'avro' ? 'with an unknown schema id' : 'poison events'}`);
  return lines;
}

function kafkaMappingLines(esm: KafkaEsmSpec): string[] {
  const window =
    esm.batchingWindowSeconds === undefined
      ? `window ${seconds(KAFKA_DEFAULT_BATCHING_WINDOW_MS)} (default)`
      : `window ${seconds(kafkaWindowMs(esm.batchingWindowSeconds))}`;
  const lines = [`batch ${esm.batchSize} · ${window}`, `pollers: ${pollers(esm.provisionedPollers)}`];
  if (esm.provisionedPollers?.pollerGroupName) lines.push(`poller group ${esm.provisionedPollers.pollerGroupName}`);
  if (esm.schemaRegistry) lines.push(`schema registry: ${esm.schemaRegistry.validate.join(' and ')} validated, as ${esm.schemaRegistry.eventRecordFormat}`);
  esm.filters.forEach((pattern, i) => lines.push(`${i === 0 ? 'filter' : 'or'}: ${describeFilter(pattern)}`));
  const retries = [
    esm.maximumRetryAttempts !== undefined ? `retries ${esm.maximumRetryAttempts === -1 ? 'unlimited' : esm.maximumRetryAttempts}` : undefined,
    esm.maximumRecordAgeSeconds !== undefined ? `max age ${esm.maximumRecordAgeSeconds === -1 ? 'unlimited' : `${esm.maximumRecordAgeSeconds} s`}` : undefined,
  ].filter((part) => part !== undefined);
  if (retries.length > 0) lines.push(retries.join(' · '));
  if (esm.bisectBatchOnFunctionError) lines.push('bisect on error');
  if (esm.reportBatchItemFailures) lines.push('partial batch failures');
  return lines;
}

function sqsMappingLines(buffer: SqsBufferSpec): string[] {
  const window =
    buffer.batchingWindowSeconds === undefined
      ? `window ${seconds(SQS_DEFAULT_BATCHING_WINDOW_MS)} (default)`
      : `window ${seconds(sqsWindowMs(buffer.batchingWindowSeconds))}`;
  const scaling = buffer.provisionedPollers
    ? `pollers: ${pollers(buffer.provisionedPollers)}`
    : buffer.maximumConcurrency !== undefined
      ? `max concurrency ${buffer.maximumConcurrency}`
      : 'standard scaling';
  return [`batch ${buffer.batchSize} · ${window}`, scaling];
}

function processorLines(processor: ProcessorSpec): string[] {
  const lines = [
    processor.mode,
    `${processor.processingMsPerRecord} ms ${processor.workKind} work per booking`,
    `${processor.memoryMb} MB · timeout ${processor.timeoutSeconds} s`,
  ];
  if (processor.reservedConcurrency !== undefined) lines.push(`reserved concurrency ${processor.reservedConcurrency}`);
  return lines;
}

function pollers(range: PollerRange | undefined): string {
  if (!range) return 'on-demand';
  return range.minimum === range.maximum ? `provisioned ${range.minimum} (min = max)` : `provisioned ${range.minimum} to ${range.maximum}`;
}

function destination(to: OnFailureDestination): string {
  switch (to.kind) {
    case 'sqs':
      return `SQS queue ${to.queueName}`;
    case 'sns':
      return `SNS topic ${to.topicName}`;
    case 's3':
      return `S3 bucket ${to.bucketName}`;
    case 'kafka':
      return `Kafka topic ${to.topic}`;
  }
}

/**
 * A filter pattern in words (`status is CONFIRMED or PENDING`): JSON's brackets would end a
 * markdown image's alt text early, and words read aloud better.
 */
export function describeFilter(pattern: FilterPattern): string {
  const value = pattern.value;
  if (Array.isArray(value)) return `value is ${matchers(value)}`;
  return fields(value, '').join(' and ');
}

function fields(object: Record<string, unknown>, prefix: string): string[] {
  return Object.entries(object).flatMap(([key, value]) => {
    const path = `${prefix}${key}`;
    if (Array.isArray(value)) return [`${path} is ${matchers(value)}`];
    if (value !== null && typeof value === 'object') return fields(value as Record<string, unknown>, `${path}.`);
    return [`${path} is ${String(value)}`];
  });
}

/** The values a field may match, each a literal or a rule such as `{ "prefix": "A" }`. */
function matchers(values: unknown[]): string {
  return values
    .map((value) => {
      if (value === null || typeof value !== 'object') return String(value);
      return Object.entries(value as Record<string, unknown>)
        .map(
          ([rule, argument]) =>
            `${rule} ${Array.isArray(argument) ? argument.map(String).join(' ') : typeof argument === 'object' && argument !== null ? describeRule(argument) : String(argument)}`,
        )
        .join(' and ');
    })
    .join(' or ');
}

/** A nested rule (`{ "anything-but": { "prefix": "A" } }`): its keys and values in order. */
function describeRule(rule: object): string {
  return Object.entries(rule)
    .map(([key, value]) => `${key} ${Array.isArray(value) ? value.map(String).join(' ') : String(value)}`)
    .join(' ');
}

const seconds = (ms: number) => `${round(ms / 1000)} s`;
const round = (n: number) => String(Math.round(n * 1000) / 1000);
const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
/** A title inside a sentence: `Booking processor` is lower-cased, `SQS queue` is not. */
const inSentence = (title: string) => (/^[A-Z][a-z]/.test(title) && !title.startsWith('Kafka') ? title.charAt(0).toLowerCase() + title.slice(1) : title);
