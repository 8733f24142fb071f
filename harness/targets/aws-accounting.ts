// Exact accounting of an AWS run by (runId, seq): every published event is processed, filtered
// or dead-lettered, from what the AWS target can see from outside the VPC.
//
// - Processed: the processors' "batch processed" lines (aws-logs.ts), one entry per processing
//   (a retried batch shows its events again: duplicates are kept, the harness counts them).
// - Dead-lettered, Kafka on-failure destination (lab 4): the destination's messages carry only
//   offset ranges (KafkaBatchInfo), and the harness cannot read MSK from outside the cluster's VPC
//   to turn offsets into events (harness/ledger.ts does that locally). So the seqs come from the
//   processor's own failed entries, which carry runId, seq, partition and offset: a failed event
//   that was never processed and whose offset lies in a destination range was dead-lettered.
//   Destination records of the run window that match no failed entry (records the function never
//   saw) cannot be mapped; they are reported in the notes and their events stay unaccounted.
// - Dead-lettered, lab 3's buffer DLQ: each message is the booking itself, runId and seq included.
// - Filtered: AWS counts filtered records (FilteredOutEventCount) but never names them. The target
//   rebuilds each event of the schedule (it is deterministic: handlers/shared/schedule.ts), runs
//   the lab's filter patterns on its value with the sandbox's implementation of Lambda filtering
//   (sandbox/filter), and predicts which seqs the mapping drops. Those seqs count as filtered only
//   when they are not processed or dead-lettered and the metric has counted at least as many
//   (it may count more: it is per minute, and an earlier run's stragglers can share the first
//   minute); otherwise none do, and the shortfall shows as lost, with a note.
import { toKafkaMessage } from '../../handlers/producer.ts';
import { bookingSchedule } from '../../handlers/shared/schedule.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { kafkaRecordMatches, parseFilterCriteria } from '../../sandbox/filter/index.ts';
import type { BatchLine } from './aws-logs.ts';
import type { DestinationRecord } from './aws-queues.ts';
import type { Observations, ProcessedEvent, RunPlan } from './target.ts';

/** Seqs of the run whose value the lab's Kafka filters drop (empty when the lab has none). */
export function predictFilteredOut(lab: Pick<LabSpec, 'kafkaEsm'>, plan: RunPlan): Set<number> {
  const dropped = new Set<number>();
  if (lab.kafkaEsm.filters.length === 0) return dropped;
  const patterns = parseFilterCriteria(lab.kafkaEsm.filters);
  for (const event of bookingSchedule(plan.profile, plan.startAtMs)) {
    const message = toKafkaMessage(plan.runId, event, plan.profile.eventBytes);
    if (!kafkaRecordMatches(patterns, message.value)) dropped.add(event.seq);
  }
  return dropped;
}

export interface AccountingInput {
  runId: string;
  /** Every seq the run meant to publish (0..N-1 of its schedule). */
  seqs: readonly number[];
  /** Events the producer could not publish: their seqs are not known to the target. */
  failedToPublish: number;
  topic: string;
  lines: readonly BatchLine[];
  /** The Kafka ESM's on-failure queue, when the lab has one. */
  destination?: { records: readonly DestinationRecord[] };
  /** Seqs of this run found in lab 3's buffer DLQ. */
  dlqSeqs?: readonly number[];
  /** predictFilteredOut for this run. */
  predictedFilteredOut?: ReadonlySet<number>;
  /** FilteredOutEventCount over the run window; undefined when CloudWatch has no data yet. */
  filteredOutCount?: number;
  /** Epoch ms the run started: destination records after it belong to this run's window. */
  runStartMs: number;
}

export interface Accounting {
  observations: Observations;
  /** Seqs neither processed, filtered nor dead-lettered (yet). */
  unaccounted: number[];
  /** Seqs the filter should have dropped and nobody processed or dead-lettered. */
  predictedFiltered: number[];
  /** False while FilteredOutEventCount has not (yet) counted the predicted filtered events. */
  filterConfirmed: boolean;
  duplicates: number;
  notes: string[];
}

