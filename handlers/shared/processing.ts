// The booking work both processors do, and the two ways of scheduling it within a batch.
// The work is simulated by an awaited timer, never a busy loop (a lab of 200 bookings a second at
// 100 ms each would need 20 cores), and its kind says what the timer stands for:
// - io: the booking waits on another service (a database, the seat-inventory API), so records of
//   different bookings can overlap in one invocation: what "parallel processing by key" in lab 4
//   teaches;
// - cpu: the booking is computed (fare rules, a fraud score) on the handler's one thread, so a
//   batch's records take turns whatever the schedule: only more invocations process more at once,
//   which is why lab 3 needs a buffer past the partition limit.

import { setTimeout as sleep } from 'node:timers/promises';

export const PROCESSING_MODES = ['sequential', 'parallel-by-key'] as const;
export type ProcessingMode = (typeof PROCESSING_MODES)[number];

export const WORK_KINDS = ['cpu', 'io'] as const;
/** What a booking's work is: computed on the handler's thread (cpu) or waited for (io). */
export type WorkKind = (typeof WORK_KINDS)[number];

export interface ProcessingOptions {
  processingMsPerRecord: number;
  mode: ProcessingMode;
  /** cpu: the work of a batch's records never overlaps, whatever the schedule. Default io. */
  workKind?: WorkKind;
  /** The work for one record; defaults to waiting processingMsPerRecord. Throwing fails the record. */
  work?: (record: KeyedRecord) => Promise<void>;
  /** Wall clock for completion times; injectable for tests. */
  now?: () => number;
  /** How the records are scheduled; default: the mode's own schedule (SCHEDULES). */
  schedule?: Schedule;
}

/**
 * Runs `runOne(i)` for every record index of a batch, in some order and overlap. It must only
 * resolve once every `runOne` it started has resolved. `keys[i]` is record i's key.
 */
export type Schedule = (keys: readonly string[], runOne: (index: number) => Promise<void>) => Promise<void>;

/** One record after another, in arrival order. */
export const inArrivalOrder: Schedule = async (keys, runOne) => {
  for (let i = 0; i < keys.length; i++) await runOne(i);
};

/** One chain per key, chains concurrent: a key's records stay in arrival order. */
export const inParallelByKey: Schedule = async (keys, runOne) => {
  const chains = new Map<string, number[]>();
  keys.forEach((key, i) => {
    const chain = chains.get(key);
    if (chain) chain.push(i);
    else chains.set(key, [i]);
  });
  await Promise.all(
    [...chains.values()].map(async (chain) => {
      for (const i of chain) await runOne(i);
    }),
  );
};

export const SCHEDULES: Record<ProcessingMode, Schedule> = { sequential: inArrivalOrder, 'parallel-by-key': inParallelByKey };

export interface KeyedRecord {
  /** Records with the same key are processed in arrival order (the booking id). */
  key: string;
}

export type RecordOutcome =
  | { status: 'processed'; completedAt: number }
  | { status: 'failed'; reason: string };

/**
 * Processes a batch and returns one outcome per record, in input order.
 * sequential: one record after another. parallel-by-key: one chain per key, chains concurrent.
 * In both modes, once a record fails the later records of the same key are failed unprocessed,
 * so a retry can never apply a booking's events out of order.
 */
export async function processRecords<R extends KeyedRecord>(
  records: readonly R[],
  options: ProcessingOptions,
): Promise<RecordOutcome[]> {
  const now = options.now ?? Date.now;
  const work = options.work ?? ((_record: KeyedRecord) => simulatedWork(options.processingMsPerRecord));
  const outcomes: RecordOutcome[] = new Array(records.length);
  const brokenKeys = new Map<string, number>();
  // CPU work has one thread to run on: each record's work waits for the one before to finish.
  let thread: Promise<unknown> = Promise.resolve();
  const onThread = (run: () => Promise<void>): Promise<void> => {
    if (options.workKind !== 'cpu') return run();
    const turn = thread.then(run);
    thread = turn.catch(() => undefined);
    return turn;
  };

  const runOne = async (index: number) => {
    const record = records[index];
    const failedAt = brokenKeys.get(record.key);
    if (failedAt !== undefined) {
      outcomes[index] = { status: 'failed', reason: `skipped: an earlier record (#${failedAt}) of key ${record.key} failed` };
      return;
    }
    try {
      await onThread(() => work(record));
      outcomes[index] = { status: 'processed', completedAt: now() };
    } catch (error) {
      brokenKeys.set(record.key, index);
      outcomes[index] = { status: 'failed', reason: `processing failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  };

  const schedule = options.schedule ?? SCHEDULES[options.mode];
  await schedule(
    records.map((r) => r.key),
    runOne,
  );
  return outcomes;
}

/** The default work for one record: an awaited timer of `ms`. */
export async function simulatedWork(ms: number): Promise<void> {
  // Zero means "no work": skip the timer, which would otherwise still cost a timer tick.
  if (ms > 0) await sleep(ms);
}
