// The booking work both processors do, and the two ways of scheduling it within a batch.
// The work is simulated by an awaited timer, not a busy loop: a real processor waits on I/O
// (a database, a payment API), so records of different bookings can overlap in one invocation.
// That overlap is what "parallel processing by key" in lab 4 teaches.

import { setTimeout as sleep } from 'node:timers/promises';

export const PROCESSING_MODES = ['sequential', 'parallel-by-key'] as const;
export type ProcessingMode = (typeof PROCESSING_MODES)[number];

export interface ProcessingOptions {
  processingMsPerRecord: number;
  mode: ProcessingMode;
  /** The work for one record; defaults to waiting processingMsPerRecord. Throwing fails the record. */
  work?: (record: KeyedRecord) => Promise<void>;
  /** Wall clock for completion times; injectable for tests. */
  now?: () => number;
}

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

  const runOne = async (index: number) => {
    const record = records[index];
    const failedAt = brokenKeys.get(record.key);
    if (failedAt !== undefined) {
      outcomes[index] = { status: 'failed', reason: `skipped: an earlier record (#${failedAt}) of key ${record.key} failed` };
      return;
    }
    try {
      await work(record);
      outcomes[index] = { status: 'processed', completedAt: now() };
    } catch (error) {
      brokenKeys.set(record.key, index);
      outcomes[index] = { status: 'failed', reason: `processing failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  };

  if (options.mode === 'sequential') {
    for (let i = 0; i < records.length; i++) await runOne(i);
  } else {
    const chains = new Map<string, number[]>();
    records.forEach((record, i) => {
      const chain = chains.get(record.key);
      if (chain) chain.push(i);
      else chains.set(record.key, [i]);
    });
    await Promise.all(
      [...chains.values()].map(async (chain) => {
        for (const i of chain) await runOne(i);
      }),
    );
  }
  return outcomes;
}

/** The default work for one record: an awaited timer of `ms`. */
export async function simulatedWork(ms: number): Promise<void> {
  // Zero means "no work": skip the timer, which would otherwise still cost a timer tick.
  if (ms > 0) await sleep(ms);
}
