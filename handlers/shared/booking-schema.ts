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
