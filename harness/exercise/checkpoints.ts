// Each lab's exercise, as `workshop check` marks it: the learner's files (a starting state with
// TODO(lab N) markers, and the solution they are restored from), what the run must show besides
// the targets, and a hint for every check that can fail. A hint comes in three steps, one more
// with each `check --hint`: the idea (why this number moves), where (which field or file), then
// the answer. A failure always shows the idea; the answer never comes before the other two.
import type { HandlerName } from '../../handlers/bundle.ts';
import { problem as lab2Problem, PEAK_RATE_PER_SEC } from '../../labs/02-low-latency/problem.ts';
import { provisionedPollersSizing } from '../../labs/capacity-model.ts';
import { EXERCISE_SPEC_FILE, exerciseHandlerFile } from '../../labs/exercise-spec.ts';
import { RULES } from '../../labs/model-rules.ts';
import { BOTTLENECKS, type Prediction } from '../../labs/prediction.ts';
import type { LabRunResult } from '../run-result.ts';

export interface ExerciseFile {
  /** Its name in the learner's folder. */
  name: string;
  /** Repo-relative: the starting state, with TODO(lab N) markers. */
  start: string;
  /** Repo-relative: what `workshop solution` writes. */
  solution: string;
  /** The lab's spec (exports `lab` and the learner's `prediction`), or the source of a handler (exports `handler`). */
  role: 'spec' | HandlerName;
}

export interface Hint {
  /** Names the hint in progress.json, which keeps how many of its steps were shown. */
  id: string;
  /** Step 1, with every failure: why the number moves, without the knob or the answer. */
  idea: string;
  /** Step 2 (first --hint): which field or file. */
  where: string;
  /** Step 3 (second --hint): the answer and why. */
  answer: string;
}

/** The steps of a hint beyond its idea that `--hint` can show: where, then the answer. */
export const HINT_STEPS = 2;

/** Something the run must show that no target measures (lab 4's filter and dead letters, lab 1's predictions). */
export interface RunGoal {
  name: string;
  met: (result: LabRunResult, prediction: Prediction) => boolean;
  measured: (result: LabRunResult, prediction: Prediction) => string;
}

export interface LabCheckpoint {
  lab: string;
  files: ExerciseFile[];
  goals: RunGoal[];
  /** Keyed by the name of a target, a goal, a handler probe (handler-probes.ts) or PREDICTION_WRITTEN. */
  hints: Record<string, Hint>;
  /** Where a part of the solution lives that its files only import (shown by `workshop solution`). */
  solutionNotes?: string[];
}

/** The finding that no traffic runs before: the learner's prediction, written in spec.ts. */
export const PREDICTION_WRITTEN = 'your prediction is written down';

const spec = (lab: string): ExerciseFile => ({
  name: EXERCISE_SPEC_FILE,
  start: `labs/${lab}/exercise/spec.ts`,
  solution: `labs/${lab}/spec.ts`,
  role: 'spec',
});

const KAFKA_BATCHING = 'https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html#invocation-eventsourcemapping-batching';
const PROVISIONED_MODE = 'https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html';
const SQS_VISIBILITY = 'https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html';
const EVENT_FILTERING = 'https://docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html';
const KAFKA_ERRORS = 'https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html';

/** How close lab 1's predictions must come to what the run measures. */
export const BASELINE_PREDICTION_TOLERANCE = 0.3;

const predict: Hint = {
  id: 'predict',
  idea: 'Write down what you expect before you measure: a prediction that misses shows you the rule you do not know yet.',
  where: `\`export const prediction\` in your spec.ts: avgBatchSize, p50Ms, maxConcurrency and bottleneck (one of ${BOTTLENECKS.map((b) => `'${b}'`).join(', ')}). This lab's rule is in WORKSHOP.md, under the lab.`,
  answer:
    'Your best guess for each, whatever it is: this check only asks that you wrote one down. After the run, the check shows it beside the capacity model and the measurement, and explains the largest miss.',
};

