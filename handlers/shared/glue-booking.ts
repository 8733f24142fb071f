// The booking as Avro in an AWS Glue Schema Registry, for the schema registry lab on AWS: the
// producer's side. The lab's stack creates the registry and the booking schema under the topic's
// value subject (modules/schema-registry.ts); the producer looks up that schema's version with
// @meinestadt.de/glue-schema-registry and frames each record in Glue's wire format itself
// (glue-wire-format.ts), synchronously, so that a schedule's sends keep their order.
import { GlueSchemaRegistry, SchemaType } from '@meinestadt.de/glue-schema-registry';
import avro from 'avsc';
import { valueSubject } from './avro-booking.ts';
import type { Booking } from './booking.ts';
import { BOOKING_AVRO_SCHEMA, BOOKING_SCHEMA_DEFINITION } from './booking-schema.ts';
import { glueFrame } from './glue-wire-format.ts';

/**
 * The environment variable naming the Glue registry the producer writes under. Set by the stack
 * (modules/load-generator.ts) when a lab uses a schema registry; unset, the producer frames for a
 * Confluent registry (SCHEMA_REGISTRY_URL, the sandbox's).
 */
export const GLUE_REGISTRY_VARIABLE = 'GLUE_SCHEMA_REGISTRY_NAME';

/** The Glue registry named by the environment, or undefined. */
export function glueRegistryFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[GLUE_REGISTRY_VARIABLE]?.trim() || undefined;
}

/**
 * The version id of the booking schema under the topic's value subject in `registryName`. The
 * serializer's register is Glue's RegisterSchemaVersion, which answers with the existing version
 * for a definition the schema already has (glue/latest/webapi/API_RegisterSchemaVersion.html):
 * the one the stack created it with. `endpoint` is for tests against a local Glue (moto).
 */
export function bookingSchemaVersionId(registryName: string, topic: string, endpoint?: string): Promise<string> {
  const registry = new GlueSchemaRegistry(registryName, endpoint ? { endpoint } : {});
  return registry.register({ type: SchemaType.AVRO, schemaName: valueSubject(topic), schema: BOOKING_SCHEMA_DEFINITION });
}

const bookingType = avro.Type.forSchema(BOOKING_AVRO_SCHEMA as avro.Schema);

/** A booking framed as Glue's serializer frames it, uncompressed. */
export function glueFrameBooking(booking: Booking, schemaVersionId: string): Buffer {
  return glueFrame(schemaVersionId, bookingType.toBuffer(booking));
}
