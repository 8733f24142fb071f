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
 * Runs `runOne(i)` for the record indexes of a batch, in some order and overlap, and resolves
 * once every `runOne` it started has resolved. `keys[i]` is record i's key; `runOne(i)` resolves
 * true when the record was processed, false when it failed. A record the schedule never runs is
 * failed unprocessed, so the mapping retries it: that is how a schedule keeps a key in order after
 * a failure (a later record applied before the failed one's retry would be out of order).
 */
export type Schedule = (keys: readonly string[], runOne: (index: number) => Promise<boolean>) => Promise<void>;

/** One record after another, in arrival order; a key's records after its first failure are not run. */
export const inArrivalOrder: Schedule = async (keys, runOne) => {
  const failedKeys = new Set<string>();
  for (let i = 0; i < keys.length; i++) {
    if (failedKeys.has(keys[i])) continue;
    if (!(await runOne(i))) failedKeys.add(keys[i]);
  }
};

/** One chain per key, chains concurrent: a key's records stay in arrival order, and stop at its first failure. */
export const inParallelByKey: Schedule = async (keys, runOne) => {
  const chains = new Map<string, number[]>();
  keys.forEach((key, i) => {
    const chain = chains.get(key);
    if (chain) chain.push(i);
    else chains.set(key, [i]);
  });
  await Promise.all(
    [...chains.values()].map(async (chain) => {
      for (const i of chain) if (!(await runOne(i))) break;
    }),
  );
};

export const SCHEDULES: Record<ProcessingMode, Schedule> = { sequential: inArrivalOrder, 'parallel-by-key': inParallelByKey };

export interface KeyedRecord {
  /** Records with the same key are processed in arrival order (the booking id). */
  key: string;
}

/** How a failed outcome's reason starts when the record's work ran and threw (readers: ranBeforeFailing). */
const RAN_AND_FAILED = 'processing failed: ';

/** Whether a failed record's work ran, by its reason: false for a record failed unprocessed (skipped, not run). */
export function ranBeforeFailing(reason: string): boolean {
  return reason.startsWith(RAN_AND_FAILED);
}

export type RecordOutcome = { status: 'processed'; completedAt: number } | { status: 'failed'; reason: string };

/**
 * Processes a batch and returns one outcome per record, in input order, scheduled by the mode's
 * schedule (or `options.schedule`). A record the schedule did not run is failed unprocessed:
 * after a failure, both shared schedules leave the key's later records so, and the mapping
 * retries them after the failed one, so a retry never applies a booking's events out of order.
 */
export async function processRecords<R extends KeyedRecord>(records: readonly R[], options: ProcessingOptions): Promise<RecordOutcome[]> {
  const now = options.now ?? Date.now;
  const work = options.work ?? ((_record: KeyedRecord) => simulatedWork(options.processingMsPerRecord));
  const outcomes: Array<RecordOutcome | undefined> = new Array(records.length);
  // CPU work has one thread to run on: each record's work waits for the one before to finish.
  let thread: Promise<unknown> = Promise.resolve();
  const onThread = (run: () => Promise<void>): Promise<void> => {
    if (options.workKind !== 'cpu') return run();
    const turn = thread.then(run);
    thread = turn.catch(() => undefined);
    return turn;
  };

  const started = new Map<number, Promise<boolean>>();
  const runOne = (index: number): Promise<boolean> => {
    // Each record's work runs once, whatever the schedule asks.
    const running = started.get(index) ?? attempt(index);
    started.set(index, running);
    return running;
  };
  const attempt = async (index: number): Promise<boolean> => {
    const record = records[index];
    try {
      await onThread(() => work(record));
      outcomes[index] = { status: 'processed', completedAt: now() };
      return true;
    } catch (error) {
      outcomes[index] = { status: 'failed', reason: `${RAN_AND_FAILED}${error instanceof Error ? error.message : String(error)}` };
      return false;
    }
  };

  const schedule = options.schedule ?? SCHEDULES[options.mode];
  await schedule(
    records.map((r) => r.key),
    runOne,
  );
  // Anything still running belongs to a schedule that resolved too early: wait for it.
  await Promise.allSettled(started.values());
  const firstFailure = new Map<string, number>();
  outcomes.forEach((outcome, index) => {
    if (outcome?.status === 'failed' && !firstFailure.has(records[index].key)) firstFailure.set(records[index].key, index);
  });
  return records.map((record, index) => {
    const outcome = outcomes[index];
    if (outcome) return outcome;
    const failedAt = firstFailure.get(record.key);
    const reason =
      failedAt !== undefined && failedAt < index
        ? `skipped: an earlier record (#${failedAt}) of key ${record.key} failed, so this one was not run; it is retried after it`
        : 'not run: the schedule did not run this record; it is retried';
    return { status: 'failed', reason };
  });
}

/** The default work for one record: an awaited timer of `ms`. */
export async function simulatedWork(ms: number): Promise<void> {
  // Zero means "no work": skip the timer, which would otherwise still cost a timer tick.
  if (ms > 0) await sleep(ms);
}
