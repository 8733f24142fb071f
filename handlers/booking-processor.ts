// The booking processor behind a Kafka event source mapping (Amazon MSK or self-managed Kafka).
// Environment: PROCESSING_MS_PER_RECORD, PROCESSING_MODE (sequential | parallel-by-key), WORK_KIND
// (cpu | io: whether a batch's records can overlap at all; shared/processing.ts),
// REPORT_BATCH_ITEM_FAILURES ("true" | "false", default false like the ESM's default), the
// telemetry variables (see shared/telemetry.ts), the fault-injection knobs CHAOS_* (off by
// default; see shared/settings.ts), and EVENT_RECORD_FORMAT=SOURCE when the mapping validates
// values against a schema registry and hands over Avro bodies (shared/avro-source.ts decodes them).
//
// Failed records (invalid bookings, poison events) are logged in the "batch processed" line, then:
// - partial batch responses on: returned as batchItemFailures, so the ESM retries just those
//   (and, when retries run out, sends them to the on-failure destination);
// - off: the handler throws after processing the whole batch, so the ESM retries the batch
//   (bisecting it if configured) and its retry/destination settings apply.
// Powertools batch has no Kafka event type, hence the small loop in shared/booking-batch.ts.

import type { Context } from 'aws-lambda';
import { avroSourceRecords, type KafkaRecordRef } from './shared/avro-source.ts';
import { consumeBookings, type InboundRecord } from './shared/booking-batch.ts';
import { INJECTED_HANG, maybeHangPastTimeout } from './shared/chaos.ts';
import { decodeKafkaEvent, type KafkaBatchResponse, kafkaBatchResponse } from './shared/kafka-event.ts';
import { type ProcessorSettings, readProcessorSettings } from './shared/settings.ts';
import { telemetry } from './shared/telemetry.ts';

export class BatchFailedError extends Error {
  override name = 'BatchFailedError';
}

export const handler = async (event: unknown, context?: Context): Promise<KafkaBatchResponse> => {
  const settings = readProcessorSettings(process.env, { reportBatchItemFailures: false });
  const records: Array<InboundRecord<KafkaRecordRef>> =
    settings.eventRecordFormat === 'SOURCE'
      ? await avroSourceRecords(event, context)
      : decodeKafkaEvent(event).map((record) => ({ ref: record, value: record.value }));
  return processBatch(records, settings, context);
};

async function processBatch(records: Array<InboundRecord<KafkaRecordRef>>, settings: ProcessorSettings, context?: Context): Promise<KafkaBatchResponse> {
  const tools = telemetry('booking-processor');
  if (context) tools.logger.addContext(context);
  const { failed } = await consumeBookings<KafkaRecordRef>(records, {
    settings,
    telemetry: tools,
    identify: (r) => ({ partition: r.partition, offset: r.offset }),
  });
  await maybeHangPastTimeout(settings.chaos, context, { onHang: (ms) => tools.logger.warn(INJECTED_HANG, { hangMs: ms }) });

  if (failed.length > 0 && !settings.reportBatchItemFailures) {
    const first = failed[0];
    throw new BatchFailedError(
      `${failed.length} of ${records.length} records failed; failing the whole batch so the event source ` +
        `mapping retries it (partial batch responses are off). First: ${first.ref.topic}-${first.ref.partition}` +
        `@${first.ref.offset}: ${first.reason}`,
    );
  }
  return kafkaBatchResponse(failed.map((f) => f.ref));
}
