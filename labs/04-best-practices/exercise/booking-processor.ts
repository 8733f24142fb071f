// Lab 4, your turn: the booking processor behind the Kafka event source mapping. Records whose
// value is not a booking, and poison events, come back from consumeBookings in `failed`. Your
// mapping's settings (spec.ts) reach this handler as environment variables: PROCESSING_MODE and
// REPORT_BATCH_ITEM_FAILURES (handlers/shared/settings.ts reads them).
// Check your work with `npx workshop check 4`.
import type { Context } from 'aws-lambda';
import { consumeBookings } from '../../../handlers/shared/booking-batch.ts';
import { type DecodedKafkaRecord, decodeKafkaEvent, type KafkaBatchResponse, kafkaBatchResponse } from '../../../handlers/shared/kafka-event.ts';
import type { Schedule } from '../../../handlers/shared/processing.ts';
import { readProcessorSettings } from '../../../handlers/shared/settings.ts';
import { telemetry } from '../../../handlers/shared/telemetry.ts';

export class BatchFailedError extends Error {
  override name = 'BatchFailedError';
}

/**
 * How a batch's records are processed when PROCESSING_MODE is parallel-by-key. `keys[i]` is
 * record i's booking id. `runOne(i)` processes record i and resolves true, or false when it
 * failed. Resolve only when every runOne you started has finished. A record you never run is
 * reported failed, unprocessed, and the mapping retries it.
 */
const parallelByKey: Schedule = async (keys, runOne) => {
  // TODO(lab 4): records of different bookings may overlap; a booking's own records must stay in order.
  // TODO(lab 4): once one of a booking's records fails, do not run that booking's later records.
  for (let i = 0; i < keys.length; i++) await runOne(i);
};

export const handler = async (event: unknown, context?: Context): Promise<KafkaBatchResponse> => {
  const settings = readProcessorSettings(process.env, { reportBatchItemFailures: false });
  const tools = telemetry('booking-processor');
  if (context) tools.logger.addContext(context);

  const records = decodeKafkaEvent(event);
  const { failed } = await consumeBookings<DecodedKafkaRecord>(
    records.map((record) => ({ ref: record, value: record.value })),
    { settings, telemetry: tools, identify: (r) => ({ partition: r.partition, offset: r.offset }), schedules: { 'parallel-by-key': parallelByKey } },
  );

  // TODO(lab 4): when partial batch responses are on (settings.reportBatchItemFailures), fail only the failed records.
  if (failed.length > 0) {
    throw new BatchFailedError(`${failed.length} of ${records.length} records failed; the whole batch fails. First: ${failed[0].reason}`);
  }
  return kafkaBatchResponse([]);
};
