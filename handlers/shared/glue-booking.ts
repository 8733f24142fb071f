// The booking as Avro in an AWS Glue Schema Registry, for the schema registry lab on AWS: the
// producer's side. The lab's stack creates the registry and the booking schema under the topic's
// value subject (modules/schema-registry.ts); the producer looks up that schema's version with
// @meinestadt.de/glue-schema-registry and frames each record in Glue's wire format itself
// (glue-wire-format.ts), synchronously, so that a schedule's sends keep their order.
import { GetSchemaVersionCommand, GlueClient, RegisterSchemaVersionCommand } from '@aws-sdk/client-glue';
import { GlueSchemaRegistry, SchemaType } from '@meinestadt.de/glue-schema-registry';
import { type BookingSchemaVersion, encodeBooking, type SchemaEvolution, valueSubject } from './avro-booking.ts';
import type { Booking } from './booking.ts';
import { BOOKING_AVRO_SCHEMA_REQUIRED_FIELD, BOOKING_AVRO_SCHEMA_V2, BOOKING_SCHEMA_DEFINITION } from './booking-schema.ts';
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

/** A booking framed as Glue's serializer frames it, uncompressed. */
export function glueFrameBooking(booking: Booking, schemaVersionId: string, version: BookingSchemaVersion = 1): Buffer {
  return glueFrame(schemaVersionId, encodeBooking(booking, version));
}

/** How long a new version may stay PENDING while Glue checks its compatibility, and how often it is asked. */
export const GLUE_VERSION_CHECK = { timeoutMs: 30_000, everyMs: 500 } as const;

export interface GlueEvolutionOptions {
  client?: GlueClient;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Lab 5's schema evolution step in Glue: RegisterSchemaVersion with version 2 (a new optional
 * field), waited on until AVAILABLE, since Glue may check compatibility after it answers
 * ("this call has the potential to run longer than other operations due to compatibility
 * modes", glue/latest/webapi/API_RegisterSchemaVersion.html); then a version with a new required
 * field, which the schema's BACKWARD compatibility must refuse: an error, or a version whose
 * status ends FAILURE. Version 2 not becoming AVAILABLE is an error.
 */
export async function evolveGlueBookingSchema(registryName: string, topic: string, options: GlueEvolutionOptions = {}): Promise<SchemaEvolution<string>> {
  const client = options.client ?? new GlueClient({});
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const schemaId = { RegistryName: registryName, SchemaName: valueSubject(topic) };
  const settled = async (versionId: string, status: string | undefined): Promise<string> => {
    for (let waited = 0; status === 'PENDING' && waited < GLUE_VERSION_CHECK.timeoutMs; waited += GLUE_VERSION_CHECK.everyMs) {
      await sleep(GLUE_VERSION_CHECK.everyMs);
      status = (await client.send(new GetSchemaVersionCommand({ SchemaVersionId: versionId }))).Status;
    }
    return status ?? 'AVAILABLE';
  };
  try {
    const v2 = await client.send(new RegisterSchemaVersionCommand({ SchemaId: schemaId, SchemaDefinition: JSON.stringify(BOOKING_AVRO_SCHEMA_V2) }));
    const v2Status = await settled(v2.SchemaVersionId!, v2.Status);
    if (v2Status !== 'AVAILABLE')
      throw new Error(`Glue left version 2 of the booking schema ${v2Status}, not AVAILABLE: the mapping could not read the bookings written with it.`);
    let incompatibleChange: SchemaEvolution['incompatibleChange'];
    try {
      const v3 = await client.send(
        new RegisterSchemaVersionCommand({ SchemaId: schemaId, SchemaDefinition: JSON.stringify(BOOKING_AVRO_SCHEMA_REQUIRED_FIELD) }),
      );
      const v3Status = await settled(v3.SchemaVersionId!, v3.Status);
      incompatibleChange =
        v3Status === 'FAILURE'
          ? { refused: true, answer: `Glue registered it with status FAILURE (version ${v3.VersionNumber ?? '?'})` }
          : { refused: false, answer: `Glue registered it as version ${v3.VersionNumber ?? '?'}, status ${v3Status}` };
    } catch (error) {
      const name = (error as Error).name;
      if (name !== 'InvalidInputException') throw error;
      incompatibleChange = { refused: true, answer: `${name}: ${(error as Error).message}` };
    }
    return { version2SchemaId: v2.SchemaVersionId!, incompatibleChange };
  } finally {
    if (!options.client) client.destroy();
  }
}
