import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LABS } from '../../labs/index.ts';
import { type LabSpec, LabSpecError, pollerGroupProblems, validateLabSpec } from '../../labs/lab-spec.ts';

const lab1 = LABS[0];
const lab3 = LABS[2];
const lab4 = LABS[3];

/** A deep copy of `base` with `path` set to `value` (undefined deletes the key). */
function withValue(base: LabSpec, path: string, value: unknown): LabSpec {
  const copy = structuredClone(base) as unknown as Record<string, unknown>;
  const keys = path.split('.');
  let node = copy;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy as unknown as LabSpec;
}

function problemsOf(spec: LabSpec): string[] {
  try {
    validateLabSpec(spec);
    return [];
  } catch (error) {
    assert.instance(error, LabSpecError);
    return (error as LabSpecError).problems.map((p) => p.path);
  }
}

function accepts(base: LabSpec, path: string, value: unknown): void {
  const problems = problemsOf(withValue(base, path, value));
  assert.equal(problems, [], `${path} = ${JSON.stringify(value)} should be accepted`);
}

function rejects(base: LabSpec, path: string, value: unknown, problemPath = path): void {
  const problems = problemsOf(withValue(base, path, value));
  assert.ok(problems.includes(problemPath), `${path} = ${JSON.stringify(value)} should be rejected at ${problemPath}; got ${JSON.stringify(problems)}`);
}

test('every shipped lab is valid', () => {
  for (const lab of LABS) assert.is(validateLabSpec(lab), lab);
});

// [base, path, accepted values at and inside each bound, rejected values just outside]
const bounds: Array<[string, LabSpec, string, unknown[], unknown[]]> = [
  ['kafka batch size', lab1, 'kafkaEsm.batchSize', [1, 10000], [0, 10001, 1.5, '100']],
  ['kafka window', lab1, 'kafkaEsm.batchingWindowSeconds', [0, 300, undefined], [-1, 301, 0.5]],
  ['minimum pollers', lab4, 'kafkaEsm.provisionedPollers.minimum', [1, 2], [0, 201]],
  ['maximum pollers', lab4, 'kafkaEsm.provisionedPollers.maximum', [1, 2000].map((v) => v), [0, 2001]],
  ['retries', lab4, 'kafkaEsm.maximumRetryAttempts', [-1, 0, 10000], [-2, 10001]],
  ['record age', lab4, 'kafkaEsm.maximumRecordAgeSeconds', [-1, 60, 604800], [59, 604801, 0]],
  ['partitions', lab1, 'topic.partitions', [1, 2400], [0, 2401]],
  ['memory', lab1, 'processor.memoryMb', [128, 10240], [127, 10241]],
  ['kafka function timeout', lab1, 'processor.timeoutSeconds', [1, 840], [0, 841]],
  ['reserved concurrency', lab1, 'processor.reservedConcurrency', [0, 900], [-1, 901]],
  ['sqs batch size', lab3, 'sqsBuffer.batchSize', [1, 10], [0, 10001]],
  ['sqs window', lab3, 'sqsBuffer.batchingWindowSeconds', [0, 300], [-1, 301]],
  ['maximum concurrency', lab3, 'sqsBuffer.maximumConcurrency', [2, 1000], [1, 1001]],
  ['visibility timeout', lab3, 'sqsBuffer.visibilityTimeoutSeconds', [30, 43200], [29, 43201]],
  ['max receive count', lab3, 'sqsBuffer.maxReceiveCount', [1, 1000], [0, 1001]],
  ['poison share', lab1, 'traffic.poisonShare', [0, 1], [-0.01, 1.01]],
  ['event size', lab1, 'traffic.eventBytes', [256, 1048576], [255, 1048577]],
];

for (const [name, base, path, good, bad] of bounds) {
  test(`${name}: both sides of each bound`, () => {
    for (const value of good) accepts(base, path, value);
    for (const value of bad) rejects(base, path, value);
  });
}

test('maximum pollers must be at least the minimum', () => {
  const spec = withValue(lab4, 'kafkaEsm.provisionedPollers', { minimum: 5, maximum: 4 });
  assert.equal(problemsOf(spec), ['kafkaEsm.provisionedPollers.maximum']);
  accepts(lab4, 'kafkaEsm.provisionedPollers', { minimum: 5, maximum: 5 });
  accepts(lab4, 'kafkaEsm.provisionedPollers', { minimum: 200, maximum: 2000 });
});

