// The booking as Avro, for the schema registry lab: the producer's side. Records are framed as
// Confluent's serializer frames them: magic byte 0, the 4-byte big-endian schema id, the Avro body.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import type { Booking } from './booking.ts';
import { BOOKING_AVRO_SCHEMA } from './booking-schema.ts';
import { frame, reframe } from './confluent-wire-format.ts';

/** The subject a topic's value schemas live under in a Confluent registry (its TopicNameStrategy). */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

/** A schema id no registry hands out (ids count up from 1): a record framed with it has no schema. */
export const UNKNOWN_SCHEMA_ID = 0x7fffffff;

const bookingType = avro.Type.forSchema(BOOKING_AVRO_SCHEMA as avro.Schema);
/**
 * A booking framed as Confluent's serializer frames it. Written here rather than with the
 * client's async encode so that a schedule's sends keep their order (test/sandbox/schema-registry.test.ts
 * shows the client decoding records framed this way).
 */
export function frameBooking(booking: Booking, schemaId: number): Buffer {
  return frame(schemaId, bookingType.toBuffer(booking));
}

/** Registers the booking schema under the topic's value subject (or finds it there): its id. */
export async function registerBookingSchema(registryUrl: string, topic: string): Promise<number> {
  const registry = new SchemaRegistry({ host: registryUrl });
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(BOOKING_AVRO_SCHEMA) }, { subject: valueSubject(topic) });
  return id;
}

/** The same record framed with another schema id, as a producer writing to another registry would. */
export function withSchemaId(framed: Buffer, schemaId: number): Buffer {
  return reframe(framed, schemaId);
}