const baselineBatch: Hint = {
  id: 'baseline-batch',
  idea: "A Kafka mapping invokes at the first of three triggers: its batching window ends, its batch is full, or the batch reaches 6 MB. At this lab's rate, which comes first?",
  where: `The rate is traffic.ratePerSec in problem.ts; batchSize is in spec.ts, and with batchingWindowSeconds unset Kafka's default window applies (labs/aws-limits.ts). Rule: ${RULES.batch}.`,
  answer: `One poller collects 100/s × 0.5 s = 50 records in the 500 ms default window, plus the one that opened it: about 51, short of the batch size of 100, so the window fires first. prediction.avgBatchSize ≈ 51 (${KAFKA_BATCHING}).`,
};

const baselineLatency: Hint = {
  id: 'baseline-latency',
  idea: "An event waits for its batch's window to end, then for the bookings ahead of it in the batch. How far into a window does an event arrive, on average?",
  where: `The window (500 ms with batchingWindowSeconds unset) and the work per booking (processor.processingMsPerRecord in problem.ts). Rule: ${RULES.latency}.`,
  answer: "Half the window, 250 ms, plus half the batch's processing, 51 × 2 ms ÷ 2 ≈ 51 ms: about 300 ms. prediction.p50Ms ≈ 300.",
};

const baselineDefaults: Hint = {
  id: 'baseline-defaults',
  idea: 'This lab measures the mapping AWS creates from the topic alone: its numbers are the baseline every later lab is compared with.',
  where: 'kafkaEsm in spec.ts: batchSize, batchingWindowSeconds and provisionedPollers.',
  answer:
    "batchSize: 100, no batchingWindowSeconds line (Kafka's 500 ms default) and no provisionedPollers (on-demand): the exercise's starting state, which `npx workshop exercise 1 --reset` writes again (yours is backed up).",
};

/** Lab 2's pollers as its solution sizes them, so the answer's numbers and reason are the spec's own. */
const LAB2_SIZING = provisionedPollersSizing({
  peakRatePerSec: PEAK_RATE_PER_SEC,
  recordsPerBatch: 10,
  batchDurationMs: 10 * lab2Problem.processor.processingMsPerRecord,
});

const lowLatency: Hint = {
  id: 'low-latency',
  idea: "An event waits for its batch's window, and during the spike for a poller free to invoke. Under 100 ms needs both waits gone before the spike arrives, not minutes after.",
  where:
    "kafkaEsm in spec.ts: batchingWindowSeconds (unset is 500 ms for Kafka), batchSize, and provisionedPollers (unset is on-demand: one poller to start, more after a minute's evaluation of the lag). " +
    `sizeProvisionedPollers in labs/capacity-model.ts applies AWS's sizing rule; the spike is PEAK_RATE_PER_SEC in problem.ts. Rule: ${RULES.pollers}.`,
  answer:
    'batchingWindowSeconds: 0, batchSize: 10, and provisionedPollers: sizeProvisionedPollers({ peakRatePerSec: PEAK_RATE_PER_SEC, recordsPerBatch: 10, batchDurationMs: 10 * problem.processor.processingMsPerRecord }): ' +
    `${LAB2_SIZING.reason} Provisioned mode: ${PROVISIONED_MODE}.`,
};

const buffer: Hint = {
  id: 'buffer',
  idea: "Behind a Kafka mapping, the processor never runs more invocations at once than the topic has partitions, and this work is CPU: a batch's records cannot overlap. Only more invocations process more bookings at once.",
  where: `What could sit between the Kafka mapping and the processor: sqsBuffer in spec.ts (SqsBufferSpec in labs/lab-spec-types.ts). An SQS queue has no partitions. Rule: ${RULES.concurrency}.`,
  answer:
    'sqsBuffer: { batchSize: 10, batchingWindowSeconds: 0, maximumConcurrency: 40, visibilityTimeoutSeconds: 180, maxReceiveCount: 5 }: 40 batches of up to 10 bookings at 100 ms each carry 400/s. ' +
    `The queue's visibility timeout must be at least the processor's timeout (AWS refuses less); AWS recommends six times it for an SQS mapping, 180 s for 30 s (${SQS_VISIBILITY}).`,
};