test('an SQS batch over 10 needs a window of at least 1 s', () => {
  const big = withValue(lab3, 'sqsBuffer.batchSize', 11);
  assert.equal(problemsOf(big), ['sqsBuffer.batchingWindowSeconds']);
  assert.equal(problemsOf(withValue(big, 'sqsBuffer.batchingWindowSeconds', 1)), []);
  assert.equal(problemsOf(withValue(withValue(lab3, 'sqsBuffer.batchSize', 10000), 'sqsBuffer.batchingWindowSeconds', 1)), []);
});

test('SQS provisioned pollers: minimum 2..200, maximum 2..2000, not with MaximumConcurrency', () => {
  const base = withValue(lab3, 'sqsBuffer.maximumConcurrency', undefined);
  accepts(base, 'sqsBuffer.provisionedPollers', { minimum: 2, maximum: 2 });
  accepts(base, 'sqsBuffer.provisionedPollers', { minimum: 200, maximum: 2000 });
  rejects(base, 'sqsBuffer.provisionedPollers', { minimum: 1, maximum: 2 }, 'sqsBuffer.provisionedPollers.minimum');
  rejects(base, 'sqsBuffer.provisionedPollers', { minimum: 201, maximum: 300 }, 'sqsBuffer.provisionedPollers.minimum');
  rejects(base, 'sqsBuffer.provisionedPollers', { minimum: 2, maximum: 2001 }, 'sqsBuffer.provisionedPollers.maximum');
  rejects(base, 'sqsBuffer.provisionedPollers', { minimum: 2, maximum: 10000 }, 'sqsBuffer.provisionedPollers.maximum');
  rejects(lab3, 'sqsBuffer.provisionedPollers', { minimum: 2, maximum: 4 }, 'sqsBuffer.maximumConcurrency');
});

test('SQS MaximumPollers above 2,000, or below 2, is refused with the range, how to fix it, and both AWS pages', () => {
  const base = withValue(lab3, 'sqsBuffer.maximumConcurrency', undefined);
  for (const maximum of [2001, 1]) {
    let message = '';
    try {
      validateLabSpec(withValue(base, 'sqsBuffer.provisionedPollers', { minimum: 2, maximum }));
    } catch (error) {
      assert.instance(error, LabSpecError);
      message = (error as Error).message;
    }
    assert.match(message, `sqsBuffer.provisionedPollers.maximum = ${maximum}: allowed a whole number from 2 to 2000.`);
    assert.match(message, 'set sqsBuffer.provisionedPollers.maximum in that range');
    assert.match(message, 'https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html');
    assert.match(message, 'up to 10,000');
    assert.match(message, 'https://docs.aws.amazon.com/lambda/latest/api/API_ProvisionedPollerConfig.html');
    assert.not.match(message, /\n\s+at /, 'no stack trace');
  }
});

test('the visibility timeout is at least the processor timeout', () => {
  const spec = withValue(withValue(lab3, 'processor.timeoutSeconds', 200), 'sqsBuffer.visibilityTimeoutSeconds', 199);
  assert.equal(problemsOf(spec), ['sqsBuffer.visibilityTimeoutSeconds']);
});

test('at most 5 filters, each only on value', () => {
  const one = { value: { status: ['CONFIRMED'] } };
  accepts(lab1, 'kafkaEsm.filters', [one, one, one, one, one]);
  rejects(lab1, 'kafkaEsm.filters', [one, one, one, one, one, one]);
  rejects(lab1, 'kafkaEsm.filters', [{ key: { a: [1] } }], 'kafkaEsm.filters[0]');
  rejects(lab1, 'kafkaEsm.filters', [{ value: { a: [1] }, key: { b: [2] } }], 'kafkaEsm.filters[0]');
  rejects(lab1, 'kafkaEsm.filters', [{ value: { big: ['x'.repeat(5000)] } }], 'kafkaEsm.filters[0]');
});

