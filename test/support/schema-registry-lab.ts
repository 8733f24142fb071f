// Lab 5, the schema registry lab: the one lab whose stack holds a Glue registry and whose mapping
// validates against it, for the tests of the AWS side that need it by name.
import { LABS } from '../../labs/index.ts';
import { type LabSpec, usesSchemaRegistry } from '../../labs/lab-spec.ts';

export const SCHEMA_REGISTRY_LAB: LabSpec = LABS.find(usesSchemaRegistry)!;