const errorHandling: Hint = {
  id: 'error-handling',
  idea: 'A record that fails every time is retried until it expires, and the records behind it in its partition wait.',
  where:
    'kafkaEsm in spec.ts: maximumRetryAttempts, bisectBatchOnFunctionError, reportBatchItemFailures and onFailure (provisioned mode only); and what booking-processor.ts returns when a record fails.',
  answer:
    "In kafkaEsm: maximumRetryAttempts: 2, bisectBatchOnFunctionError: true, reportBatchItemFailures: true and onFailure: { kind: 'sqs', queueName: 'bookings-failed' }. " +
    `Unset, a Kafka mapping retries a failing batch until its records expire, and its partition waits (${KAFKA_ERRORS}).`,
};

const batchShape: Hint = {
  id: 'batch-shape',
  idea: "A batch takes as long as its records' work one after another, unless they can overlap: this processor waits on the seat-inventory service, so they can. And every booking that reaches it costs an invocation.",
  where: 'processor.mode in spec.ts and parallelByKey in booking-processor.ts; kafkaEsm.filters decides which bookings reach the function.',
  answer:
    "processor mode 'parallel-by-key' with your parallelByKey: records of different bookings overlap, one booking's stay in order; and filters: [{ value: { status: ['CONFIRMED'] } }].",
};

const partialResponse: Hint = {
  id: 'partial-response',
  idea: 'When one record of a batch fails, the mapping can retry that record alone, if the function says which one; if the function does not, only an error makes it retry.',
  where:
    'What booking-processor.ts returns when some records fail (the TODO near its end); settings.reportBatchItemFailures says whether the mapping asked for a partial batch response.',
  answer:
    'When settings.reportBatchItemFailures is true, return kafkaBatchResponse(failed.map((f) => f.ref)): the mapping then retries only those records. ' +
    `When it is false, throw: the mapping ignores a response it did not ask for, and only an error makes it retry (${KAFKA_ERRORS}).`,
};

const parallelByKey: Hint = {
  id: 'parallel-by-key',
  idea: "Records of different bookings can wait on the service at the same time; a booking's own records must not, or a later change could land before an earlier one.",
  where: "parallelByKey in booking-processor.ts: how it calls runOne for the indexes of a batch (keys[i] is record i's booking).",
  answer:
    "Group the indexes by key (keys[i]); for each key run its records one after another (for … await runOne(i)); run the keys' chains at once and await them all (Promise.all). " +
    'The solution keeps this schedule in handlers/shared/processing.ts (inParallelByKey).',
};

const failedBooking: Hint = {
  id: 'failed-booking',
  idea: `If one of a booking's records fails and its later ones go through, the mapping retries the failed one after them: the booking's changes land out of order. Rule: ${RULES.byKey}.`,
  where: 'parallelByKey in booking-processor.ts: what runOne resolves to (false when the record failed), and what your chain does next for that booking.',
  answer:
    "In each booking's chain, stop at the first record that failed: `for (const i of chain) if (!(await runOne(i))) break;`. The records you do not run are reported failed, unprocessed, and retried after it.",
};

/** How far the share a filter drops may be from the share of bookings that are not confirmed. */
const FILTER_SHARE_TOLERANCE = 0.05;
const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

/** The share of a run's events that are bookings not confirmed (poison events are confirmed). */
function notConfirmedShare(r: LabRunResult): number {
  const mix = r.config.traffic.statusMix;
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  return ((total - mix.CONFIRMED) / total) * (1 - r.config.traffic.poisonShare);
}

