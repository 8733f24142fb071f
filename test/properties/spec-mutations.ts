// Generators of LabSpec mutations for the LabSpec and --set properties: a path of the spec and a
// value for it, biased to both sides of each AWS bound and mixed with values of the wrong type.
import fc from 'fast-check';
import { SETTABLE_PATHS } from '../../harness/overrides.ts';

/** Whole-number bounds per path (AWS's and the workshop's own), for boundary values. */
const INT_BOUNDS: Record<string, [number, number]> = {
  'topic.partitions': [1, 2400],
  'kafkaEsm.batchSize': [1, 10000],
  'kafkaEsm.batchingWindowSeconds': [0, 300],
  'kafkaEsm.startingPositionTimestamp': [0, 32503680000],
  'kafkaEsm.provisionedPollers.minimum': [1, 200],
  'kafkaEsm.provisionedPollers.maximum': [1, 2000],
  'kafkaEsm.maximumRetryAttempts': [0, 10000],
  'kafkaEsm.maximumRecordAgeSeconds': [60, 604800],
  'processor.memoryMb': [128, 10240],
  'processor.timeoutSeconds': [1, 840],
  'processor.reservedConcurrency': [0, 1000],
  'processor.processingMsPerRecord': [0, 60000],
  'sqsBuffer.batchSize': [1, 10000],
  'sqsBuffer.batchingWindowSeconds': [0, 300],
  'sqsBuffer.maximumConcurrency': [2, 1000],
  'sqsBuffer.provisionedPollers.minimum': [2, 200],
  'sqsBuffer.provisionedPollers.maximum': [2, 2000],
  'sqsBuffer.visibilityTimeoutSeconds': [0, 43200],
  'sqsBuffer.maxReceiveCount': [1, 1000],
  'traffic.eventBytes': [256, 1048576],
  'traffic.seed': [0, 2 ** 32 - 1],
};

/** Values of the wrong kind, or at the edge of what a number can be. */
export const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, '', '10', ' 1 ', '1e3', 'unset', 'null', NaN, Infinity, -Infinity, -0, 0.5, -1, 1e21, 2 ** 53 + 2, -(2 ** 31)),
  fc.constant(undefined),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom([], {}, [1, 2], { minimum: 1 }, { kind: 'kafka' }),
);

/** Mostly whole numbers around [lo, hi], some fractions and far-away values. */
export function around(lo: number, hi: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(lo - 1, lo, lo + 1, hi - 1, hi, hi + 1) },
    { weight: 8, arbitrary: fc.integer({ min: lo, max: hi }) },
    { weight: 1, arbitrary: fc.integer({ min: lo - 1000, max: hi + 1000 }) },
    { weight: 1, arbitrary: fc.constantFrom(lo + 0.5, hi - 0.25, -1, 0, hi * 10, -hi) },
  );
}

const pollers = (lo: number, hiMin: number, hiMax: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ minimum: around(lo, hiMin), maximum: around(lo, hiMax) }) },
    {
      weight: 2,
      arbitrary: fc.integer({ min: lo, max: hiMin }).chain((min) => fc.integer({ min: lo, max: hiMax }).map((max) => ({ minimum: min, maximum: max }))),
    },
    { weight: 1, arbitrary: fc.record({ minimum: nasty, maximum: nasty }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: fc.constantFrom(null, 5, 'auto', [], {}) },
  );

const TOPICS = ['bookings', 'bookings-failed', 'dlq', 'Bookings', 'bad topic', '', 'x'.repeat(250), 'bookings.retry'];
const onFailure = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('kafka'), topic: fc.constantFrom(...TOPICS) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('sqs'), queueName: fc.constantFrom('bookings-failed', 'dlq', 'no spaces', '', 'q'.repeat(81)) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('sns', 's3', '', 'SQS'), topic: fc.constantFrom(...TOPICS) }) },
  { weight: 1, arbitrary: fc.constantFrom(null, 'kafka://bookings', 42, [], {}) },
);

