// The booking's Avro schema, with no dependencies, so a processor that decodes SOURCE records
// carries the schema and not the producer's registry client. One home: the producer registers it,
// the processor decodes with it, the schema registry lab's stack creates it.
import { BOOKING_STATUSES } from './traffic.ts';

/** Version 1 of the booking's schema: the fields of a JSON booking, the status an enum. */
export const BOOKING_AVRO_SCHEMA = {
  type: 'record',
  name: 'Booking',
  namespace: 'workshop.flights',
  fields: [
    { name: 'runId', type: 'string' },
    { name: 'seq', type: 'int' },
    { name: 'intendedAt', type: 'long' },
    { name: 'bookingId', type: 'string' },
    { name: 'flight', type: 'string' },
    { name: 'status', type: { type: 'enum', name: 'BookingStatus', symbols: [...BOOKING_STATUSES] } },
    { name: 'padding', type: 'string' },
  ],
};

/**
 * The schema as registries store it. One string for every writer: Glue's RegisterSchemaVersion
 * answers with the existing version only for the definition the stack created it with.
 */
export const BOOKING_SCHEMA_DEFINITION = JSON.stringify(BOOKING_AVRO_SCHEMA);

/** The fare classes version 2's optional field takes, when a booking has one. */
export const FARE_CLASSES = ['ECONOMY', 'PREMIUM', 'BUSINESS'] as const;

/**
 * Version 2, lab 5's schema evolution: one new optional field with a default. BACKWARD
 * compatible: a consumer reading with version 2 reads version 1's records (fareClass null).
 */
export const BOOKING_AVRO_SCHEMA_V2 = {
  ...BOOKING_AVRO_SCHEMA,
  fields: [...BOOKING_AVRO_SCHEMA.fields, { name: 'fareClass', type: ['null', 'string'], default: null }],
};

/**
 * A change a registry checking BACKWARD compatibility refuses: a new required field, which no
 * record written before it has, so a consumer reading with it could not read them.
 */
export const BOOKING_AVRO_SCHEMA_REQUIRED_FIELD = {
  ...BOOKING_AVRO_SCHEMA_V2,
  fields: [...BOOKING_AVRO_SCHEMA_V2.fields, { name: 'seat', type: 'string' }],
};