/** `prediction.<key>` within the tolerance of what the run measured. */
function predictedWithin(key: 'avgBatchSize' | 'p50Ms', measured: (r: LabRunResult) => number): Pick<RunGoal, 'met' | 'measured'> {
  return {
    met: (r, p) => p[key] !== undefined && Math.abs(p[key]! - measured(r)) <= BASELINE_PREDICTION_TOLERANCE * measured(r),
    measured: (r, p) => `you predicted ${p[key] ?? '—'}, the run measured ${measured(r)} (within ${BASELINE_PREDICTION_TOLERANCE * 100}% passes)`,
  };
}

const FILTERED = 'events filtered before an invocation';

/**
 * The bookings the processor does not act on, and only them: a filter that drops a confirmed
 * booking loses it to the business, one that drops none pays for them all.
 */
const filteredBeforeInvocation: RunGoal = {
  name: FILTERED,
  met: (r) => r.published > 0 && Math.abs(r.filtered / r.published - notConfirmedShare(r)) <= FILTER_SHARE_TOLERANCE,
  measured: (r) =>
    `${r.filtered} filtered of ${r.published} published (${percent(r.filtered / Math.max(1, r.published))}; the bookings that are not confirmed are ${percent(notConfirmedShare(r))})`,
};

const filterHint: Hint = {
  id: 'filter',
  idea: 'The processor acts on confirmed bookings only: every other booking that reaches it is an invocation paid for nothing, and a confirmed one the filter drops is never processed.',
  where: `kafkaEsm.filters in spec.ts: EventBridge patterns on the record's value (${EVENT_FILTERING}); the statuses are in traffic.statusMix (problem.ts), spelt as there.`,
  answer:
    "filters: [{ value: { status: ['CONFIRMED'] } }]: the poller drops the other bookings before it invokes and commits their offsets, so you pay for no invocation on them.",
};

const SCHEMA_DEAD_LETTERS = 'undecodable events dead-lettered without an invocation';

/**
 * The records the mapping could not validate, and only them, parked in the destination: every
 * dead letter counted in SchemaRegistryErrorCount, so none cost an invocation (the function
 * failing on bytes it cannot read would dead-letter them too, after retries).
 */
const schemaDeadLetters: RunGoal = {
  name: SCHEMA_DEAD_LETTERS,
  met: (r) => r.deadLettered > 0 && r.esmMetrics?.SchemaRegistryErrorCount === r.deadLettered,
  measured: (r) =>
    `${r.deadLettered} dead-lettered; SchemaRegistryErrorCount ${r.esmMetrics?.SchemaRegistryErrorCount ?? 0} (records the mapping could not validate)`,
};

const SCHEMA_REGISTRY = 'https://docs.aws.amazon.com/lambda/latest/dg/services-consume-kafka-events.html';

const schemaValidation: Hint = {
  id: 'schema-validation',
  idea: 'The bookings are Avro now: bytes only their schema can read, and the schema is in the registry, under the id each record carries. A filter reads fields, so something has to decode a record before the filter can see its status; a record nobody can decode should never cost an invocation; and halfway through the run the producer moves to version 2 of the schema, so whoever decodes must know every version.',
  where: `kafkaEsm.schemaRegistry in spec.ts (SchemaRegistrySpec in labs/lab-spec-types.ts): eventRecordFormat and validate. Rule: ${RULES.schemaFirst}.`,
  answer:
    "schemaRegistry: { eventRecordFormat: 'JSON', validate: ['VALUE'] }: the poller reads each value's schema id, fetches that schema from the registry, decodes the value and hands the function plain JSON; the filter then matches the decoded status. " +
    `A record whose schema the registry does not have goes to the on-failure destination with SCHEMA_NOT_FOUND, never invoked, and counts in SchemaRegistryErrorCount (${SCHEMA_REGISTRY}).`,
};

