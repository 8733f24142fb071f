import type { LabProblem } from '../lab-spec.ts';
import { BOOKING_MIX, BOOKINGS_TOPIC, RUN_WINDOW } from '../pipeline-defaults.ts';

// Lab 4's pipeline, but the bookings are Avro now, each framed with the id of its schema in a
// registry; 1% carry an id the registry has never handed out, and halfway through the run the
// schema gains a field.
export const problem: LabProblem = {
  id: '05-schema-registry',
  number: 5,
  title: 'Schema registry: the mapping validates and decodes Avro',
  teaches: 'Let the mapping decode against the schema registry: filter on decoded fields, and a record it cannot decode never costs an invocation.',
  topic: BOOKINGS_TOPIC,
  // As in lab 4: each confirmed booking waits 20 ms on the seat-inventory service.
  processor: { processingMsPerRecord: 20, workKind: 'io' },
  traffic: {
    shape: 'steady',
    ratePerSec: 200,
    ...RUN_WINDOW,
    eventBytes: 512,
    statusMix: BOOKING_MIX,
    poisonShare: 0.01,
    valueFormat: 'avro',
    // Halfway through, the producer moves to version 2 of the booking schema (a new optional field).
    evolveSchemaAt: 0.5,
    seed: 5,
  },
  targets: {
    local: { endToEndP50MaxMs: 100, endToEndP99MaxMs: 1000, minThroughputPerSec: 110, maxLost: 0 },
    aws: { endToEndP50MaxMs: 200, endToEndP99MaxMs: 1500, minThroughputPerSec: 110, maxLost: 0 },
  },
};
