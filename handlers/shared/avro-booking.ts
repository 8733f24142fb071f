// The booking as Avro, for the schema registry lab: the producer's side. Records are framed as
// Confluent's serializer frames them: magic byte 0, the 4-byte big-endian schema id, the Avro body.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import type { Booking } from './booking.ts';
import { BOOKING_AVRO_SCHEMA, BOOKING_AVRO_SCHEMA_REQUIRED_FIELD, BOOKING_AVRO_SCHEMA_V2, FARE_CLASSES } from './booking-schema.ts';
import { frame, reframe } from './confluent-wire-format.ts';

/** The subject a topic's value schemas live under in a Confluent registry (its TopicNameStrategy). */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

/** A schema id no registry hands out (ids count up from 1): a record framed with it has no schema. */
export const UNKNOWN_SCHEMA_ID = 0x7fffffff;

/** The booking schema's versions the producer writes with. */
export type BookingSchemaVersion = 1 | 2;

const bookingTypes: Record<BookingSchemaVersion, avro.Type> = {
  1: avro.Type.forSchema(BOOKING_AVRO_SCHEMA as avro.Schema),
  2: avro.Type.forSchema(BOOKING_AVRO_SCHEMA_V2 as avro.Schema),
};

/** Version 2's new field for a booking: spread over the fare classes by its position in the run. */
export function fareClassOf(booking: Booking): string {
  return FARE_CLASSES[booking.seq % FARE_CLASSES.length];
}

/** The booking's Avro body under a version of its schema (version 2 carries its fare class). */
export function encodeBooking(booking: Booking, version: BookingSchemaVersion = 1): Buffer {
  return version === 2 ? bookingTypes[2].toBuffer({ ...booking, fareClass: fareClassOf(booking) }) : bookingTypes[1].toBuffer(booking);
}

/**
 * A booking framed as Confluent's serializer frames it. Written here rather than with the
 * client's async encode so that a schedule's sends keep their order (test/sandbox/schema-registry.test.ts
 * shows the client decoding records framed this way).
 */
export function frameBooking(booking: Booking, schemaId: number, version: BookingSchemaVersion = 1): Buffer {
  return frame(schemaId, encodeBooking(booking, version));
}

/** Registers the booking schema under the topic's value subject (or finds it there): its id. */
export async function registerBookingSchema(registryUrl: string, topic: string): Promise<number> {
  const registry = new SchemaRegistry({ host: registryUrl });
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(BOOKING_AVRO_SCHEMA) }, { subject: valueSubject(topic) });
  return id;
}

/** What the schema evolution step met: version 2's id, and the registry's answer to an incompatible version. */
export interface SchemaEvolution<Id extends number | string = number | string> {
  /** Version 2's id: a Confluent registry's schema id, or a Glue schema version's UUID. */
  version2SchemaId: Id;
  incompatibleChange: { refused: boolean; answer: string };
}

/**
 * Lab 5's schema evolution step: registers version 2 (a new optional field), which the registry
 * accepts, then tries a version with a new required field, which it must refuse (HTTP 409 from a
 * Confluent-API registry checking BACKWARD compatibility). A refusal is the expected outcome,
 * not an error; a registry that cannot be reached is one.
 */
export async function evolveConfluentBookingSchema(registryUrl: string, topic: string): Promise<SchemaEvolution<number>> {
  const registry = new SchemaRegistry({ host: registryUrl });
  const subject = { subject: valueSubject(topic) };
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(BOOKING_AVRO_SCHEMA_V2) }, subject);
  try {
    const accepted = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(BOOKING_AVRO_SCHEMA_REQUIRED_FIELD) }, subject);
    return { version2SchemaId: id, incompatibleChange: { refused: false, answer: `accepted as schema id ${accepted.id}` } };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== 409) throw error;
    return { version2SchemaId: id, incompatibleChange: { refused: true, answer: `HTTP 409: ${(error as Error).message.replace(/\s*Causes:.*$/s, '')}` } };
  }
}

/** The same record framed with another schema id, as a producer writing to another registry would. */
export function withSchemaId(framed: Buffer, schemaId: number): Buffer {
  return reframe(framed, schemaId);
}
