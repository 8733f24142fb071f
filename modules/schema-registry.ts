// The schema registry lab's registry on AWS: an AWS Glue Schema Registry holding the booking
// schema (Avro, BACKWARD compatibility) under the topic's value subject, which the producer
// writes under (handlers/shared/glue-booking.ts) and the Kafka ESM validates against
// (SchemaRegistryConfig, modules/kafka-consumer.ts). Glue is reached through the VPC's interface
// endpoint (com.amazonaws.<region>.glue, glue/latest/dg/schema-registry-gs.html "Private
// connectivity using AWS PrivateLink"), since the VPC has no NAT (modules/network.ts).

import { DataAwsCallerIdentity } from '@cdktn/provider-aws/lib/data-aws-caller-identity/index.js';
import { DataAwsPartition } from '@cdktn/provider-aws/lib/data-aws-partition/index.js';
import { GlueRegistry } from '@cdktn/provider-aws/lib/glue-registry/index.js';
import { GlueSchema } from '@cdktn/provider-aws/lib/glue-schema/index.js';
import { Fn } from 'cdktn';
import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';
import { valueSubject } from '../handlers/shared/avro-booking.ts';
import { BOOKING_SCHEMA_DEFINITION } from '../handlers/shared/booking-schema.ts';
import type { Statement } from './iam.ts';
import { resourceName } from './names.ts';

/**
 * The participant's registry name. One per participant, not per lab: one lab stack is deployed at
 * a time, and the producer (in the base stack) is granted and told this name without reading a
 * lab stack's state.
 */
export function schemaRegistryName(scope: IConstruct): string {
  return resourceName(scope, 'booking-schemas');
}

/**
 * Glue's ARNs for a registry and the schemas in it (glue/latest/dg/glue-specifying-resource-arns.html:
 * registry/<registry>, schema/<registry>/<schema>), built from the registry's ARN.
 */
export function schemaArns(registryArn: string, registryName: string): { registry: string; schemas: string } {
  return { registry: registryArn, schemas: `${Fn.replace(registryArn, `:registry/${registryName}`, `:schema/${registryName}`)}/*` };
}

/**
 * What the Kafka ESM's function role needs for the mapping to validate against a Glue registry
 * ("ensure that your execution role has the required permissions", API_KafkaSchemaRegistryAccessConfig.html):
 * glue:GetRegistry on the registry, glue:GetSchemaVersion on the registry and its schemas, exactly
 * what aws-cdk's GlueSchemaRegistry grants a Kafka event source (aws-lambda-event-sources
 * getSchemaRegistryPolicies).
 */
export function esmSchemaRegistryStatements(arns: { registry: string; schemas: string }): Statement[] {
  return [
    { sid: 'SchemaRegistryRead', actions: ['glue:GetRegistry'], resources: [arns.registry] },
    { sid: 'SchemaVersionsRead', actions: ['glue:GetSchemaVersion'], resources: [arns.registry, arns.schemas] },
  ];
}

/** What a mapping or a function needs of a registry: its ARN and its and its schemas' ARNs for IAM. */
export interface SchemaRegistryRef {
  arn: string;
  arns: { registry: string; schemas: string };
}

/** The registry as the base stack's producer knows it: by name, before any lab stack creates it. */
export interface SchemaRegistryName {
  name: string;
  arns: { registry: string; schemas: string };
}

/**
 * The participant's registry named from the base stack, which does not hold it: its ARNs from the
 * account and partition Terraform runs in, so the producer's grant needs no lab stack's state.
 */
export class SchemaRegistryByName extends Construct implements SchemaRegistryName {
  readonly name: string;
  readonly arns: { registry: string; schemas: string };

  constructor(scope: Construct, id: string, region: string) {
    super(scope, id);
    this.name = schemaRegistryName(this);
    const partition = new DataAwsPartition(this, 'partition').partition;
    const account = new DataAwsCallerIdentity(this, 'account').accountId;
    const glue = `arn:${partition}:glue:${region}:${account}`;
    this.arns = { registry: `${glue}:registry/${this.name}`, schemas: `${glue}:schema/${this.name}/*` };
  }
}

/**
 * What the producer's role needs to look up the booking schema's version: the serializer's
 * register is glue:RegisterSchemaVersion (registry and schema resource types, both required in the
 * Service Authorization Reference), and glue:GetSchemaVersion for a version it has not cached
 * (@meinestadt.de/glue-schema-registry 4.0.0 calls nothing else when encoding uncompressed).
 */
export function producerSchemaRegistryStatements(arns: { registry: string; schemas: string }): Statement[] {
  return [{ sid: 'BookingSchemaVersion', actions: ['glue:RegisterSchemaVersion', 'glue:GetSchemaVersion'], resources: [arns.registry, arns.schemas] }];
}

export interface SchemaRegistryProps {
  /** The topic whose values the booking schema describes: its name is the topic's value subject. */
  topic: string;
}

export class SchemaRegistry extends Construct implements SchemaRegistryRef {
  readonly registry: GlueRegistry;
  readonly bookingSchema: GlueSchema;
  readonly name: string;
  readonly arn: string;
  /** The registry's and its schemas' ARNs, for IAM. */
  readonly arns: { registry: string; schemas: string };

  constructor(scope: Construct, id: string, props: SchemaRegistryProps) {
    super(scope, id);
    this.name = schemaRegistryName(this);
    this.registry = new GlueRegistry(this, 'registry', {
      registryName: this.name,
      description: 'The workshop booking schema, for the schema registry lab',
    });
    this.arn = this.registry.arn;
    this.arns = schemaArns(this.registry.arn, this.name);
    // BACKWARD: a consumer on a new version still reads records written under the previous one,
    // the compatibility Glue's serializers default to (glue/latest/dg/schema-registry.html).
    this.bookingSchema = new GlueSchema(this, 'booking', {
      schemaName: valueSubject(props.topic),
      registryArn: this.registry.arn,
      dataFormat: 'AVRO',
      compatibility: 'BACKWARD',
      schemaDefinition: BOOKING_SCHEMA_DEFINITION,
    });
  }
}
