// The traffic a producer offers: shared by the producer Lambda, the LabSpec and the harness.
// It lives with the handlers because the producer is the lowest layer that needs it.

export const BOOKING_STATUSES = ['CONFIRMED', 'PENDING', 'CANCELLED'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

export const TRAFFIC_SHAPES = ['steady', 'ramp', 'spike'] as const;
export type TrafficShape = (typeof TRAFFIC_SHAPES)[number];

/** How the producer writes a booking: JSON text, or Avro framed for a schema registry. */
export const VALUE_FORMATS = ['json', 'avro'] as const;
export type ValueFormat = (typeof VALUE_FORMATS)[number];

export interface TrafficProfile {
  shape: TrafficShape;
  /** Steady rate; where a ramp starts; a spike's base rate. Events per second. */
  ratePerSec: number;
  /** Where a ramp ends; a spike's peak. Required for ramp and spike. */
  peakRatePerSec?: number;
  durationSec: number;
  /** Spike only: when the peak starts and how long it lasts, within durationSec. */
  spikeStartSec?: number;
  spikeDurationSec?: number;
  /** Serialized size of each event; padding fills the gap. */
  eventBytes: number;
  /** Relative weights of booking statuses (they need not sum to 1). */
  statusMix: Record<BookingStatus, number>;
  /** Share of events, 0..1, that are not valid bookings and must end in the failure path. */
  poisonShare: number;
  /** Same seed, same schedule and same event mix. */
  seed: number;
  /**
   * Unset: JSON. `avro`: each booking is Avro under the booking schema, which the producer
   * registers in the schema registry, and a poison event is framed with a schema id the registry
   * does not have.
   */
  valueFormat?: ValueFormat;
  /**
   * Avro only: the share of the run, between 0 and 1, after which the producer writes with
   * version 2 of the booking schema (one new optional field), registered then; and tries a
   * version 3 that the registry must refuse (a new required field). Unset: version 1 throughout.
   */
  evolveSchemaAt?: number;
}