export const CHECKPOINTS: readonly LabCheckpoint[] = [
  {
    lab: '01-baseline',
    files: [spec('01-baseline')],
    goals: [
      { name: 'you predicted the average batch', ...predictedWithin('avgBatchSize', (r) => r.avgBatchSize) },
      { name: 'you predicted the median latency', ...predictedWithin('p50Ms', (r) => r.endToEndMs.p50) },
    ],
    hints: {
      [PREDICTION_WRITTEN]: predict,
      'you predicted the average batch': baselineBatch,
      'you predicted the median latency': baselineLatency,
      'average batch size': baselineDefaults,
      'end-to-end p50': baselineDefaults,
      'end-to-end p99': baselineDefaults,
    },
  },
  {
    lab: '02-low-latency',
    files: [spec('02-low-latency')],
    goals: [],
    hints: {
      [PREDICTION_WRITTEN]: predict,
      'end-to-end p50': lowLatency,
      'end-to-end p99': lowLatency,
      'sustained throughput': lowLatency,
      'events handled before the drain ended': lowLatency,
    },
  },
  {
    lab: '03-sqs-buffer',
    files: [spec('03-sqs-buffer')],
    goals: [],
    hints: {
      [PREDICTION_WRITTEN]: predict,
      'sustained throughput': buffer,
      'end-to-end p50': buffer,
      'end-to-end p99': buffer,
      'events handled before the drain ended': buffer,
    },
  },
  {
    lab: '04-best-practices',
    files: [
      spec('04-best-practices'),
      {
        name: exerciseHandlerFile('booking-processor'),
        start: 'labs/04-best-practices/exercise/booking-processor.ts',
        solution: 'handlers/booking-processor.ts',
        role: 'booking-processor',
      },
    ],
    goals: [
      filteredBeforeInvocation,
      {
        name: 'poison events parked in a destination',
        met: (r) => r.deadLettered > 0,
        measured: (r) => `${r.deadLettered} dead-lettered`,
      },
      {
        name: 'records of different bookings overlap',
        met: (r) => r.config.processor.mode === 'parallel-by-key',
        measured: (r) => `processor.mode ${r.config.processor.mode}`,
      },
    ],
    hints: {
      [PREDICTION_WRITTEN]: predict,
      'events lost': errorHandling,
      'events handled before the drain ended': errorHandling,
      'poison events parked in a destination': errorHandling,
      'end-to-end p50': batchShape,
      'end-to-end p99': batchShape,
      'sustained throughput': batchShape,
      [FILTERED]: filterHint,
      'records of different bookings overlap': {
        id: 'by-key-mode',
        idea: "The processor runs a batch's records one after another, though their work is waiting on another service.",
        where: 'processor.mode in spec.ts: it picks the schedule the handler uses (your parallelByKey for parallel-by-key).',
        answer: "processor: { ...problem.processor, mode: 'parallel-by-key', memoryMb: 512, timeoutSeconds: 60 }.",
      },
      'partial batch response': partialResponse,
      'whole batch fails when partial responses are off': partialResponse,
      'records of different bookings overlap in the handler': parallelByKey,
      "a booking's records stay in order": parallelByKey,
      "a failed booking's later records are not run": failedBooking,
    },
    // The solution handler passes no schedules: parallel-by-key is the shared default, so the
    // answer to the parallelByKey TODOs is not in the file `solution` writes.
    solutionNotes: [
      'Your parallelByKey: the solution uses inParallelByKey from handlers/shared/processing.ts (one chain per booking, the chains at once, each stopping at its first failure).',
    ],
  },
  {
    lab: '05-schema-registry',
    files: [spec('05-schema-registry')],
    goals: [filteredBeforeInvocation, schemaDeadLetters],
    hints: {
      [PREDICTION_WRITTEN]: predict,
      [FILTERED]: filterHint,
      [SCHEMA_DEAD_LETTERS]: schemaValidation,
      'end-to-end p50': schemaValidation,
      'end-to-end p99': schemaValidation,
      'sustained throughput': schemaValidation,
      'events lost': schemaValidation,
      'events handled before the drain ended': schemaValidation,
    },
  },
];

export function checkpointOf(labId: string): LabCheckpoint {
  const found = CHECKPOINTS.find((c) => c.lab === labId);
  if (!found) throw new Error(`No checkpoint for lab ${labId}: add one to harness/exercise/checkpoints.ts.`);
  return found;
}
