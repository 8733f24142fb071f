// A schema registry lab as lab 5 will be (issue 27): lab 4 with Avro traffic and a mapping that
// validates values against the registry, JSON to the function. Until lab 5 joins LABS, the tests
// of the AWS side use this; once it has, they use the LABS one and this only where LABS has none.
import { lab as lab4 } from '../../labs/04-best-practices/spec.ts';
import { LABS } from '../../labs/index.ts';
import { type LabSpec, usesSchemaRegistry } from '../../labs/lab-spec.ts';

export const SCHEMA_REGISTRY_LAB: LabSpec = {
  ...lab4,
  id: '05-schema-registry',
  number: 5,
  traffic: { ...lab4.traffic, valueFormat: 'avro' },
  kafkaEsm: { ...lab4.kafkaEsm, schemaRegistry: { eventRecordFormat: 'JSON', validate: ['VALUE'] } },
};

/** True when LABS has a lab that uses a schema registry, so its stacks are already among LABS's. */
export const LABS_HAVE_SCHEMA_REGISTRY = LABS.some(usesSchemaRegistry);

/** The fixture, for the tests that judge every stack, while LABS has no schema registry lab. */
export const EXTRA_REGISTRY_LABS: LabSpec[] = LABS_HAVE_SCHEMA_REGISTRY ? [] : [SCHEMA_REGISTRY_LAB];
