// Each lab's stack holds exactly the event source mappings its LabSpec describes.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findLab } from '../../labs/index.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { LAB_OUTPUTS } from '../../labs/stack-contract.ts';
import { Testing } from '../../modules/cdk-terrain.ts';
import { ESM_SETTLE_MINUTES } from '../../modules/esm-settle.ts';
import { PINNED_AWS_PROVIDER } from '../../modules/provider-values.ts';
import { actionsOf, kafkaEsms, policyOf, resources, type SynthedStack, sqsEsms, synthWorkshop } from './synth-once.ts';

const synthed = synthWorkshop();

function lab(n: number): { spec: LabSpec; stack: SynthedStack } {
  const spec = findLab(n);
  if (!spec) throw new Error(`lab ${n} is missing`);
  return { spec, stack: synthed.labs.get(spec.id)! };
}

function onlyKafkaEsm(stack: SynthedStack) {
  const esms = kafkaEsms(stack.tf);
  assert.is(esms.length, 1, `${stack.name} has one Kafka ESM`);
  return esms[0];
}

test('every mapping, Kafka and SQS, lets Terraform wait as long as the deploy does for it to settle', () => {
  const wait = `${ESM_SETTLE_MINUTES}m`;
  const stacks = [...synthed.labs.values()];
  assert.ok(stacks.some((stack) => sqsEsms(stack.tf).length > 0) && stacks.some((stack) => kafkaEsms(stack.tf).length > 0));
  for (const stack of stacks) {
    for (const esm of resources(stack.tf, 'aws_lambda_event_source_mapping')) {
      assert.equal(esm.timeouts, { create: wait, update: wait, delete: wait }, stack.name);
    }
  }
});

test('every lab has its own stack, named lab-<id>', () => {
  assert.equal(
    [...synthed.labs.values()].map((s) => s.name),
    ['lab-01-baseline', 'lab-02-low-latency', 'lab-03-sqs-buffer', 'lab-04-best-practices', 'lab-05-schema-registry'],
  );
});

test('lab 1: AWS defaults: batch 100, no batching window (500 ms default), on-demand, nothing else', () => {
  const { stack } = lab(1);
  const esm = onlyKafkaEsm(stack);
  assert.is(esm.batch_size, 100);
  assert.not.ok('maximum_batching_window_in_seconds' in esm, 'window left unset so the 500 ms default applies');
  assert.not.ok('provisioned_poller_config' in esm, 'on-demand mode');
  assert.not.ok('filter_criteria' in esm);
  assert.not.ok('destination_config' in esm);
  assert.not.ok('function_response_types' in esm);
  assert.not.ok('scaling_config' in esm);
  assert.not.ok('amazon_managed_kafka_event_source_config' in esm, 'unset consumer group: AWS names a unique one');
  assert.is(esm.starting_position, 'LATEST');
  assert.equal(esm.topics, ['bookings']);
  assert.equal(esm.metrics_config, { metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] });
  assert.ok(String(esm.event_source_arn).includes('outputs.cluster_arn'), 'the cluster comes from the base stack');
  assert.is(sqsEsms(stack.tf).length, 0);
});

test('lab 2: window 0 and provisioned pollers sized in the spec (min = max)', () => {
  const { spec, stack } = lab(2);
  const esm = onlyKafkaEsm(stack);
  assert.is(esm.maximum_batching_window_in_seconds, 0);
  assert.is(esm.batch_size, spec.kafkaEsm.batchSize);
  const pollers = spec.kafkaEsm.provisionedPollers!;
  assert.equal(esm.provisioned_poller_config, { minimum_pollers: pollers.minimum, maximum_pollers: pollers.maximum });
  assert.is(pollers.minimum, pollers.maximum);
  assert.not.ok('filter_criteria' in esm);
  assert.not.ok('destination_config' in esm);
  assert.not.ok('function_response_types' in esm);
});

