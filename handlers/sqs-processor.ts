// The booking processor behind the SQS buffer (lab 3): the same booking work, metrics and
// "batch processed" line as booking-processor, fed by the SQS event source mapping.
// Environment: PROCESSING_MS_PER_RECORD, PROCESSING_MODE, WORK_KIND, REPORT_BATCH_ITEM_FAILURES (default
// true here: the lab's SQS ESM uses FunctionResponseTypes [ReportBatchItemFailures]), telemetry
// variables, and the fault-injection knobs CHAOS_* (off by default; see shared/settings.ts).
// With partial batch responses off, any failure fails the whole batch (every message of it
// becomes visible again after the visibility timeout).
//
// The batch is processed first with the shared processRecords (which keeps per-booking order in
// parallel-by-key mode); Powertools' BatchProcessor then turns the outcomes into the partial batch
// response, so the SQS response format stays Powertools' job.

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { PartialItemFailureResponse } from '@aws-lambda-powertools/batch/types';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { consumeBookings } from './shared/booking-batch.ts';
import { INJECTED_HANG, maybeHangPastTimeout } from './shared/chaos.ts';
import { readProcessorSettings } from './shared/settings.ts';
import { kafkaValueOf } from './shared/sqs-message.ts';
import { telemetry } from './shared/telemetry.ts';

const processor = new BatchProcessor(EventType.SQS);

export class BatchFailedError extends Error {
  override name = 'BatchFailedError';
}

export const handler = async (event: SQSEvent, context?: Context): Promise<PartialItemFailureResponse> => {
  if (!Array.isArray(event?.Records)) {
    throw new Error('Not an SQS event source mapping payload: expected a "Records" array of SQS messages.');
  }
  const settings = readProcessorSettings(process.env, { reportBatchItemFailures: true });
  const tools = telemetry('sqs-processor');
  if (context) tools.logger.addContext(context);

  const { failed } = await consumeBookings<SQSRecord>(
    event.Records.map((record) => ({ ref: record, value: kafkaValueOf(record) })),
    { settings, telemetry: tools, identify: (r) => ({ messageId: r.messageId }) },
  );
  await maybeHangPastTimeout(settings.chaos, context, { onHang: (ms) => tools.logger.warn(INJECTED_HANG, { hangMs: ms }) });

  if (failed.length > 0 && !settings.reportBatchItemFailures) {
    throw new BatchFailedError(
      `${failed.length} of ${event.Records.length} messages failed; failing the whole batch (partial batch ` +
        `responses are off). First: ${failed[0].ref.messageId}: ${failed[0].reason}`,
    );
  }

  const reasons = new Map(failed.map((f) => [f.ref.messageId, f.reason]));
  const recordHandler = async (record: SQSRecord) => {
    const reason = reasons.get(record.messageId);
    if (reason !== undefined) throw new Error(reason);
  };
  // Failures were already counted and logged; a fully failed batch is reported, not thrown.
  return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
};