test('a Kafka on-failure topic is never the source topic, and needs provisioned mode', () => {
  rejects(lab4, 'kafkaEsm.onFailure', { kind: 'kafka', topic: 'bookings' }, 'kafkaEsm.onFailure.topic');
  accepts(lab4, 'kafkaEsm.onFailure', { kind: 'kafka', topic: 'bookings-failed' });
  rejects(lab1, 'kafkaEsm.onFailure', { kind: 'kafka', topic: 'bookings-failed' }, 'kafkaEsm.onFailure.topic');
  accepts(lab1, 'kafkaEsm.onFailure', { kind: 'sqs', queueName: 'bookings-failed' });
  rejects(lab1, 'kafkaEsm.onFailure', { kind: 'sqs', queueName: 'no spaces allowed' }, 'kafkaEsm.onFailure.queueName');
  rejects(lab4, 'kafkaEsm.onFailure', { kind: 'kafka', topic: '.hidden' }, 'kafkaEsm.onFailure.topic');
});

test("SNS and S3 destinations: their services' naming rules", () => {
  accepts(lab1, 'kafkaEsm.onFailure', { kind: 'sns', topicName: 'bookings-failed' });
  rejects(lab1, 'kafkaEsm.onFailure', { kind: 'sns', topicName: 'bookings.failed' }, 'kafkaEsm.onFailure.topicName');
  accepts(lab1, 'kafkaEsm.onFailure', { kind: 's3', bucketName: 'bookings-failed' });
  for (const bad of ['Bookings', 'ab', 'bookings..failed', '192.168.1.10', 'xn--bookings', 'bookings-s3alias', '-bookings', 'x'.repeat(64)]) {
    rejects(lab1, 'kafkaEsm.onFailure', { kind: 's3', bucketName: bad }, 'kafkaEsm.onFailure.bucketName');
  }
  rejects(lab1, 'kafkaEsm.onFailure', { kind: 'sftp', host: 'x' }, 'kafkaEsm.onFailure.kind');
});

test('MetricsConfig: 0..3 distinct groups of EventCount, ErrorCount, KafkaMetrics', () => {
  accepts(lab1, 'kafkaEsm.metrics', []);
  accepts(lab1, 'kafkaEsm.metrics', undefined);
  accepts(lab1, 'kafkaEsm.metrics', ['KafkaMetrics']);
  rejects(lab1, 'kafkaEsm.metrics', ['EventCount', 'EventCount']);
  rejects(lab1, 'kafkaEsm.metrics', ['DeletedEventCount'], 'kafkaEsm.metrics[0]');
  rejects(lab1, 'kafkaEsm.metrics', 'EventCount');
});

test('PollerGroupName: 1..128 of [a-zA-Z0-9_-]; across mappings, at most 100 per group and 2,000 maximum pollers', () => {
  accepts(lab4, 'kafkaEsm.provisionedPollers.pollerGroupName', 'bookings_pollers-1');
  rejects(lab4, 'kafkaEsm.provisionedPollers.pollerGroupName', 'no spaces');
  rejects(lab4, 'kafkaEsm.provisionedPollers.pollerGroupName', '');
  rejects(lab4, 'kafkaEsm.provisionedPollers.pollerGroupName', 'x'.repeat(129));
  const grouped = (id: string, maximum: number) => ({ id, kafkaEsm: { provisionedPollers: { minimum: 1, maximum, pollerGroupName: 'shared' } } });
  assert.equal(pollerGroupProblems([grouped('a', 1000), grouped('b', 1000)]), []);
  const [tooMany] = pollerGroupProblems([grouped('a', 1000), grouped('b', 1000), grouped('c', 1)]);
  assert.match(tooMany, 'poller group shared: the maximum pollers of its mappings add up to 2001 (a 1000, b 1000, c 1): allowed at most 2000');
  assert.match(pollerGroupProblems(Array.from({ length: 101 }, (_, i) => grouped(`m${i}`, 1)))[0], 'would hold 101 mappings: allowed at most 100');
  assert.equal(pollerGroupProblems(LABS), [], 'the shipped labs');
});

test('LoggingConfig: DEBUG, INFO or WARN, in provisioned mode only', () => {
  accepts(lab4, 'kafkaEsm.systemLogLevel', 'DEBUG');
  accepts(lab4, 'kafkaEsm.systemLogLevel', undefined);
  rejects(lab4, 'kafkaEsm.systemLogLevel', 'TRACE');
  rejects(lab1, 'kafkaEsm.systemLogLevel', 'INFO');
});