test('lab 3: Kafka ESM -> forwarder -> SQS -> SQS ESM with maximum concurrency -> processor', () => {
  const { spec, stack } = lab(3);
  const buffer = spec.sqsBuffer!;
  const kafka = onlyKafkaEsm(stack);
  assert.is(kafka.batch_size, spec.kafkaEsm.batchSize);
  assert.is(kafka.maximum_batching_window_in_seconds, spec.kafkaEsm.batchingWindowSeconds);
  assert.match(kafka.function_name, /^\$\{aws_lambda_function\.sqs-buffer_forwarder_function_\w+\.arn\}$/, 'the Kafka ESM invokes the forwarder');

  const esms = sqsEsms(stack.tf);
  assert.is(esms.length, 1);
  const sqs = esms[0];
  assert.is(sqs.batch_size, buffer.batchSize);
  assert.is(sqs.maximum_batching_window_in_seconds, buffer.batchingWindowSeconds);
  assert.equal(sqs.scaling_config, { maximum_concurrency: buffer.maximumConcurrency });
  assert.not.ok('provisioned_poller_config' in sqs);
  assert.equal(sqs.function_response_types, ['ReportBatchItemFailures']);
  assert.match(sqs.function_name, /^\$\{aws_lambda_function\.sqs-buffer_processor_function_\w+\.arn\}$/);
  assert.ok(String(sqs.event_source_arn).includes('sqs-buffer_queue'), 'reads the buffer queue, not the DLQ');

  const queues = resources(stack.tf, 'aws_sqs_queue');
  assert.is(queues.length, 2);
  for (const q of queues) assert.is(q.sqs_managed_sse_enabled, true, `${q.name} is encrypted`);
  const main = queues.find((q) => q.name === 'klw-03-sqs-buffer-buffer')!;
  assert.is(main.visibility_timeout_seconds, buffer.visibilityTimeoutSeconds);
  const [redrive] = resources(stack.tf, 'aws_sqs_queue_redrive_policy');
  const policy = JSON.parse(redrive.redrive_policy);
  assert.is(policy.maxReceiveCount, buffer.maxReceiveCount);
  assert.ok(String(policy.deadLetterTargetArn).includes('sqs-buffer_dlq'));

  const forwarderFn = resources(stack.tf, 'aws_lambda_function').find((f) => f.function_name === 'klw-03-sqs-buffer-sqs-forwarder')!;
  assert.match(forwarderFn.environment.variables.QUEUE_URL, /^\$\{aws_sqs_queue\.sqs-buffer_queue_\w+\.url\}$/, 'the forwarder sends to the buffer queue');
  assert.ok(
    Testing.toHaveResourceWithProperties(stack.json, 'aws_lambda_function', {
      function_name: 'klw-03-sqs-buffer-sqs-processor',
      memory_size: spec.processor.memoryMb,
    }),
  );
  const forwarder = policyOf(stack.tf, 'sqs-buffer/forwarder');
  const send = forwarder.find((s) => s.actions.includes('sqs:SendMessage'))!;
  assert.equal(send.actions, ['sqs:SendMessage']);
  assert.is(send.resources.length, 1);
  assert.ok(send.resources[0].includes('sqs-buffer_queue'), 'sqs:SendMessage on the buffer queue only');
  const processor = policyOf(stack.tf, 'sqs-buffer/processor');
  assert.equal(actionsOf(processor), [
    'logs:CreateLogStream',
    'logs:PutLogEvents',
    'sqs:ChangeMessageVisibility',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'sqs:ReceiveMessage',
  ]);
});