export function accountRun(input: AccountingInput): Accounting {
  const notes: string[] = [];
  const processed: ProcessedEvent[] = [];
  const batchSizes: number[] = [];
  const processedSeqs = new Set<number>();
  let duplicates = 0;
  /** `${partition}:${offset}` -> seq, for this run's failed entries. */
  const failedAt = new Map<string, number>();
  const failedByPartition = new Map<number, Array<{ offset: number; seq: number }>>();

  for (const line of input.lines) {
    batchSizes.push(line.batchSize);
    for (const entry of line.processed) {
      if (entry.runId !== input.runId) continue;
      if (processedSeqs.has(entry.seq)) duplicates++;
      processedSeqs.add(entry.seq);
      processed.push({ seq: entry.seq, endToEndMs: entry.endToEndMs, completedAt: line.timestamp });
    }
    for (const entry of line.failed) {
      if (entry.runId !== input.runId || entry.seq === undefined) continue;
      if (typeof entry.partition !== 'number' || typeof entry.offset !== 'number') continue;
      const key = `${entry.partition}:${entry.offset}`;
      if (failedAt.has(key)) continue;
      failedAt.set(key, entry.seq);
      const list = failedByPartition.get(entry.partition) ?? [];
      list.push({ offset: entry.offset, seq: entry.seq });
      failedByPartition.set(entry.partition, list);
    }
  }

  const deadLettered = new Set<number>(input.dlqSeqs ?? []);
  if (input.destination) {
    let unmatched = 0;
    for (const record of input.destination.records) {
      let matched = false;
      for (const range of record.ranges) {
        if (range.topic !== input.topic) continue;
        for (const failed of failedByPartition.get(range.partition) ?? []) {
          if (failed.offset < range.first || failed.offset > range.last) continue;
          matched = true;
          if (!processedSeqs.has(failed.seq)) deadLettered.add(failed.seq);
        }
      }
      if (!matched && record.at >= input.runStartMs) unmatched++;
    }
    if (unmatched > 0) {
      notes.push(
        `AWS: ${unmatched} on-failure destination record(s) since the run started match no failed entry in the processor's log lines ` +
          `(records the function never saw, e.g. expired by MaximumRecordAgeInSeconds); the harness cannot read MSK from outside the VPC to name their events, so they count as lost.`,
      );
    }
  }

  const seqs = new Set(input.seqs);
  const open = [...seqs].filter((seq) => !processedSeqs.has(seq) && !deadLettered.has(seq));
  const predictedFiltered = input.predictedFilteredOut ? open.filter((seq) => input.predictedFilteredOut!.has(seq)) : [];
  let filterConfirmed = true;
  let filtered: number[] = [];
  if (predictedFiltered.length > 0) {
    // Unpublished events (seqs unknown) may be among the predicted ones, and AWS never saw them.
    const needed = Math.max(0, predictedFiltered.length - input.failedToPublish);
    filterConfirmed = input.filteredOutCount !== undefined && input.filteredOutCount >= needed;
    if (filterConfirmed) {
      filtered = predictedFiltered;
      if (input.failedToPublish > 0) {
        notes.push(
          `AWS: ${input.failedToPublish} event(s) failed to publish; their seqs are unknown, so up to that many of the ${filtered.length} filtered seqs may never have reached Kafka.`,
        );
      }
    } else {
      notes.push(
        `AWS: the filter should have dropped ${predictedFiltered.length} event(s) of this run, but FilteredOutEventCount shows ` +
          `${input.filteredOutCount ?? 'no data'} for the run window; they are counted as lost, not filtered.`,
      );
    }
  }
  const filteredSet = new Set(filtered);
  const unaccounted = open.filter((seq) => !filteredSet.has(seq));
  return {
    observations: {
      processed,
      filteredSeqs: filtered.sort((a, b) => a - b),
      deadLetteredSeqs: [...deadLettered].sort((a, b) => a - b),
      batchSizes,
    },
    unaccounted,
    predictedFiltered,
    filterConfirmed,
    duplicates,
    notes,
  };
}