/** Filter patterns, Kafka-shaped or not; counts around the limit of 5. */
export const filterPattern: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      { value: { status: ['CONFIRMED'] } },
      { value: { status: [{ 'anything-but': ['CANCELLED'] }] } },
      { value: [{ prefix: 'BK' }] },
      { value: { seq: [{ numeric: ['>', 10] }] } },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom({ key: { a: [1] } }, { value: { a: [1] }, key: { b: [2] } }, { value: 'CONFIRMED' }, { value: null }, null, 'value', [], {}),
  },
  {
    weight: 1,
    arbitrary: fc.record({ value: fc.dictionary(fc.string({ maxLength: 5 }), fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }), { maxKeys: 3 }) }),
  },
  { weight: 1, arbitrary: fc.nat(6000).map((n) => ({ value: { big: ['x'.repeat(n)] } })) },
);
const filters = fc.oneof(
  { weight: 9, arbitrary: fc.array(filterPattern, { maxLength: 7 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, {}, 'none', undefined) },
);

const sqsBuffer = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        batchSize: around(1, 10000),
        batchingWindowSeconds: around(0, 300),
        maximumConcurrency: around(2, 1000),
        provisionedPollers: pollers(2, 200, 2000),
        visibilityTimeoutSeconds: around(0, 43200),
        maxReceiveCount: around(1, 1000),
      },
      { requiredKeys: ['batchSize', 'visibilityTimeoutSeconds', 'maxReceiveCount'] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, 0, 'on', []) },
);

const ENUMS: Record<string, readonly unknown[]> = {
  'kafkaEsm.startingPosition': ['LATEST', 'TRIM_HORIZON', 'AT_TIMESTAMP', 'EARLIEST', 'latest'],
  'kafkaEsm.onFailure.kind': ['sqs', 'kafka', 'sns', ''],
  'kafkaEsm.onFailure.queueName': ['bookings-failed', 'bad name', ''],
  'kafkaEsm.onFailure.topic': TOPICS,
  'kafkaEsm.consumerGroupId': ['group-1', 'g:1/2*3+4=5.6@7', '', 'bad group', 'g'.repeat(201)],
  'kafkaEsm.bisectBatchOnFunctionError': [true, false, 'true', 1],
  'kafkaEsm.reportBatchItemFailures': [true, false, 'true', 0],
  'processor.mode': ['sequential', 'parallel-by-key', 'parallel'],
  'topic.name': TOPICS,
  'traffic.shape': ['steady', 'ramp', 'spike', 'burst'],
};

/** A value for one path: what that path holds when right, and when wrong. */
export function valueFor(path: string): fc.Arbitrary<unknown> {
  const specific = ((): fc.Arbitrary<unknown> | undefined => {
    const bounds = INT_BOUNDS[path];
    if (path === 'kafkaEsm.maximumRetryAttempts' || path === 'kafkaEsm.maximumRecordAgeSeconds') {
      return fc.oneof(around(bounds[0], bounds[1]), fc.constantFrom(-1, -2, 0, 59));
    }
    if (bounds) return around(bounds[0], bounds[1]);
    if (ENUMS[path]) return fc.constantFrom(...ENUMS[path]);
    if (path === 'kafkaEsm.provisionedPollers') return pollers(1, 200, 2000);
    if (path === 'sqsBuffer.provisionedPollers') return pollers(2, 200, 2000);
    if (path === 'kafkaEsm.onFailure') return onFailure;
    if (path === 'kafkaEsm.filters') return filters;
    if (path === 'sqsBuffer') return sqsBuffer;
    return undefined;
  })();
  return specific ? fc.oneof({ weight: 8, arbitrary: specific }, { weight: 1, arbitrary: nasty }) : nasty;
}

/** Paths a mutation may touch: every --set path plus whole sections and fixed fields. */
export const MUTABLE_PATHS: readonly string[] = [
  ...SETTABLE_PATHS,
  'id',
  'topic',
  'kafkaEsm',
  'processor',
  'traffic',
  'targets',
  'targets.local',
  'targets.aws.maxLost',
];

/** The paths AWS puts a limit on: three mutations in four touch one of them. */
const AWS_PATH = /^(kafkaEsm|sqsBuffer|processor\.(memoryMb|timeoutSeconds)$|topic\.name$)/;
const awsPaths = MUTABLE_PATHS.filter((p) => AWS_PATH.test(p));
const otherPaths = MUTABLE_PATHS.filter((p) => !AWS_PATH.test(p));

/** A --set path, three in four of them under an AWS limit. */
export const settablePath: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SETTABLE_PATHS.filter((p) => AWS_PATH.test(p))) },
  { weight: 1, arbitrary: fc.constantFrom(...SETTABLE_PATHS.filter((p) => !AWS_PATH.test(p))) },
);

export const mutation: fc.Arbitrary<[string, unknown]> = fc
  .oneof({ weight: 3, arbitrary: fc.constantFrom(...awsPaths) }, { weight: 1, arbitrary: fc.constantFrom(...otherPaths) })
  .chain((path) => valueFor(path).map((value): [string, unknown] => [path, value]));

/** Sets (a copy of) a value at a dotted path, creating (or replacing non-object) parents; undefined deletes. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  // A copy: generated constants are shared between runs and must never be mutated.
  if (value === undefined) delete node[last];
  else node[last] = structuredClone(value);
}
