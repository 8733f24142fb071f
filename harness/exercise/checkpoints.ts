// Each lab's exercise, as `workshop check` marks it: the learner's files (a starting state with
// TODO(lab N) markers, and the solution they are restored from), what the run must show besides
// the targets, and a hint for every check that can fail. A hint comes in two steps: `look` names
// the knob or the code without the answer; `more` (--hint) gives the answer and why.
import type { HandlerName } from '../../handlers/bundle.ts';
import type { LabRunResult } from '../run-result.ts';

export interface ExerciseFile {
  /** Its name in the learner's folder. */
  name: string;
  /** Repo-relative: the starting state, with TODO(lab N) markers. */
  start: string;
  /** Repo-relative: what `workshop solution` writes. */
  solution: string;
  /** The lab's spec (exports `lab`), or the source of a handler (exports `handler`). */
  role: 'spec' | HandlerName;
}

export interface Hint {
  look: string;
  more: string;
}

/** Something the run must show that no target measures (lab 4's filter and dead letters). */
export interface RunGoal {
  name: string;
  met: (result: LabRunResult) => boolean;
  measured: (result: LabRunResult) => string;
}

export interface LabCheckpoint {
  lab: string;
  files: ExerciseFile[];
  goals: RunGoal[];
  /** Keyed by the name of a target, a goal or a handler probe (handler-probes.ts). */
  hints: Record<string, Hint>;
  /** Where a part of the solution lives that its files only import (shown by `workshop solution`). */
  solutionNotes?: string[];
}

const spec = (lab: string): ExerciseFile => ({ name: 'spec.ts', start: `labs/${lab}/exercise/spec.ts`, solution: `labs/${lab}/spec.ts`, role: 'spec' });

const KAFKA_BATCHING = 'https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-process.html';
const PROVISIONED_MODE = 'https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html';
const EVENT_FILTERING = 'https://docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html';
const KAFKA_ERRORS = 'https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html';

const baselineBatching: Hint = {
  look: 'The batches are not what AWS\'s defaults give. Look at the batching settings of kafkaEsm in spec.ts.',
  more: `A Kafka mapping created with only its topic uses batchSize 100 and, with batchingWindowSeconds unset, waits up to 500 ms to fill a batch. Set batchSize: 100 and delete the batchingWindowSeconds line (${KAFKA_BATCHING}).`,
};

const lowLatency: Hint = {
  look: 'Events wait before they are processed. Look at kafkaEsm in spec.ts: how long the mapping waits to fill a batch, and how many pollers are ready when the spike arrives.',
  more:
    'Set batchingWindowSeconds: 0 (unset means 500 ms for Kafka), batchSize: 10 so each invocation is short, and ' +
    'provisionedPollers: sizeProvisionedPollers({ peakRatePerSec: PEAK_RATE_PER_SEC, recordsPerBatch: 10, batchDurationMs: 10 * problem.processor.processingMsPerRecord }), ' +
    `which sets minimum = maximum so no scaling step pauses the spike (${PROVISIONED_MODE}).`,
};

const buffer: Hint = {
  look: 'Behind a Kafka mapping, the processor never runs more invocations at once than the topic has partitions. Look at what could sit between the Kafka mapping and the processor (spec.ts).',
  more:
    'Add sqsBuffer: { batchSize: 10, batchingWindowSeconds: 0, maximumConcurrency: 40, visibilityTimeoutSeconds: 180, maxReceiveCount: 5 }. ' +
    'The forwarder moves each record to an SQS queue, whose mapping scales to maximumConcurrency invocations; the visibility timeout must be at least six times the processor\'s timeout.',
};

const errorHandling: Hint = {
  look: 'Records stayed behind a record that fails every time. Look at what the mapping does with a record that keeps failing (kafkaEsm in spec.ts), and at what booking-processor.ts returns.',
  more:
    "In kafkaEsm: maximumRetryAttempts: 2, bisectBatchOnFunctionError: true, reportBatchItemFailures: true and onFailure: { kind: 'sqs', queueName: 'bookings-failed' }. " +
    `Unset, a Kafka mapping retries a failing batch until its records expire, and its partition waits (${KAFKA_ERRORS}).`,
};

