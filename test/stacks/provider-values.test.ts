// Every enum-like value the stacks send to the Terraform AWS provider is one the pinned provider
// accepts (modules/provider-values.ts), the table is for the provider actually installed, and
// each value in it is one the Lambda API itself defines (@aws-sdk/client-lambda's enums, generated
// from AWS's API model). Checked against the 6.25.0 table, the stacks show the plan-time failures
// that moved the workshop off CDKTF.

import { Architecture, EventSourceMappingMetric, EventSourcePosition, FunctionResponseType, Runtime } from '@aws-sdk/client-lambda';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MIN_TERRAFORM_VERSION } from '../../labs/stack-contract.ts';
import { requireFromModules } from '../../modules/cdk-terrain.ts';
import { destinationKind, PINNED_AWS_PROVIDER, PROVIDER_VALUES, type ProviderValues } from '../../modules/provider-values.ts';
import { realStacks } from '../policy/real-stacks.ts';
import { resources, type TfJson } from './synth-once.ts';

const REAL = realStacks();

/** Each value a stack sends that `table` does not accept, as "resource.argument = value". */
function refused(tf: TfJson, table: ProviderValues): string[] {
  const out: string[] = [];
  const check = (accepted: { argument: string; values: readonly string[] }, value: unknown) => {
    if (typeof value === 'string' && !accepted.values.includes(value)) out.push(`${accepted.argument} = ${value}`);
  };
  for (const esm of resources(tf, 'aws_lambda_event_source_mapping')) {
    for (const metric of esm.metrics_config?.metrics ?? []) check(table.esmMetrics, metric);
    for (const type of esm.function_response_types ?? []) check(table.functionResponseTypes, type);
    if (esm.starting_position !== undefined) check(table.startingPositions, esm.starting_position);
    const destination = esm.destination_config?.on_failure?.destination_arn;
    if (destination !== undefined) check(table.onFailureDestinationKinds, destinationKind(destination) ?? destination);
  }
  for (const fn of resources(tf, 'aws_lambda_function')) {
    check(table.runtimes, fn.runtime);
    for (const arch of fn.architectures ?? []) check(table.architectures, arch);
  }
  return out;
}

test('the table is for the provider the binding is generated from, and every stack requires it', () => {
  const binding = requireFromModules('@cdktn/provider-aws/package.json') as { cdktf: { provider: { name: string; version: string } } };
  assert.equal(binding.cdktf.provider, { name: 'registry.terraform.io/hashicorp/aws', version: PINNED_AWS_PROVIDER });
  assert.ok(PROVIDER_VALUES[PINNED_AWS_PROVIDER], `modules/provider-values.ts has a table for ${PINNED_AWS_PROVIDER}`);
  for (const stack of REAL) {
    assert.equal((stack.tf.terraform as any).required_providers.aws.version, PINNED_AWS_PROVIDER, stack.name);
    assert.is((stack.tf.terraform as any).required_version, `>= ${MIN_TERRAFORM_VERSION}`, `${stack.name} requires the Terraform the deploy checks for`);
  }
});

test('every value the stacks send is accepted by the pinned provider', () => {
  let sent = 0;
  for (const stack of REAL) {
    assert.equal(refused(stack.tf, PROVIDER_VALUES[PINNED_AWS_PROVIDER]), [], stack.name);
    sent += resources(stack.tf, 'aws_lambda_event_source_mapping').length + resources(stack.tf, 'aws_lambda_function').length;
  }
  assert.ok(sent >= 16, `looked at ${sent} mappings and functions`);
  const kinds = REAL.flatMap((s) => resources(s.tf, 'aws_lambda_event_source_mapping'))
    .map((e) => e.destination_config?.on_failure?.destination_arn)
    .filter(Boolean);
  assert.equal([...new Set(kinds.map((d) => destinationKind(d)))].sort(), ['arn', 'kafka'], 'both destination kinds are exercised');
});

test('every table value is one the Lambda API defines (its enums in @aws-sdk/client-lambda)', () => {
  for (const [version, table] of Object.entries(PROVIDER_VALUES)) {
    const api: [keyof ProviderValues, object][] = [
      ['esmMetrics', EventSourceMappingMetric],
      ['functionResponseTypes', FunctionResponseType],
      ['startingPositions', EventSourcePosition],
      ['runtimes', Runtime],
      ['architectures', Architecture],
    ];
    for (const [key, enumeration] of api) {
      for (const value of table[key].values) assert.ok(Object.values(enumeration).includes(value), `${version} ${key}: ${value} is not in the API`);
    }
    for (const [key, entry] of Object.entries(table)) assert.ok(entry.source.length > 20, `${version} ${key} names its source`);
  }
});

test('the old pin (hashicorp/aws 6.25.0) refuses what the labs send: the metrics and a kafka:// destination', () => {
  const old = PROVIDER_VALUES['6.25.0'];
  const lab1 = REAL.find((s) => s.name === 'lab-01-baseline')!;
  assert.equal(refused(lab1.tf, old), [
    'aws_lambda_event_source_mapping.metrics_config.metrics = ErrorCount',
    'aws_lambda_event_source_mapping.metrics_config.metrics = KafkaMetrics',
  ]);
  const kafkaDestination = REAL.find((s) => s.name.includes('kafka:// destination'))!;
  assert.ok(refused(kafkaDestination.tf, old).includes('aws_lambda_event_source_mapping.destination_config.on_failure.destination_arn = kafka'));
});

test('broken: a metric group the provider does not know is refused', () => {
  const tf = structuredClone(REAL.find((s) => s.name === 'lab-02-low-latency')!.tf);
  const esm = Object.values(tf.resource!.aws_lambda_event_source_mapping)[0];
  esm.metrics_config.metrics.push('OffsetLag');
  esm.function_response_types = ['ReportBatchItemFailure'];
  assert.equal(refused(tf, PROVIDER_VALUES[PINNED_AWS_PROVIDER]), [
    'aws_lambda_event_source_mapping.metrics_config.metrics = OffsetLag',
    'aws_lambda_event_source_mapping.function_response_types = ReportBatchItemFailure',
  ]);
});

test.run();
