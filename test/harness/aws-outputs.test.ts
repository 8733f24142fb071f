import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_METRICS_NAMESPACE } from '../../handlers/shared/telemetry.ts';
import { UsageError } from '../../harness/errors.ts';
import { liveQueries, metricScope } from '../../harness/targets/aws-metrics.ts';
import { loadDeployedOutputs, resolveLabOutputs } from '../../harness/targets/aws-outputs.ts';
import { LABS } from '../../labs/index.ts';
import { BASE_OUTPUTS } from '../../labs/stack-contract.ts';
import { deployedOutputsFor, KAFKA_ESM_UUID, REGION, SQS_ESM_UUID } from './support/aws-fixtures.ts';

const [baseline, lowLatency, sqsBuffer, bestPractices] = LABS;

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    assert.instance(error, UsageError);
    return error as UsageError;
  }
  assert.unreachable('expected a UsageError');
  throw new Error('unreachable');
}

test('nothing deployed (no outputs file): one line naming the deploy command', () => {
  const error = usageError(() => resolveLabOutputs(baseline, undefined, '.deploy/outputs.json'));
  assert.not.ok(error.message.includes('\n'), 'one line');
  assert.match(error.message, /Nothing is deployed to AWS/);
  assert.match(error.message, /`npm run deploy -- 01-baseline`/);
});

test('a missing outputs file reads as undefined; a broken one is a one-line UsageError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aws-outputs-'));
  try {
    assert.is(loadDeployedOutputs(join(dir, 'outputs.json')), undefined);
    writeFileSync(join(dir, 'outputs.json'), '{ not json');
    const error = usageError(() => loadDeployedOutputs(join(dir, 'outputs.json')));
    assert.not.ok(error.message.includes('\n'));
    assert.match(error.message, /is not valid JSON/);
    assert.match(error.message, /npm run deploy/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('only the base stack deployed: the lab is not deployed, one line', () => {
  const deployed = deployedOutputsFor(baseline);
  delete deployed.lab;
  const error = usageError(() => resolveLabOutputs(baseline, deployed));
  assert.not.ok(error.message.includes('\n'));
  assert.match(error.message, /Lab 01-baseline is not deployed to AWS \(only the base stack is/);
  assert.match(error.message, /`npm run deploy -- 01-baseline`/);
});

test('another lab deployed: says which, and that deploying replaces it', () => {
  const error = usageError(() => resolveLabOutputs(lowLatency, deployedOutputsFor(baseline)));
  assert.not.ok(error.message.includes('\n'));
  assert.match(error.message, /Lab 02-low-latency is not deployed to AWS \(lab 01-baseline is/);
  assert.match(error.message, /`npm run deploy -- 02-low-latency` \(it replaces 01-baseline\)/);
});

test('outputs missing from the lab stack are listed by stack and name', () => {
  const deployed = deployedOutputsFor(sqsBuffer);
  delete deployed.lab!.outputs.kafka_esm_uuid;
  delete deployed.lab!.outputs.buffer_dlq_url;
  delete deployed.base.producer_function_name;
  const error = usageError(() => resolveLabOutputs(sqsBuffer, deployed));
  assert.not.ok(error.message.includes('\n'));
  assert.match(error.message, /base\.producer_function_name/);
  assert.match(error.message, /lab-03-sqs-buffer\.kafka_esm_uuid/);
  assert.match(error.message, /lab-03-sqs-buffer\.buffer_dlq_url/);
  assert.match(error.message, /redeploy with `npm run deploy -- 03-sqs-buffer`/);
});

test('a lab with an SQS on-failure destination needs its queue URL', () => {
  const deployed = deployedOutputsFor(bestPractices);
  delete deployed.lab!.outputs.on_failure_queue_url;
  const error = usageError(() => resolveLabOutputs(bestPractices, deployed));
  assert.match(error.message, /on_failure_queue_url/);
});

test('a deployed lab resolves every name the target uses', () => {
  const three = resolveLabOutputs(sqsBuffer, deployedOutputsFor(sqsBuffer));
  assert.equal(three, {
    region: REGION,
    labId: '03-sqs-buffer',
    topic: 'bookings',
    producerFunctionName: 'klw-producer',
    kafkaEsmUuid: KAFKA_ESM_UUID,
    kafkaConsumerFunctionName: 'klw-03-sqs-buffer-sqs-forwarder',
    processorFunctionName: 'klw-03-sqs-buffer-sqs-processor',
    forwarderFunctionName: 'klw-03-sqs-buffer-sqs-forwarder',
    sqsEsmUuid: SQS_ESM_UUID,
    bufferQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/klw-03-sqs-buffer-buffer',
    bufferDlqUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/klw-03-sqs-buffer-buffer-dlq',
    dashboardName: 'klw-dashboard',
    metricsNamespace: 'KafkaLambdaWorkshop',
  });
  const four = resolveLabOutputs(bestPractices, deployedOutputsFor(bestPractices));
  assert.is(four.onFailureDestination, 'arn:aws:sqs:eu-west-1:123456789012:klw-bookings-failed');
  assert.is(four.onFailureQueueUrl, 'https://sqs.eu-west-1.amazonaws.com/123456789012/klw-bookings-failed');
});

test("the metrics are read from the participant's namespace the base was deployed with; a base from before namespaces published to the workshop's", () => {
  const deployed = deployedOutputsFor(lowLatency);
  assert.not.ok(BASE_OUTPUTS.metricsNamespace in deployed.base, 'the fixture is a base deployed before participants had namespaces');
  assert.is(metricScope(lowLatency, resolveLabOutputs(lowLatency, deployed)).namespace, DEFAULT_METRICS_NAMESPACE);
  deployed.base[BASE_OUTPUTS.metricsNamespace] = 'KafkaLambdaWorkshop/ana2';
  const scope = metricScope(lowLatency, resolveLabOutputs(lowLatency, deployed));
  assert.is(scope.namespace, 'KafkaLambdaWorkshop/ana2');
  const processed = liveQueries(scope).find((q) => q.Id === 'processed')!;
  assert.is(processed.MetricStat!.Metric!.Namespace, 'KafkaLambdaWorkshop/ana2', 'the live view reads what the functions publish');
});

test.run();
