// The schema registry lab on AWS, as synthesized: its lab stack holds a Glue registry and the
// booking schema (the one definition the producer registers), the mapping validates against the
// registry and its role may read it and nothing else of Glue, Glue is reached through an interface
// endpoint, and the registry's ARN is an output; the base stack's producer is told the registry
// and may look up the schema's versions. A lab without a registry has none of it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BOOKING_SCHEMA_DEFINITION } from '../../handlers/shared/booking-schema.ts';
import { GLUE_REGISTRY_VARIABLE } from '../../handlers/shared/glue-booking.ts';
import { LABS } from '../../labs/index.ts';
import { DEFAULT_PREFIX } from '../../labs/participant.ts';
import { LAB_OUTPUTS, labStackName } from '../../labs/stack-contract.ts';
import { SCHEMA_REGISTRY_LAB } from '../support/schema-registry-lab.ts';
import { dataSources, kafkaEsms, policyOf, resources, synthWorkshop } from './synth-once.ts';

const REGISTRY = `${DEFAULT_PREFIX}-booking-schemas`;
const withRegistry = synthWorkshop([...LABS.filter((l) => l.id !== SCHEMA_REGISTRY_LAB.id), SCHEMA_REGISTRY_LAB]);
const lab = withRegistry.labs.get(SCHEMA_REGISTRY_LAB.id)!.tf;

test("the lab stack creates the participant's Glue registry and the booking schema (Avro, BACKWARD) under the topic's value subject", () => {
  const [registry] = resources(lab, 'aws_glue_registry');
  assert.is(registry.registry_name, REGISTRY);
  const [schema] = resources(lab, 'aws_glue_schema');
  assert.equal(
    { name: schema.schema_name, format: schema.data_format, compatibility: schema.compatibility, definition: schema.schema_definition },
    { name: `${SCHEMA_REGISTRY_LAB.topic.name}-value`, format: 'AVRO', compatibility: 'BACKWARD', definition: BOOKING_SCHEMA_DEFINITION },
  );
  assert.match(schema.registry_arn, /^\$\{aws_glue_registry\.[\w-]+\.arn\}$/);
});

test("the mapping's SchemaRegistryConfig names the registry, the spec's record format and VALUE validation, with no access configs (Glue uses the role)", () => {
  const [esm] = kafkaEsms(lab);
  const [registry] = Object.keys(lab.resource?.aws_glue_registry ?? {});
  assert.equal(esm.amazon_managed_kafka_event_source_config, {
    schema_registry_config: {
      schema_registry_uri: `\${aws_glue_registry.${registry}.arn}`,
      event_record_format: 'JSON',
      schema_validation_config: [{ attribute: 'VALUE' }],
    },
  });
  assert.ok(esm.provisioned_poller_config, 'a schema registry needs provisioned mode');
});

test("the consumer's role may read the registry and its schemas' versions, and nothing else of Glue", () => {
  const glue = policyOf(lab, 'booking-processor/function').filter((s) => s.actions.some((a) => a.startsWith('glue:')));
  assert.equal(
    glue.map((s) => ({ sid: s.sid, actions: s.actions })),
    [
      { sid: 'SchemaRegistryRead', actions: ['glue:GetRegistry'] },
      { sid: 'SchemaVersionsRead', actions: ['glue:GetSchemaVersion'] },
    ],
  );
  assert.match(glue[1].resources[1], `:schema/${REGISTRY}")}/*`);
});

test('Glue is reached through an interface endpoint, and the registry ARN is a lab output', () => {
  const services = resources(lab, 'aws_vpc_endpoint').map((e) => String(e.service_name).split('.').at(-1));
  assert.equal(services.sort(), ['glue', 'sqs']);
  assert.match(String(lab.output?.[LAB_OUTPUTS.schemaRegistryArn]?.value), /aws_glue_registry/);
});

test("the base stack's producer is told the registry and may register and read the booking schema's versions in it only", () => {
  const base = withRegistry.base.tf;
  const [producer] = resources(base, 'aws_lambda_function').filter((f) => f.function_name === `${DEFAULT_PREFIX}-producer`);
  assert.is(producer.environment.variables[GLUE_REGISTRY_VARIABLE], REGISTRY);
  const glue = policyOf(base, 'load-generator/producer').filter((s) => s.actions.some((a) => a.startsWith('glue:')));
  assert.equal(
    glue.map((s) => s.actions),
    [['glue:RegisterSchemaVersion', 'glue:GetSchemaVersion']],
  );
  assert.match(glue[0].resources[0], `:registry/${REGISTRY}`);
  assert.match(glue[0].resources[1], `:schema/${REGISTRY}/*`);
  assert.is(dataSources(base, 'aws_caller_identity').length, 1);
});

test('without a lab that uses a registry, no stack has Glue: no registry, no endpoint, no grant, no variable', () => {
  const plain = synthWorkshop(LABS.filter((l) => l.kafkaEsm.schemaRegistry === undefined && l.traffic.valueFormat !== 'avro'));
  for (const stack of plain.all) {
    assert.equal(resources(stack.tf, 'aws_glue_registry'), [], stack.name);
    assert.not.match(stack.json, 'glue', stack.name);
    assert.not.match(stack.json, GLUE_REGISTRY_VARIABLE, stack.name);
  }
  assert.ok(plain.labs.size > 0);
  assert.is(labStackName(SCHEMA_REGISTRY_LAB), 'lab-05-schema-registry');
});

test.run();
