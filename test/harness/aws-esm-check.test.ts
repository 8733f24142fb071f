import { GetEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../harness/errors.ts';
import { canonicalPattern, checkDeployedMappings, type EsmConfiguration, kafkaEsmDifferences, sqsEsmDifferences } from '../../harness/targets/aws-esm-check.ts';
import { resolveLabOutputs } from '../../harness/targets/aws-outputs.ts';
import { LABS } from '../../labs/index.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { SCHEMA_REGISTRY_LAB } from '../support/schema-registry-lab.ts';
import {
  awsError,
  deployedKafkaEsm,
  deployedOutputsFor,
  deployedSqsEsm,
  KAFKA_ESM_UUID,
  noSleep,
  SCHEMA_REGISTRY_ARN,
  SQS_ESM_UUID,
} from './support/aws-fixtures.ts';

const [baseline, lowLatency, sqsBuffer, bestPractices] = LABS;
const lambda = mockClient(LambdaClient);
const client = new LambdaClient({ region: 'eu-west-1' });

function expectedFor(lab: LabSpec) {
  const outputs = resolveLabOutputs(lab, deployedOutputsFor(lab));
  return {
    topic: outputs.topic,
    functionName: outputs.kafkaConsumerFunctionName,
    onFailureDestination: outputs.onFailureDestination,
    schemaRegistryArn: outputs.schemaRegistryArn,
  };
}

function diff(lab: LabSpec, change: (esm: EsmConfiguration) => void, spec: LabSpec['kafkaEsm'] = lab.kafkaEsm) {
  const deployed = deployedKafkaEsm(lab);
  change(deployed);
  return kafkaEsmDifferences(spec, deployed, expectedFor(lab));
}

test('every lab as deployed matches its spec', () => {
  for (const lab of LABS) {
    assert.equal(kafkaEsmDifferences(lab.kafkaEsm, deployedKafkaEsm(lab), expectedFor(lab)), [], lab.id);
    if (lab.sqsBuffer) assert.equal(sqsEsmDifferences(lab.sqsBuffer, deployedSqsEsm(lab), { functionName: 'klw-03-sqs-buffer-sqs-processor' }), []);
  }
});

test('AWS defaults reported explicitly still match an unset spec field', () => {
  const differences = diff(baseline, (esm) => {
    esm.MaximumBatchingWindowInSeconds = 0; // how AWS might report the 500 ms default
    esm.MaximumRetryAttempts = -1;
    esm.MaximumRecordAgeInSeconds = -1;
    esm.BisectBatchOnFunctionError = false;
    esm.DestinationConfig = { OnFailure: {} };
  });
  assert.equal(differences, []);
});

test('each Kafka ESM field is compared: spec value against deployed value', () => {
  const cases: Array<{ lab: LabSpec; field: string; change: (esm: EsmConfiguration) => void; spec: string; deployed: string }> = [
    { lab: baseline, field: 'BatchSize', change: (e) => (e.BatchSize = 10), spec: '100', deployed: '10' },
    {
      lab: baseline,
      field: 'MaximumBatchingWindowInSeconds',
      change: (e) => (e.MaximumBatchingWindowInSeconds = 1),
      spec: 'unset (the 500 ms Kafka default)',
      deployed: '1',
    },
    {
      lab: lowLatency,
      field: 'MaximumBatchingWindowInSeconds',
      change: (e) => delete e.MaximumBatchingWindowInSeconds,
      spec: '0',
      deployed: 'unset (the 500 ms Kafka default)',
    },
    {
      lab: baseline,
      field: 'ProvisionedPollerConfig',
      change: (e) => (e.ProvisionedPollerConfig = { MinimumPollers: 1, MaximumPollers: 3 }),
      spec: 'unset (on-demand mode)',
      deployed: '{"MinimumPollers":1,"MaximumPollers":3}',
    },
    {
      lab: lowLatency,
      field: 'ProvisionedPollerConfig',
      change: (e) => delete e.ProvisionedPollerConfig,
      spec: JSON.stringify({
        MinimumPollers: lowLatency.kafkaEsm.provisionedPollers!.minimum,
        MaximumPollers: lowLatency.kafkaEsm.provisionedPollers!.maximum,
      }),
      deployed: 'unset (on-demand mode)',
    },
    {
      lab: bestPractices,
      field: 'ProvisionedPollerConfig.MinimumPollers',
      change: (e) => (e.ProvisionedPollerConfig!.MinimumPollers = 2),
      spec: '1',
      deployed: '2',
    },
    {
      lab: bestPractices,
      field: 'ProvisionedPollerConfig.MaximumPollers',
      change: (e) => (e.ProvisionedPollerConfig!.MaximumPollers = 5),
      spec: '2',
      deployed: '5',
    },
    { lab: bestPractices, field: 'LoggingConfig.SystemLogLevel', change: (e) => delete e.LoggingConfig, spec: 'INFO', deployed: 'unset' },
    {
      lab: bestPractices,
      field: 'ProvisionedPollerConfig.PollerGroupName',
      change: (e) => (e.ProvisionedPollerConfig!.PollerGroupName = 'other'),
      spec: 'unset (dedicated pollers)',
      deployed: 'other',
    },
    {
      lab: bestPractices,
      field: 'LoggingConfig.SystemLogLevel',
      change: (e) => (e.LoggingConfig = { SystemLogLevel: 'DEBUG' }),
      spec: 'INFO',
      deployed: 'DEBUG',
    },
    {
      lab: baseline,
      field: 'MetricsConfig.Metrics',
      change: (e) => (e.MetricsConfig = { Metrics: ['EventCount'] }),
      spec: '["ErrorCount","EventCount","KafkaMetrics"]',
      deployed: '["EventCount"]',
    },
    {
      lab: baseline,
      field: 'MetricsConfig.Metrics',
      change: (e) => delete e.MetricsConfig,
      spec: '["ErrorCount","EventCount","KafkaMetrics"]',
      deployed: 'none',
    },
    {
      lab: bestPractices,
      field: 'FilterCriteria.Filters',
      change: (e) => (e.FilterCriteria = { Filters: [{ Pattern: '{"value":{"status":["PENDING"]}}' }] }),
      spec: '["{\\"value\\":{\\"status\\":[\\"CONFIRMED\\"]}}"]',
      deployed: '["{\\"value\\":{\\"status\\":[\\"PENDING\\"]}}"]',
    },
    {
      lab: baseline,
      field: 'FilterCriteria.Filters',
      change: (e) => (e.FilterCriteria = { Filters: [{ Pattern: '{"value":{"status":["PENDING"]}}' }] }),
      spec: 'none',
      deployed: '["{\\"value\\":{\\"status\\":[\\"PENDING\\"]}}"]',
    },
    { lab: bestPractices, field: 'MaximumRetryAttempts', change: (e) => (e.MaximumRetryAttempts = 10), spec: '2', deployed: '10' },
    { lab: baseline, field: 'MaximumRetryAttempts', change: (e) => (e.MaximumRetryAttempts = 3), spec: 'unset (-1, infinite)', deployed: '3' },
    { lab: bestPractices, field: 'MaximumRecordAgeInSeconds', change: (e) => (e.MaximumRecordAgeInSeconds = 60), spec: '3600', deployed: '60' },
    { lab: bestPractices, field: 'BisectBatchOnFunctionError', change: (e) => (e.BisectBatchOnFunctionError = false), spec: 'true', deployed: 'false' },
    {
      lab: bestPractices,
      field: 'FunctionResponseTypes',
      change: (e) => (e.FunctionResponseTypes = []),
      spec: '["ReportBatchItemFailures"]',
      deployed: 'none',
    },
    {
      lab: baseline,
      field: 'FunctionResponseTypes',
      change: (e) => (e.FunctionResponseTypes = ['ReportBatchItemFailures']),
      spec: 'none',
      deployed: '["ReportBatchItemFailures"]',
    },
    {
      lab: bestPractices,
      field: 'DestinationConfig.OnFailure.Destination',
      change: (e) => delete e.DestinationConfig,
      spec: 'arn:aws:sqs:eu-west-1:123456789012:klw-bookings-failed',
      deployed: 'unset',
    },
    {
      lab: baseline,
      field: 'DestinationConfig.OnFailure.Destination',
      change: (e) => (e.DestinationConfig = { OnFailure: { Destination: 'arn:aws:sqs:eu-west-1:1:q' } }),
      spec: 'unset',
      deployed: 'arn:aws:sqs:eu-west-1:1:q',
    },
    {
      lab: baseline,
      field: 'State',
      change: (e) => ((e.State = 'Disabled'), (e.StateTransitionReason = 'USER_INITIATED')),
      spec: 'Enabled',
      deployed: 'Disabled (USER_INITIATED)',
    },
    { lab: baseline, field: 'Topics', change: (e) => (e.Topics = ['other']), spec: '["bookings"]', deployed: '["other"]' },
    { lab: baseline, field: 'StartingPosition', change: (e) => (e.StartingPosition = 'TRIM_HORIZON'), spec: 'LATEST', deployed: 'TRIM_HORIZON' },
    {
      lab: baseline,
      field: 'FunctionArn',
      change: (e) => (e.FunctionArn = 'arn:aws:lambda:eu-west-1:1:function:someone-else'),
      spec: 'function klw-01-baseline-booking-processor',
      deployed: 'arn:aws:lambda:eu-west-1:1:function:someone-else',
    },
  ];
  for (const c of cases) {
    const differences = diff(c.lab, c.change);
    assert.equal(differences, [{ mapping: 'Kafka ESM', field: c.field, spec: c.spec, deployed: c.deployed }], `${c.lab.id} ${c.field}`);
  }
});

test('a consumer group in the spec must be the deployed one', () => {
  const spec = { ...baseline.kafkaEsm, consumerGroupId: 'workshop-group' };
  const differences = diff(baseline, (e) => (e.AmazonManagedKafkaEventSourceConfig = { ConsumerGroupId: 'other' }), spec);
  assert.equal(differences, [
    { mapping: 'Kafka ESM', field: 'AmazonManagedKafkaEventSourceConfig.ConsumerGroupId', spec: 'workshop-group', deployed: 'other' },
  ]);
});

test("a schema registry lab's mapping must validate against its registry, in its record format, the attributes it names", () => {
  const lab = SCHEMA_REGISTRY_LAB;
  const field = 'AmazonManagedKafkaEventSourceConfig.SchemaRegistryConfig';
  assert.equal(
    diff(lab, () => {}),
    [],
    'as deployed',
  );
  assert.is(expectedFor(lab).schemaRegistryArn, SCHEMA_REGISTRY_ARN);
  const config = (esm: EsmConfiguration) => esm.AmazonManagedKafkaEventSourceConfig!.SchemaRegistryConfig!;
  assert.equal(
    diff(lab, (e) => (config(e).EventRecordFormat = 'SOURCE')),
    [{ mapping: 'Kafka ESM', field: `${field}.EventRecordFormat`, spec: 'JSON', deployed: 'SOURCE' }],
  );
  assert.equal(
    diff(lab, (e) => (config(e).SchemaValidationConfigs = [{ Attribute: 'KEY' }])),
    [{ mapping: 'Kafka ESM', field: `${field}.SchemaValidationConfigs`, spec: '["VALUE"]', deployed: '["KEY"]' }],
  );
  assert.equal(
    diff(lab, (e) => (config(e).SchemaRegistryURI = SCHEMA_REGISTRY_ARN.replace('klw-', 'other-'))),
    [{ mapping: 'Kafka ESM', field: `${field}.SchemaRegistryURI`, spec: SCHEMA_REGISTRY_ARN, deployed: SCHEMA_REGISTRY_ARN.replace('klw-', 'other-') }],
  );
  const missing = diff(lab, (e) => delete e.AmazonManagedKafkaEventSourceConfig!.SchemaRegistryConfig);
  assert.equal(missing, [{ mapping: 'Kafka ESM', field, spec: '{"EventRecordFormat":"JSON","validate":["VALUE"]}', deployed: 'unset' }]);
  const unwanted = diff(bestPractices, (e) => (e.AmazonManagedKafkaEventSourceConfig = { SchemaRegistryConfig: config(deployedKafkaEsm(lab)) }));
  assert.equal(
    unwanted.map((d) => [d.field, d.spec]),
    [[field, 'unset']],
  );
});

test('filters compare by meaning: key order and whitespace do not matter, the set does', () => {
  assert.is(canonicalPattern('{ "value": { "b": [1], "a": ["x"] } }'), canonicalPattern({ value: { a: ['x'], b: [1] } }));
  const spec = { ...baseline.kafkaEsm, filters: [{ value: { status: ['CONFIRMED'] } }, { value: { flight: [{ prefix: 'LH' }] } }] };
  const differences = diff(
    baseline,
    (e) =>
      (e.FilterCriteria = { Filters: [{ Pattern: '{"value": {"flight": [{"prefix": "LH"}]}}' }, { Pattern: '{ "value" : { "status" : [ "CONFIRMED" ] } }' }] }),
    spec,
  );
  assert.equal(differences, []);
});

test('several differences are all listed', () => {
  const differences = diff(bestPractices, (e) => {
    e.BatchSize = 100;
    e.MaximumRetryAttempts = -1;
    e.FilterCriteria = undefined;
  });
  assert.equal(
    differences.map((d) => d.field),
    ['BatchSize', 'FilterCriteria.Filters', 'MaximumRetryAttempts'],
  );
});

test('each SQS ESM field is compared', () => {
  const buffer = sqsBuffer.sqsBuffer!;
  const base = () => deployedSqsEsm(sqsBuffer);
  const check = (change: (e: EsmConfiguration) => void, field: string, spec: string, deployed: string, specBuffer = buffer) => {
    const esm = base();
    change(esm);
    assert.equal(
      sqsEsmDifferences(specBuffer, esm, { functionName: 'klw-03-sqs-buffer-sqs-processor' }),
      [{ mapping: 'SQS ESM', field, spec, deployed }],
      field,
    );
  };
  check((e) => (e.BatchSize = 20), 'BatchSize', '10', '20');
  check((e) => (e.MaximumBatchingWindowInSeconds = 5), 'MaximumBatchingWindowInSeconds', '0', '5');
  check((e) => (e.ScalingConfig = { MaximumConcurrency: 100 }), 'ScalingConfig.MaximumConcurrency', '40', '100');
  check((e) => delete e.ScalingConfig, 'ScalingConfig.MaximumConcurrency', '40', 'unset');
  check((e) => (e.FunctionResponseTypes = []), 'FunctionResponseTypes', '["ReportBatchItemFailures"]', 'none');
  check((e) => (e.State = 'Updating'), 'State', 'Enabled', 'Updating');
  check(
    (e) => (e.ProvisionedPollerConfig = { MinimumPollers: 2, MaximumPollers: 10 }),
    'ProvisionedPollerConfig',
    'unset (on-demand mode)',
    '{"MinimumPollers":2,"MaximumPollers":10}',
  );
  check(
    (e) => ((e.ProvisionedPollerConfig = { MinimumPollers: 2, MaximumPollers: 10 }), delete e.ScalingConfig),
    'ProvisionedPollerConfig.MaximumPollers',
    '20',
    '10',
    { ...buffer, maximumConcurrency: undefined, provisionedPollers: { minimum: 2, maximum: 20 } },
  );
});

test('checkDeployedMappings: GetEventSourceMapping for each mapping, nothing else', async () => {
  lambda.reset();
  lambda.on(GetEventSourceMappingCommand, { UUID: KAFKA_ESM_UUID }).resolves(deployedKafkaEsm(sqsBuffer));
  lambda.on(GetEventSourceMappingCommand, { UUID: SQS_ESM_UUID }).resolves(deployedSqsEsm(sqsBuffer));
  const mappings = await checkDeployedMappings(client, sqsBuffer, resolveLabOutputs(sqsBuffer, deployedOutputsFor(sqsBuffer)));
  assert.is(mappings.length, 2);
  assert.equal(
    lambda.calls().map((c) => [c.args[0].constructor.name, c.args[0].input]),
    [
      ['GetEventSourceMappingCommand', { UUID: KAFKA_ESM_UUID }],
      ['GetEventSourceMappingCommand', { UUID: SQS_ESM_UUID }],
    ],
  );
});

test('checkDeployedMappings: a mismatch is a UsageError listing each field and the fix', async () => {
  lambda.reset();
  const deployed = deployedKafkaEsm(bestPractices);
  deployed.BatchSize = 100;
  deployed.MaximumBatchingWindowInSeconds = 1;
  lambda.on(GetEventSourceMappingCommand).resolves(deployed);
  try {
    await checkDeployedMappings(client, bestPractices, resolveLabOutputs(bestPractices, deployedOutputsFor(bestPractices)));
    assert.unreachable('expected a UsageError');
  } catch (error) {
    assert.instance(error, UsageError);
    const lines = (error as Error).message.split('\n');
    assert.equal(lines, [
      'The deployed pipeline of lab 04-best-practices is not the one its LabSpec describes:',
      '  - Kafka ESM BatchSize: spec 50, deployed 100',
      '  - Kafka ESM MaximumBatchingWindowInSeconds: spec 0, deployed 1',
      'Fix: redeploy with `npm run deploy -- 04-best-practices` (a --set override changes only this run: put the change in labs/04-best-practices/spec.ts and redeploy, or drop the --set).',
    ]);
  }
});

test('checkDeployedMappings: a mapping still being created says to wait', async () => {
  lambda.reset();
  lambda.on(GetEventSourceMappingCommand).resolves({ ...deployedKafkaEsm(baseline), State: 'Creating' });
  try {
    await checkDeployedMappings(client, baseline, resolveLabOutputs(baseline, deployedOutputsFor(baseline)));
    assert.unreachable('expected a UsageError');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.match((error as Error).message, /Kafka ESM State: spec Enabled, deployed Creating/);
    assert.match((error as Error).message, /wait until the mapping is Enabled/);
  }
});

test('checkDeployedMappings: missing credentials give one clear line', async () => {
  lambda.reset();
  lambda.on(GetEventSourceMappingCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
  try {
    await checkDeployedMappings(client, baseline, resolveLabOutputs(baseline, deployedOutputsFor(baseline)));
    assert.unreachable('expected a UsageError');
  } catch (error) {
    assert.instance(error, UsageError);
    const message = (error as Error).message;
    assert.not.ok(message.includes('\n'), 'one line');
    assert.match(message, /No AWS credentials found/);
    assert.match(message, /AWS_PROFILE/);
    assert.match(message, /AWS_ACCESS_KEY_ID/);
    assert.match(message, /AWS_REGION/);
  }
});

test('checkDeployedMappings: a deleted mapping says to redeploy; throttling is retried', async () => {
  lambda.reset();
  lambda.on(GetEventSourceMappingCommand).rejectsOnce(awsError('TooManyRequestsException')).rejectsOnce(awsError('ResourceNotFoundException'));
  try {
    await checkDeployedMappings(client, baseline, resolveLabOutputs(baseline, deployedOutputsFor(baseline)), { sleep: noSleep });
    assert.unreachable('expected a UsageError');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.match((error as Error).message, new RegExp(`Kafka event source mapping ${KAFKA_ESM_UUID} .* does not exist in AWS`));
    assert.match((error as Error).message, /npm run deploy -- 01-baseline/);
  }
  assert.is(lambda.commandCalls(GetEventSourceMappingCommand).length, 2);
});

test.run();
