// The metrics each handler writes, and their dimensions, are what METRICS_BY_SERVICE and
// metricDimensionNames say (handlers/shared/telemetry.ts): the dashboard and the harness search
// CloudWatch for exactly these, with and without LAB_ID. The producer needs a broker: its
// metrics are checked in test/integration/batching-and-concurrency.test.ts.

import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { handler as bookingProcessor } from '../../handlers/booking-processor.ts';
import { METRICS_BY_SERVICE, metricDimensionNames } from '../../handlers/shared/telemetry.ts';
import { handler as sqsForwarder } from '../../handlers/sqs-forwarder.ts';
import { handler as sqsProcessor } from '../../handlers/sqs-processor.ts';
import { withEnv } from './support/env.ts';
import { bookingValue, kafkaEvent, kafkaRecord, sqsEventFromKafka } from './support/events.ts';
import { captureStdout, emfDocuments } from './support/stdout.ts';

const sqs = mockClient(SQSClient);
sqs
  .on(SendMessageBatchCommand)
  .callsFake((input) => ({ Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: '' })), Failed: [] }));

const booking = () => bookingValue({ seq: 1, intendedAt: Date.now() - 10 });
const RUNS: Record<string, () => Promise<unknown>> = {
  'booking-processor': () => bookingProcessor(kafkaEvent([kafkaRecord('bookings', 0, 1, booking())])),
  'sqs-processor': () => sqsProcessor(sqsEventFromKafka([{ partition: 0, offset: 1, value: new Uint8Array(Buffer.from(booking())) }])),
  'sqs-forwarder': () => sqsForwarder(kafkaEvent([kafkaRecord('bookings', 0, 1, booking())])),
};

/** Metric names and dimension sets of one invocation's EMF documents. */
async function emitted(service: string, env: Record<string, string | undefined>) {
  const run = await withEnv(
    { PROCESSING_MS_PER_RECORD: '0', QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', POWERTOOLS_SERVICE_NAME: service, ...env },
    () => captureStdout(RUNS[service]),
  );
  assert.is(run.error, undefined, `${service}: ${run.error}`);
  const groups = emfDocuments(run.lines).flatMap((doc) => doc._aws.CloudWatchMetrics);
  return {
    names: [...new Set(groups.flatMap((g: any) => g.Metrics.map((m: any) => m.Name)))].sort(),
    dimensions: [...new Set(groups.flatMap((g: any) => g.Dimensions.map((d: string[]) => [...d].sort().join(','))))],
  };
}

for (const service of Object.keys(RUNS)) {
  test(`${service} writes METRICS_BY_SERVICE['${service}'] with metricDimensionNames' dimensions`, async () => {
    for (const env of [{ LAB_ID: '01-baseline' }, { LAB_ID: undefined }]) {
      const { names, dimensions } = await emitted(service, env);
      assert.equal(names, [...METRICS_BY_SERVICE[service]].sort());
      assert.equal(dimensions, [metricDimensionNames(env).join(',')], `${service} with LAB_ID=${env.LAB_ID}`);
    }
  });
}

test.run();