test('SchemaRegistryConfig: JSON or SOURCE, KEY and/or VALUE once each, in provisioned mode only', () => {
  accepts(lab4, 'kafkaEsm.schemaRegistry', { eventRecordFormat: 'JSON', validate: ['VALUE'] });
  accepts(lab4, 'kafkaEsm.schemaRegistry', { eventRecordFormat: 'SOURCE', validate: ['KEY', 'VALUE'] });
  rejects(lab4, 'kafkaEsm.schemaRegistry', { eventRecordFormat: 'AVRO', validate: ['VALUE'] }, 'kafkaEsm.schemaRegistry.eventRecordFormat');
  rejects(lab4, 'kafkaEsm.schemaRegistry', { eventRecordFormat: 'JSON', validate: [] }, 'kafkaEsm.schemaRegistry.validate');
  rejects(lab4, 'kafkaEsm.schemaRegistry', { eventRecordFormat: 'JSON', validate: ['VALUE', 'VALUE'] }, 'kafkaEsm.schemaRegistry.validate');
  rejects(lab4, 'kafkaEsm.schemaRegistry', { eventRecordFormat: 'JSON', validate: ['HEADERS'] }, 'kafkaEsm.schemaRegistry.validate[0]');
  rejects(lab4, 'kafkaEsm.schemaRegistry', { eventRecordFormat: 'JSON', validate: ['VALUE'], registryUri: 'x' }, 'kafkaEsm.schemaRegistry.registryUri');
  rejects(lab1, 'kafkaEsm.schemaRegistry', { eventRecordFormat: 'JSON', validate: ['VALUE'] });
  try {
    validateLabSpec(withValue(lab1, 'kafkaEsm.schemaRegistry', { eventRecordFormat: 'JSON', validate: ['VALUE'] }));
    assert.unreachable('on-demand mode with a schema registry');
  } catch (error) {
    assert.match((error as Error).message, 'set kafkaEsm.provisionedPollers');
    assert.match((error as Error).message, 'services-consume-kafka-events.html');
  }
});

test('traffic.evolveSchemaAt: a share of the run strictly between 0 and 1, for Avro bookings only', () => {
  const lab5 = LABS.find((l) => l.number === 5)!;
  accepts(lab5, 'traffic.evolveSchemaAt', 0.5);
  accepts(lab5, 'traffic.evolveSchemaAt', undefined);
  rejects(lab5, 'traffic.evolveSchemaAt', 0);
  rejects(lab5, 'traffic.evolveSchemaAt', 1);
  rejects(lab5, 'traffic.evolveSchemaAt', 15);
  rejects(lab5, 'traffic.evolveSchemaAt', 'halfway');
  rejects(lab4, 'traffic.evolveSchemaAt', 0.5);
  try {
    validateLabSpec(withValue(lab4, 'traffic.evolveSchemaAt', 0.5));
    assert.unreachable('JSON bookings have no schema to evolve');
  } catch (error) {
    assert.match((error as Error).message, 'unset unless traffic.valueFormat is avro');
  }
});

test('error handling controls need provisioned mode', () => {
  for (const [path, value] of [
    ['kafkaEsm.maximumRetryAttempts', 2],
    ['kafkaEsm.maximumRecordAgeSeconds', 60],
    ['kafkaEsm.bisectBatchOnFunctionError', true],
    ['kafkaEsm.reportBatchItemFailures', true],
  ] as const) {
    rejects(lab1, path, value);
  }
  accepts(lab1, 'kafkaEsm.bisectBatchOnFunctionError', false);
});

test('AT_TIMESTAMP needs a timestamp, and only it may have one', () => {
  rejects(lab1, 'kafkaEsm.startingPosition', 'AT_TIMESTAMP', 'kafkaEsm.startingPositionTimestamp');
  const at = withValue(withValue(lab1, 'kafkaEsm.startingPosition', 'AT_TIMESTAMP'), 'kafkaEsm.startingPositionTimestamp', 1760000000);
  assert.equal(problemsOf(at), []);
  rejects(lab1, 'kafkaEsm.startingPositionTimestamp', 1760000000);
  rejects(lab1, 'kafkaEsm.startingPosition', 'EARLIEST');
});

test('a spike needs a peak that ends within the run', () => {
  const lab2 = LABS[1];
  rejects(lab2, 'traffic.peakRatePerSec', undefined);
  rejects(lab2, 'traffic.spikeDurationSec', 100);
  rejects(lab1, 'traffic.shape', 'burst');
});

test('loss is never allowed', () => {
  rejects(lab1, 'targets.local.maxLost', 1);
});

