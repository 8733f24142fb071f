// LabSpec ESM fields -> aws_lambda_event_source_mapping arguments, one rule at a time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KafkaEsmSpec, SqsBufferSpec } from '../../labs/lab-spec-types.ts';
import { kafkaEsmArguments } from '../../modules/kafka-consumer.ts';
import { sqsEsmArguments } from '../../modules/sqs-buffer.ts';

const minimal: KafkaEsmSpec = { batchSize: 100, startingPosition: 'LATEST', filters: [] };

test('a minimal Kafka spec sets only batch size and starting position (no ESM metrics: the AWS default)', () => {
  assert.equal(kafkaEsmArguments(minimal), { batchSize: 100, startingPosition: 'LATEST' });
  assert.not.ok('metricsConfig' in kafkaEsmArguments({ ...minimal, metrics: [] }));
});

test("metrics: the spec's MetricsConfig groups, as given", () => {
  assert.equal(kafkaEsmArguments({ ...minimal, metrics: ['EventCount', 'KafkaMetrics'] }).metricsConfig, { metrics: ['EventCount', 'KafkaMetrics'] });
});

test('window: unset stays unset (500 ms default); 0 and other values are passed', () => {
  assert.not.ok('maximumBatchingWindowInSeconds' in kafkaEsmArguments(minimal));
  assert.is(kafkaEsmArguments({ ...minimal, batchingWindowSeconds: 0 }).maximumBatchingWindowInSeconds, 0);
  assert.is(kafkaEsmArguments({ ...minimal, batchingWindowSeconds: 5 }).maximumBatchingWindowInSeconds, 5);
});

test('AT_TIMESTAMP: epoch seconds become an RFC 3339 UTC timestamp', () => {
  const args = kafkaEsmArguments({ ...minimal, startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: 1767225600 });
  assert.is(args.startingPosition, 'AT_TIMESTAMP');
  assert.is(args.startingPositionTimestamp, '2026-01-01T00:00:00Z');
});

test('consumer group, pollers, filters, error handling and destination map one to one', () => {
  const spec: KafkaEsmSpec = {
    batchSize: 10,
    batchingWindowSeconds: 1,
    startingPosition: 'TRIM_HORIZON',
    consumerGroupId: 'bookings-lab',
    provisionedPollers: { minimum: 2, maximum: 4 },
    filters: [{ value: { status: ['CONFIRMED'] } }, { value: { amount: [{ numeric: ['>', 100] }] } }],
    maximumRetryAttempts: -1,
    maximumRecordAgeSeconds: 60,
    bisectBatchOnFunctionError: false,
    reportBatchItemFailures: true,
    metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'],
  };
  assert.equal(kafkaEsmArguments(spec, 'kafka://bookings-dlq'), {
    batchSize: 10,
    startingPosition: 'TRIM_HORIZON',
    metricsConfig: { metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
    maximumBatchingWindowInSeconds: 1,
    amazonManagedKafkaEventSourceConfig: { consumerGroupId: 'bookings-lab' },
    provisionedPollerConfig: { minimumPollers: 2, maximumPollers: 4 },
    filterCriteria: {
      filter: [{ pattern: '{"value":{"status":["CONFIRMED"]}}' }, { pattern: '{"value":{"amount":[{"numeric":[">",100]}]}}' }],
    },
    functionResponseTypes: ['ReportBatchItemFailures'],
    bisectBatchOnFunctionError: false,
    maximumRetryAttempts: -1,
    maximumRecordAgeInSeconds: 60,
    destinationConfig: { onFailure: { destinationArn: 'kafka://bookings-dlq' } },
  });
});

test('a poller group goes in provisioned_poller_config.poller_group_name', () => {
  const args = kafkaEsmArguments({ ...minimal, provisionedPollers: { minimum: 1, maximum: 4, pollerGroupName: 'bookings-pollers' } });
  assert.equal(args.provisionedPollerConfig, { minimumPollers: 1, maximumPollers: 4, pollerGroupName: 'bookings-pollers' });
});

test('reportBatchItemFailures false leaves function_response_types out', () => {
  assert.not.ok('functionResponseTypes' in kafkaEsmArguments({ ...minimal, reportBatchItemFailures: false }));
});

const buffer: SqsBufferSpec = { batchSize: 10, visibilityTimeoutSeconds: 60, maxReceiveCount: 3 };

test('SQS: partial batch responses always, EventCount metrics, window only when set', () => {
  assert.equal(sqsEsmArguments(buffer), { batchSize: 10, functionResponseTypes: ['ReportBatchItemFailures'], metricsConfig: { metrics: ['EventCount'] } });
  assert.is(sqsEsmArguments({ ...buffer, batchSize: 100, batchingWindowSeconds: 2 }).maximumBatchingWindowInSeconds, 2);
});

test('SQS scaling: maximum concurrency, or provisioned pollers (SQS provisioned mode)', () => {
  assert.equal(sqsEsmArguments({ ...buffer, maximumConcurrency: 40 }).scalingConfig, { maximumConcurrency: 40 });
  const provisioned = sqsEsmArguments({ ...buffer, provisionedPollers: { minimum: 2, maximum: 20 } });
  assert.equal(provisioned.provisionedPollerConfig, { minimumPollers: 2, maximumPollers: 20 });
  assert.not.ok('scalingConfig' in provisioned);
});

test.run();

test("schema registry: SchemaRegistryConfig under the MSK config, the registry's ARN as its URI, one validation config per attribute, next to the group id", () => {
  const registry = 'arn:aws:glue:eu-west-1:123456789012:registry/klw-booking-schemas';
  const esm: KafkaEsmSpec = { ...minimal, schemaRegistry: { eventRecordFormat: 'SOURCE', validate: ['KEY', 'VALUE'] } };
  assert.equal(kafkaEsmArguments(esm, undefined, registry).amazonManagedKafkaEventSourceConfig, {
    schemaRegistryConfig: { schemaRegistryUri: registry, eventRecordFormat: 'SOURCE', schemaValidationConfig: [{ attribute: 'KEY' }, { attribute: 'VALUE' }] },
  });
  assert.equal(kafkaEsmArguments({ ...esm, consumerGroupId: 'bookings-lab5' }, undefined, registry).amazonManagedKafkaEventSourceConfig, {
    consumerGroupId: 'bookings-lab5',
    schemaRegistryConfig: { schemaRegistryUri: registry, eventRecordFormat: 'SOURCE', schemaValidationConfig: [{ attribute: 'KEY' }, { attribute: 'VALUE' }] },
  });
  assert.throws(() => kafkaEsmArguments(esm), /no Glue registry ARN/);
  assert.not.ok('amazonManagedKafkaEventSourceConfig' in kafkaEsmArguments(minimal, undefined, registry));
});
