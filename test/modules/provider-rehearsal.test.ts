// The rehearsal copy on a small schema: what an older provider lacks is left out with the release
// that added it, refused values are dropped (the block goes when none is left), interpolated ARNs
// are kept, the provider version is the older one, and anything it cannot name stops it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type ProviderSchema, rehearsalCopy } from '../../modules/provider-rehearsal.ts';

const schema: ProviderSchema = {
  resource_schemas: {
    aws_lambda_event_source_mapping: {
      block: {
        attributes: { function_name: {}, topics: {}, starting_position: {}, function_response_types: {} },
        block_types: {
          provisioned_poller_config: { block: { attributes: { minimum_pollers: {}, maximum_pollers: {} } } },
          metrics_config: { block: { attributes: { metrics: {} } } },
          destination_config: { block: { block_types: { on_failure: { block: { attributes: { destination_arn: {} } } } } } },
        },
      },
    },
    aws_sqs_queue: { block: { attributes: { name: {} } } },
  },
  data_source_schemas: {},
};

const stack = (mapping: Record<string, unknown>): Record<string, any> => ({
  terraform: { required_providers: { aws: { source: 'aws', version: '6.66.0' } } },
  resource: {
    aws_lambda_event_source_mapping: { esm: { function_name: 'f', topics: ['bookings'], starting_position: 'LATEST', depends_on: ['x'], ...mapping } },
    aws_sqs_queue: { dlq: { name: 'dlq', '//': { metadata: {} } } },
  },
});

test('poller_group_name is left out with its release; the provider is the older one; the rest is untouched', () => {
  const tf = stack({ provisioned_poller_config: { minimum_pollers: 1, maximum_pollers: 3, poller_group_name: 'g' } });
  const { tf: copy, changes } = rehearsalCopy(tf, '5.100.0', schema);
  assert.equal(copy.resource.aws_lambda_event_source_mapping.esm.provisioned_poller_config, { minimum_pollers: 1, maximum_pollers: 3 });
  assert.is(copy.terraform.required_providers.aws.version, '5.100.0');
  assert.equal(copy.resource.aws_sqs_queue, tf.resource.aws_sqs_queue);
  assert.is(tf.resource.aws_lambda_event_source_mapping.esm.provisioned_poller_config.poller_group_name, 'g', 'the original is not changed');
  assert.equal(
    changes.map((c) => `${c.address}.${c.argument}: ${c.change}`),
    ['aws_lambda_event_source_mapping.esm.provisioned_poller_config.poller_group_name: left out'],
  );
  assert.match(changes[0].why, 'added in hashicorp/aws 6.28.0');
});

test('timeouts is left out where the schema has no timeouts block, and kept where it has one', () => {
  const timeouts = { create: '15m', update: '15m', delete: '15m' };
  const older = rehearsalCopy(stack({ timeouts }), '5.100.0', schema);
  assert.not.ok('timeouts' in older.tf.resource.aws_lambda_event_source_mapping.esm);
  assert.equal(
    older.changes.map((c) => `${c.address}.${c.argument}: ${c.change}`),
    ['aws_lambda_event_source_mapping.esm.timeouts: left out'],
  );
  const withBlock = structuredClone(schema);
  withBlock.resource_schemas.aws_lambda_event_source_mapping.block.block_types!.timeouts = { block: { attributes: { create: {}, update: {}, delete: {} } } };
  const newer = rehearsalCopy(stack({ timeouts }), '5.100.0', withBlock);
  assert.equal(newer.tf.resource.aws_lambda_event_source_mapping.esm.timeouts, timeouts);
  assert.equal(newer.changes, []);
});

test('refused metrics are dropped, and the block goes when none is left', () => {
  const some = rehearsalCopy(stack({ metrics_config: { metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] } }), '5.100.0', schema);
  assert.equal(some.tf.resource.aws_lambda_event_source_mapping.esm.metrics_config, { metrics: ['EventCount'] });
  assert.is(some.changes[0].change, 'without ErrorCount, KafkaMetrics');
  assert.match(some.changes[0].why, 'hashicorp/aws 5.100.0 refuses it');
  const none = rehearsalCopy(stack({ metrics_config: { metrics: ['KafkaMetrics'] } }), '5.100.0', schema);
  assert.not.ok('metrics_config' in none.tf.resource.aws_lambda_event_source_mapping.esm);
});

test('a kafka:// destination is left out; an interpolated ARN is kept', () => {
  const kafka = rehearsalCopy(stack({ destination_config: { on_failure: { destination_arn: 'kafka://failed' } } }), '5.100.0', schema);
  assert.not.ok('destination_config' in kafka.tf.resource.aws_lambda_event_source_mapping.esm);
  assert.match(kafka.changes[0].change, 'destination_config.on_failure.destination_arn = kafka://failed');
  const arn = rehearsalCopy(stack({ destination_config: { on_failure: { destination_arn: '${aws_sqs_queue.dlq.arn}' } } }), '5.100.0', schema);
  assert.equal(arn.changes, []);
  assert.equal(rehearsalCopy(stack({}), '6.66.0', schema).changes, []);
});

test('what it cannot name stops it: an unknown argument, an unknown resource, a provider with no table', () => {
  assert.throws(
    () => rehearsalCopy(stack({ tumbling_window_in_seconds: 5 }), '5.100.0', schema),
    /ADDED_IN names no release for it: aws_lambda_event_source_mapping\.esm\.tumbling_window_in_seconds/,
  );
  const other = { resource: { aws_kafka_topic: { t: {} } } };
  assert.throws(() => rehearsalCopy(other, '5.100.0', schema), /the provider has no resource aws_kafka_topic/);
  assert.throws(() => rehearsalCopy(stack({}), '4.0.0', schema), /no table for hashicorp\/aws 4\.0\.0/);
});

test.run();