test('the message names the field, the value, the allowed range and the AWS rule', () => {
  try {
    validateLabSpec(withValue(lab1, 'kafkaEsm.batchSize', 20000));
    assert.unreachable('should have thrown');
  } catch (error) {
    const message = (error as Error).message;
    assert.match(message, 'Lab 01-baseline is not a valid configuration');
    assert.match(message, 'kafkaEsm.batchSize = 20000');
    assert.match(message, 'allowed a whole number from 1 to 10000');
    assert.match(message, 'Kafka ESM BatchSize is 1..10000');
    assert.match(message, 'msk-esm-parameters.html');
  }
});

test('a key the types do not have is refused at every depth, with the nearest valid one', () => {
  const cases: Array<[LabSpec, string, string | undefined]> = [
    [withValue(lab1, 'kafkaEsm.batchingWindowSecond', 0), 'kafkaEsm.batchingWindowSecond', 'kafkaEsm.batchingWindowSeconds'],
    [withValue(lab1, 'kafkaEsm.provisionedPoller', { minimum: 1, maximum: 1 }), 'kafkaEsm.provisionedPoller', 'kafkaEsm.provisionedPollers'],
    [withValue(lab4, 'kafkaEsm.provisionedPollers.maximun', 2), 'kafkaEsm.provisionedPollers.maximun', 'kafkaEsm.provisionedPollers.maximum'],
    [withValue(lab4, 'kafkaEsm.onFailure.topicName', 'x'), 'kafkaEsm.onFailure.topicName', undefined],
    [withValue(lab1, 'processor.Mode', 'sequential'), 'processor.Mode', 'processor.mode'],
    [withValue(lab3, 'sqsBuffer.maxConcurrency', 10), 'sqsBuffer.maxConcurrency', 'sqsBuffer.maximumConcurrency'],
    [withValue(lab3, 'sqsBuffer.provisionedPollers', { minimum: 2, maximum: 2, group: 'x' }), 'sqsBuffer.provisionedPollers.group', undefined],
    [withValue(lab1, 'traffic.rate', 10), 'traffic.rate', undefined],
    [withValue(lab1, 'targets.local.p50', 10), 'targets.local.p50', undefined],
    [withValue(lab1, 'targets.aws.avgBatchSize.tolerence', 0.2), 'targets.aws.avgBatchSize.tolerence', 'targets.aws.avgBatchSize.tolerance'],
    [withValue(lab1, 'topic.partition', 12), 'topic.partition', 'topic.partitions'],
    [withValue(lab1, 'sqsbuffer', {}), 'sqsbuffer', 'sqsBuffer'],
  ];
  for (const [spec, path, nearest] of cases) {
    let error: LabSpecError | undefined;
    try {
      validateLabSpec(spec);
    } catch (e) {
      error = e as LabSpecError;
    }
    assert.instance(error, LabSpecError, `${path} is refused`);
    const problem = error!.problems.find((p) => p.path === path);
    assert.ok(problem?.unknownKey, `${path} is named as an unknown key: ${error!.message}`);
    if (nearest) assert.match(error!.message, `${path} is not a LabSpec key: did you mean ${nearest}?`);
    else assert.match(error!.message, new RegExp(`${path.replace(/\./g, '\\.')} is not a LabSpec key: \\S+ holds `));
  }
  // A filter pattern's keys are the pattern's own (checked as a pattern), and statusMix keeps its own message.
  assert.equal(problemsOf(withValue(lab4, 'kafkaEsm.filters', [{ value: { status: ['CONFIRMED'], flight: [{ prefix: 'KL' }] } }])), []);
  assert.equal(problemsOf(withValue(lab1, 'traffic.statusMix.WAITLISTED', 1)), ['traffic.statusMix.WAITLISTED']);
  let mixError: LabSpecError | undefined;
  try {
    validateLabSpec(withValue(lab1, 'traffic.statusMix.CONFIRMD', 1));
  } catch (e) {
    mixError = e as LabSpecError;
  }
  assert.match(mixError!.message, 'only CONFIRMED, PENDING, CANCELLED (did you mean CONFIRMED?)');
});

test('all problems are reported together', () => {
  const spec = withValue(withValue(lab1, 'kafkaEsm.batchSize', 0), 'kafkaEsm.batchingWindowSeconds', 301);
  assert.equal(problemsOf(spec), ['kafkaEsm.batchSize', 'kafkaEsm.batchingWindowSeconds']);
});

test.run();
