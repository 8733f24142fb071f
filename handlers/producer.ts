// The load generator: publishes a run's booking schedule (or one shard of it) to Kafka, open loop.
// Payload: {runId, topic?, startAtMs, profile, shard?: {index, count}}. The topic defaults to
// env TOPIC_NAME, else "bookings". Each record: key = bookingId, value = the booking (or a poison
// event) padded to profile.eventBytes, headers runId and seq. Events due together leave in one
// produce request (PRODUCER_BATCHING: a 2 ms linger, 500 at most), each at its intended time.
// Connection: KAFKA_BROKERS, KAFKA_AUTH (see shared/kafka-client.ts). Metrics: EventsPublished and
// SendDelay per event; the run's send delays are summarized in the return value.

import type { Context } from 'aws-lambda';
import { type ICustomPartitioner, Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import {
  type BookingSchemaVersion,
  evolveConfluentBookingSchema,
  frameBooking,
  registerBookingSchema,
  type SchemaEvolution,
  UNKNOWN_SCHEMA_ID,
  withSchemaId,
} from './shared/avro-booking.ts';
import { type Booking, makeBooking, makePoisonEvent } from './shared/booking.ts';
import { bookingSchemaVersionId, evolveGlueBookingSchema, GLUE_REGISTRY_VARIABLE, glueFrameBooking, glueRegistryFromEnv } from './shared/glue-booking.ts';
import { UNKNOWN_SCHEMA_VERSION_ID } from './shared/glue-wire-format.ts';
import { kafkaConfigFromEnv } from './shared/kafka-client.ts';
import { type DelaySummary, publishSchedule, type SendFn, summarizeDelays, systemClock } from './shared/publish.ts';
import { bookingSchedule, expectedEventCount, type ScheduledEvent, type Shard, validateShard, validateTrafficProfile } from './shared/schedule.ts';
import { receiptsOf, SendBatcher } from './shared/send-batcher.ts';
import { METRIC_NAMES, MetricUnit, telemetry } from './shared/telemetry.ts';
import type { TrafficProfile } from './shared/traffic.ts';

export interface ProducerPayload {
  runId: string;
  topic?: string;
  /** Epoch milliseconds at which the schedule starts (the same for every shard of a run). */
  startAtMs: number;
  profile: TrafficProfile;
  shard?: Shard;
}

export interface ProducerResult {
  runId: string;
  topic: string;
  shard: Shard;
  published: number;
  poison: number;
  failedToPublish: number;
  firstSeq?: number;
  lastSeq?: number;
  sendDelayMs: DelaySummary;
  /** traffic.evolveSchemaAt: version 2's id, how many bookings were written with it, and the registry's answer to an incompatible version. */
  schemaEvolution?: SchemaEvolution & { writtenWithVersion2: number };
}

/** Leave this much of the function timeout for connecting, flushing and metrics. */
const TIMEOUT_MARGIN_MS = 10_000;
/**
 * Batching like a load generator's producer (linger.ms, batch size): a few milliseconds of wait
 * at most, so the labs' latencies barely move, and one request per batch instead of per event.
 */
export const PRODUCER_BATCHING = { lingerMs: 2, maxMessages: 500 } as const;

/** Where kafkajs's default (murmur2) partitioner put each message, to name its offset afterwards. */
const chosenPartition = new WeakMap<object, number>();
const recordingPartitioner: ICustomPartitioner = () => {
  const pick = Partitioners.DefaultPartitioner();
  return (args) => {
    const partition = pick(args);
    chosenPartition.set(args.message, partition);
    return partition;
  };
};

/** The Kafka record for one scheduled event. */
export function toKafkaMessage(runId: string, event: ScheduledEvent, eventBytes: number) {
  const value = event.poison
    ? makePoisonEvent({ runId, seq: event.seq, intendedAt: event.intendedAt, flight: event.flight, eventBytes })
    : makeBooking({ runId, ...event, eventBytes });
  return { key: event.bookingId, value, headers: { runId, seq: String(event.seq) } };
}

/**
 * Where the booking schema is registered, and so how a record is framed: Confluent's wire format
 * under a schema id (the sandbox's registry), or Glue's under a schema version id (on AWS).
 */
export type AvroFraming = { registry: 'confluent'; schemaId: number } | { registry: 'glue'; schemaVersionId: string };

/**
 * The same event as Avro under the registered booking schema (version 1, or 2 after the schema
 * evolves). A poison event is a booking framed with a schema id (or version id) the registry does
 * not have: the mapping cannot validate it (SCHEMA_NOT_FOUND).
 */
export function toAvroKafkaMessage(runId: string, event: ScheduledEvent, eventBytes: number, framing: AvroFraming, version: BookingSchemaVersion = 1) {
  const booking = JSON.parse(makeBooking({ runId, ...event, eventBytes })) as Booking;
  let value: Buffer;
  if (framing.registry === 'glue') value = glueFrameBooking(booking, event.poison ? UNKNOWN_SCHEMA_VERSION_ID : framing.schemaVersionId, version);
  else {
    const framed = frameBooking(booking, framing.schemaId, version);
    value = event.poison ? withSchemaId(framed, UNKNOWN_SCHEMA_ID) : framed;
  }
  return { key: event.bookingId, value, headers: { runId, seq: String(event.seq) } };
}

let registeredFraming: Promise<AvroFraming> | undefined;

/**
 * The booking schema's framing, looked up once per execution environment: in the Glue registry
 * the stack names (GLUE_SCHEMA_REGISTRY_NAME), else in the Confluent registry at SCHEMA_REGISTRY_URL.
 */
function bookingFraming(topic: string): Promise<AvroFraming> {
  const glueRegistry = glueRegistryFromEnv();
  const url = process.env.SCHEMA_REGISTRY_URL?.trim();
  if (!glueRegistry && !url)
    throw new Error(
      `traffic.valueFormat is avro but neither ${GLUE_REGISTRY_VARIABLE} nor SCHEMA_REGISTRY_URL is set: the producer needs the schema registry to register the booking schema.`,
    );
  const lookup = (): Promise<AvroFraming> =>
    glueRegistry
      ? bookingSchemaVersionId(glueRegistry, topic).then((schemaVersionId) => ({ registry: 'glue', schemaVersionId }))
      : registerBookingSchema(url!, topic).then((schemaId) => ({ registry: 'confluent', schemaId }));
  registeredFraming ??= lookup().catch((error: unknown) => {
    registeredFraming = undefined;
    throw error;
  });
  return registeredFraming;
}

/**
 * Lab 5's schema evolution step in the registry the booking schema lives in: version 2 registered
 * (its framing for the bookings after it), and the registry's answer to an incompatible version.
 */
async function evolveBookingSchema(framing: AvroFraming, topic: string): Promise<{ framing: AvroFraming; evolution: SchemaEvolution }> {
  if (framing.registry === 'glue') {
    const evolution = await evolveGlueBookingSchema(glueRegistryFromEnv()!, topic);
    return { framing: { registry: 'glue', schemaVersionId: evolution.version2SchemaId }, evolution };
  }
  const evolution = await evolveConfluentBookingSchema(process.env.SCHEMA_REGISTRY_URL!.trim(), topic);
  return { framing: { registry: 'confluent', schemaId: evolution.version2SchemaId }, evolution };
}

let producer: Producer | undefined;

async function connectedProducer(): Promise<Producer> {
  // One connection per execution environment, reused by later invocations.
  if (!producer) {
    const candidate = new Kafka(kafkaConfigFromEnv(process.env, 'workshop-producer')).producer({
      createPartitioner: recordingPartitioner,
      allowAutoTopicCreation: false,
    });
    await candidate.connect();
    producer = candidate;
  }
  return producer;
}

export const handler = async (payload: ProducerPayload, context?: Context): Promise<ProducerResult> => {
  const shard = payload.shard ?? { index: 0, count: 1 };
  validatePayload(payload, shard);
  const topic = payload.topic?.trim() || process.env.TOPIC_NAME?.trim() || 'bookings';
  const endsAt = payload.startAtMs + payload.profile.durationSec * 1000;
  if (context && endsAt - Date.now() > context.getRemainingTimeInMillis() - TIMEOUT_MARGIN_MS) {
    throw new Error(
      `The schedule ends ${Math.round((endsAt - Date.now()) / 1000)} s from now but the function has ` +
        `${Math.round(context.getRemainingTimeInMillis() / 1000)} s left: raise the producer timeout, ` +
        `shorten durationSec, or start the run sooner.`,
    );
  }

  const { logger, metrics } = telemetry('producer');
  if (context) logger.addContext(context);
  const kafka = await connectedProducer();
  const batcher = new SendBatcher<Message>(async (messages) => {
    const response = await kafka.send({ topic, messages });
    return receiptsOf(
      messages.map((m) => chosenPartition.get(m)!),
      response,
    );
  }, PRODUCER_BATCHING);
  const framing = payload.profile.valueFormat === 'avro' ? await bookingFraming(topic) : undefined;
  // The schema evolves at its moment in the schedule: the first booking due after it registers
  // version 2 (the later ones wait on the same registration, so their order holds).
  const { evolveSchemaAt, durationSec, eventBytes } = payload.profile;
  const evolvesAtMs = evolveSchemaAt === undefined ? Number.POSITIVE_INFINITY : payload.startAtMs + evolveSchemaAt * durationSec * 1000;
  let evolution: Promise<{ framing: AvroFraming; evolution: SchemaEvolution }> | undefined;
  let writtenWithVersion2 = 0;
  const send: SendFn = (event) => {
    if (framing === undefined) return batcher.send(toKafkaMessage(payload.runId, event, eventBytes));
    if (event.intendedAt < evolvesAtMs) return batcher.send(toAvroKafkaMessage(payload.runId, event, eventBytes, framing));
    evolution ??= evolveBookingSchema(framing, topic);
    return evolution.then((evolved) => {
      if (!event.poison) writtenWithVersion2++;
      return batcher.send(toAvroKafkaMessage(payload.runId, event, eventBytes, evolved.framing, 2));
    });
  };

  const outcome = await publishSchedule(send, bookingSchedule(payload.profile, payload.startAtMs, shard), systemClock, {
    onPublished: (_event, sendDelayMs) => {
      metrics.addMetric(METRIC_NAMES.eventsPublished, MetricUnit.Count, 1);
      metrics.addMetric(METRIC_NAMES.sendDelay, MetricUnit.Milliseconds, sendDelayMs);
    },
  });
  metrics.publishStoredMetrics();

  const result: ProducerResult = {
    runId: payload.runId,
    topic,
    shard,
    published: outcome.published,
    poison: outcome.poison,
    failedToPublish: outcome.failed.length,
    firstSeq: outcome.firstSeq,
    lastSeq: outcome.lastSeq,
    sendDelayMs: summarizeDelays(outcome.sendDelaysMs),
  };
  // A registration that failed failed its bookings' sends too: they count in failedToPublish.
  const evolved = await evolution?.catch(() => undefined);
  if (evolved) result.schemaEvolution = { ...evolved.evolution, writtenWithVersion2 };
  if (outcome.failed.length > 0) {
    logger.error('events not published', { runId: payload.runId, failed: outcome.failed.slice(0, 100), total: outcome.failed.length });
  }
  logger.info('run published', { ...result, expected: expectedEventCount(payload.profile) });
  return result;
};

function validatePayload(payload: ProducerPayload, shard: Shard): void {
  if (typeof payload?.runId !== 'string' || payload.runId.trim() === '') {
    throw new Error('The producer payload needs runId: a non-empty string naming this run.');
  }
  if (typeof payload.startAtMs !== 'number' || !Number.isFinite(payload.startAtMs)) {
    throw new Error('The producer payload needs startAtMs: the schedule start in epoch milliseconds.');
  }
  validateTrafficProfile(payload.profile);
  validateShard(shard);
}