const batchShape: Hint = {
  look: 'The processor takes too long per batch. Look at which events reach it (kafkaEsm.filters) and how it schedules a batch\'s records (processor in spec.ts).',
  more: "Set filters: [{ value: { status: ['CONFIRMED'] } }] and processor mode 'parallel-by-key': records of different bookings then overlap, a booking's own stay in order.",
};

const partialResponse: Hint = {
  look: 'Look at what booking-processor.ts returns when some records of a batch fail (the TODO near its end).',
  more:
    'When settings.reportBatchItemFailures is true, return kafkaBatchResponse(failed.map((f) => f.ref)): the mapping then retries only those records. ' +
    `When it is false, throw: the mapping ignores a response it did not ask for, and only an error makes it retry (${KAFKA_ERRORS}).`,
};

const parallelByKey: Hint = {
  look: 'Look at parallelByKey in booking-processor.ts: how it calls runOne for the records of a batch.',
  more:
    "Group the indexes by key (keys[i]); for each key, run its records one after another (for … await runOne(i)); run the keys' chains at once and await them all (Promise.all). " +
    'The solution keeps this schedule in handlers/shared/processing.ts (inParallelByKey).',
};

export const CHECKPOINTS: readonly LabCheckpoint[] = [
  {
    lab: '01-baseline',
    files: [spec('01-baseline')],
    goals: [],
    hints: { 'average batch size': baselineBatching, 'end-to-end p50': baselineBatching, 'end-to-end p99': baselineBatching },
  },
  {
    lab: '02-low-latency',
    files: [spec('02-low-latency')],
    goals: [],
    hints: { 'end-to-end p50': lowLatency, 'end-to-end p99': lowLatency, 'sustained throughput': lowLatency, 'events handled before the drain ended': lowLatency },
  },
  {
    lab: '03-sqs-buffer',
    files: [spec('03-sqs-buffer')],
    goals: [],
    hints: { 'sustained throughput': buffer, 'end-to-end p50': buffer, 'end-to-end p99': buffer, 'events handled before the drain ended': buffer },
  },
  {
    lab: '04-best-practices',
    files: [
      spec('04-best-practices'),
      { name: 'booking-processor.ts', start: 'labs/04-best-practices/exercise/booking-processor.ts', solution: 'handlers/booking-processor.ts', role: 'booking-processor' },
    ],
    goals: [
      {
        name: 'events filtered before an invocation',
        met: (r) => r.filtered > 0,
        measured: (r) => `${r.filtered} filtered of ${r.published} published`,
      },
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
      'events lost': errorHandling,
      'events handled before the drain ended': errorHandling,
      'poison events parked in a destination': errorHandling,
      'end-to-end p50': batchShape,
      'end-to-end p99': batchShape,
      'sustained throughput': batchShape,
      'events filtered before an invocation': {
        look: 'Every booking reached the function, and it only acts on confirmed ones. Look at kafkaEsm.filters in spec.ts.',
        more: `filters: [{ value: { status: ['CONFIRMED'] } }]: the mapping drops the other events before it invokes, so you pay for no invocation on them (${EVENT_FILTERING}).`,
      },
      'records of different bookings overlap': {
        look: 'Look at how the processor schedules a batch\'s records (processor in spec.ts).',
        more: "processor: { ...problem.processor, mode: 'parallel-by-key', … }: the handler then uses your parallelByKey.",
      },
      'partial batch response': partialResponse,
      'whole batch fails when partial responses are off': partialResponse,
      'records of different bookings overlap in the handler': parallelByKey,
      "a booking's records stay in order": parallelByKey,
    },
    // The solution handler passes no schedules: parallel-by-key is the shared default, so the
    // answer to the parallelByKey TODO is not in the file `solution` writes.
    solutionNotes: ['Your parallelByKey: the solution uses inParallelByKey from handlers/shared/processing.ts (one chain per booking, the chains at once).'],
  },
];

export function checkpointOf(labId: string): LabCheckpoint {
  const found = CHECKPOINTS.find((c) => c.lab === labId);
  if (!found) throw new Error(`No checkpoint for lab ${labId}: add one to harness/exercise/checkpoints.ts.`);
  return found;
}
