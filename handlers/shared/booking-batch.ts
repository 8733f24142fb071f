// One processor invocation, whatever the source (Kafka or SQS): validate every record, process
// the valid bookings, measure end-to-end latency, and report the batch. A bad record only ever
// becomes a failed outcome; it never aborts the batch.

import { type Booking, type ParsedBooking, parseBooking } from './booking.ts';
import { chaosRandom, extraLatencyMs, maybeFailRecord, type Random } from './chaos.ts';
import { type ProcessingMode, processRecords, type Schedule, simulatedWork } from './processing.ts';
import type { ProcessorSettings } from './settings.ts';
import { type FailedEntry, type ProcessedEntry, reportBatch, type Telemetry } from './telemetry.ts';

export interface InboundRecord<Ref> {
  /** Where the record came from, so a failure can be reported against it. */
  ref: Ref;
  value: string | Uint8Array | null;
  /** Why the value could not be decoded before it could be read as a booking (an Avro body that does not deserialize). */
  undecodable?: string;
}

export interface BookingBatchResult<Ref> {
  processed: Array<{ ref: Ref; booking: Booking; endToEndMs: number }>;
  failed: Array<{ ref: Ref; reason: string }>;
}

export interface BookingBatchOptions<Ref> {
  settings: ProcessorSettings;
  telemetry: Telemetry;
  /** The source's identity for a failed record: partition/offset, or messageId. */
  identify: (ref: Ref) => Pick<FailedEntry, 'partition' | 'offset' | 'messageId'>;
  now?: () => number;
  /** Draws for the chaos knobs (settings.chaos); default Math.random. */
  random?: Random;
  /** A processor's own schedule for a mode (lab 4's exercise writes parallel-by-key); default SCHEDULES. */
  schedules?: Partial<Record<ProcessingMode, Schedule>>;
}

export async function consumeBookings<Ref>(records: ReadonlyArray<InboundRecord<Ref>>, options: BookingBatchOptions<Ref>): Promise<BookingBatchResult<Ref>> {
  const now = options.now ?? Date.now;
  const failed: Array<{ ref: Ref; reason: string }> = [];
  const failedEntries: FailedEntry[] = [];
  const valid: Array<{ key: string; ref: Ref; booking: Booking }> = [];

  for (const record of records) {
    const parsed: ParsedBooking = record.undecodable === undefined ? parseBooking(record.value) : { ok: false, reason: record.undecodable };
    if (parsed.ok) {
      valid.push({ key: parsed.booking.bookingId, ref: record.ref, booking: parsed.booking });
    } else {
      failed.push({ ref: record.ref, reason: parsed.reason });
      failedEntries.push({ runId: parsed.runId, seq: parsed.seq, ...options.identify(record.ref), reason: parsed.reason });
    }
  }

  const { chaos, processingMsPerRecord } = options.settings;
  const random = options.random ?? chaosRandom(chaos, 'failure');
  const outcomes = await processRecords(valid, {
    processingMsPerRecord,
    mode: options.settings.mode,
    workKind: options.settings.workKind,
    schedule: options.schedules?.[options.settings.mode],
    now,
    // CHAOS_LATENCY_MS slows each record's work; with CHAOS_FAILURE_RATE a record attempt fails
    // after its work, like a failed downstream write.
    ...(chaos.failureRate > 0 || chaos.latencyMs > 0
      ? {
          work: async () => {
            await simulatedWork(processingMsPerRecord + extraLatencyMs(chaos, now()));
            maybeFailRecord(chaos, random);
          },
        }
      : {}),
  });

  const processed: BookingBatchResult<Ref>['processed'] = [];
  const processedEntries: ProcessedEntry[] = [];
  outcomes.forEach((outcome, i) => {
    const { ref, booking } = valid[i];
    if (outcome.status === 'processed') {
      const endToEndMs = outcome.completedAt - booking.intendedAt;
      processed.push({ ref, booking, endToEndMs });
      processedEntries.push({ runId: booking.runId, seq: booking.seq, endToEndMs });
    } else {
      failed.push({ ref, reason: outcome.reason });
      failedEntries.push({ runId: booking.runId, seq: booking.seq, ...options.identify(ref), reason: outcome.reason });
    }
  });

  reportBatch(options.telemetry, { batchSize: records.length, processed: processedEntries, failed: failedEntries });
  return { processed, failed };
}