test('lab 4: filter, retries, bisect, partial batch responses and an SQS on-failure destination', () => {
  const { spec, stack } = lab(4);
  const esm = onlyKafkaEsm(stack);
  const k = spec.kafkaEsm;
  assert.equal(esm.filter_criteria, { filter: k.filters.map((f) => ({ pattern: JSON.stringify(f) })) });
  assert.equal(JSON.parse(esm.filter_criteria.filter[0].pattern), { value: { status: ['CONFIRMED'] } });
  assert.equal(esm.function_response_types, ['ReportBatchItemFailures']);
  assert.is(esm.bisect_batch_on_function_error, true);
  assert.is(esm.maximum_retry_attempts, k.maximumRetryAttempts);
  assert.is(esm.maximum_record_age_in_seconds, k.maximumRecordAgeSeconds);
  assert.equal(esm.provisioned_poller_config, { minimum_pollers: k.provisionedPollers!.minimum, maximum_pollers: k.provisionedPollers!.maximum });
  assert.match(esm.destination_config.on_failure.destination_arn, /^\$\{aws_sqs_queue\.booking-processor_on-failure_\w+\.arn\}$/);

  const [queue] = resources(stack.tf, 'aws_sqs_queue');
  assert.is(queue.name, 'klw-bookings-failed');
  assert.is(queue.sqs_managed_sse_enabled, true);
  // The pollers deliver failures from inside the cluster VPC: SQS needs an endpoint there.
  assert.ok(Testing.toHaveResourceWithProperties(stack.json, 'aws_vpc_endpoint', { service_name: 'com.amazonaws.eu-west-1.sqs', private_dns_enabled: true }));
  const send = policyOf(stack.tf, 'booking-processor/function').find((s) => s.actions.includes('sqs:SendMessage'))!;
  assert.equal(send.resources, [esm.destination_config.on_failure.destination_arn]);
});

test('labs without an SQS destination add no SQS endpoint', () => {
  for (const n of [1, 2, 3]) assert.is(resources(lab(n).stack.tf, 'aws_vpc_endpoint').length, 0, `lab ${n}`);
});

test('processors get the lab settings as environment variables', () => {
  for (const n of [1, 2, 4]) {
    const { spec, stack } = lab(n);
    const fn = resources(stack.tf, 'aws_lambda_function').find((f) => f.function_name.endsWith('booking-processor'))!;
    assert.equal(fn.environment.variables, {
      LAB_ID: spec.id,
      METRICS_NAMESPACE: 'KafkaLambdaWorkshop',
      PROCESSING_MS_PER_RECORD: String(spec.processor.processingMsPerRecord),
      PROCESSING_MODE: spec.processor.mode,
      WORK_KIND: spec.processor.workKind,
      POWERTOOLS_SERVICE_NAME: 'booking-processor',
      REPORT_BATCH_ITEM_FAILURES: String(spec.kafkaEsm.reportBatchItemFailures ?? false),
    });
    assert.is(fn.memory_size, spec.processor.memoryMb);
    assert.is(fn.timeout, spec.processor.timeoutSeconds);
    assert.is(fn.runtime, 'nodejs22.x');
    assert.equal(fn.architectures, ['arm64']);
    assert.not.ok('vpc_config' in fn, 'the ESM reaches the cluster; the processor itself needs no VPC');
  }
});

test('every lab stack outputs what the harness reads', () => {
  for (const stack of synthed.labs.values()) {
    const outputs = Object.keys(stack.tf.output ?? {});
    for (const key of ['region', 'labId', 'topic', 'kafkaEsmUuid', 'kafkaConsumerFunctionName', 'processorFunctionName'] as const) {
      assert.ok(outputs.includes(LAB_OUTPUTS[key]), `${stack.name} outputs ${LAB_OUTPUTS[key]}`);
    }
  }
  const lab3 = Object.keys(lab(3).stack.tf.output!);
  for (const key of ['forwarderFunctionName', 'sqsEsmUuid', 'bufferQueueUrl', 'bufferDlqUrl'] as const) assert.ok(lab3.includes(LAB_OUTPUTS[key]));
  const lab4 = Object.keys(lab(4).stack.tf.output!);
  for (const key of ['onFailureDestination', 'onFailureQueueUrl'] as const) assert.ok(lab4.includes(LAB_OUTPUTS[key]));
});

test('lab stacks read the base from its local state file and keep their own state', () => {
  for (const stack of synthed.labs.values()) {
    const remote = Object.values(stack.tf.data!.terraform_remote_state);
    assert.is(remote.length, 1);
    assert.is(remote[0].backend, 'local');
    assert.is(remote[0].config.path, `${synthed.stateDir}/terraform.base.tfstate`);
    assert.equal(stack.tf.terraform!.backend, { local: { path: `${synthed.stateDir}/terraform.${stack.name}.tfstate` } });
    assert.equal(stack.tf.terraform!.required_providers.aws, { source: 'hashicorp/aws', version: PINNED_AWS_PROVIDER });
  }
});

test.run();
