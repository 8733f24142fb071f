// EventRecordFormat SOURCE: the mapping validated each value against the schema registry and hands
// over the Avro body without its header. Powertools for AWS Lambda's Kafka utility decodes it with
// the booking schema. It takes one schema, the writer's, and reads no registry header: it fits
// SOURCE records, and a value written under a later schema version needs a function that knows it.
import { kafkaConsumer } from '@aws-lambda-powertools/kafka';
import type { MSKEvent } from '@aws-lambda-powertools/kafka/types';
import type { Context } from 'aws-lambda';
import type { Booking } from './booking.ts';
import type { InboundRecord } from './booking-batch.ts';
import { BOOKING_AVRO_SCHEMA } from './booking-schema.ts';
import type { DecodedKafkaRecord } from './kafka-event.ts';

export type KafkaRecordRef = Pick<DecodedKafkaRecord, 'topic' | 'partition' | 'offset'>;

const decodeBookings = kafkaConsumer<unknown, Booking>(
  async (event) =>
    event.records.map((record): InboundRecord<KafkaRecordRef> => {
      const ref = { topic: record.topic, partition: record.partition, offset: record.offset };
      try {
        // The utility decodes lazily: reading the value is what deserializes it.
        return { ref, value: JSON.stringify(record.value) };
      } catch (error) {
        return { ref, value: null, undecodable: `value does not deserialize with the booking schema: ${(error as Error).message}` };
      }
    }),
  { value: { type: 'avro', schema: JSON.stringify(BOOKING_AVRO_SCHEMA) } },
);

/** Each record of a SOURCE-format event as a booking's JSON text, or why its body does not decode. */
export async function avroSourceRecords(event: unknown, context?: Context): Promise<Array<InboundRecord<KafkaRecordRef>>> {
  return (await decodeBookings(event as MSKEvent, context as Context)) as Array<InboundRecord<KafkaRecordRef>>;
}
