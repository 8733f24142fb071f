// How fast each consumer empties the same backlog: a topic filled with lab events before anyone
// reads it, then a plain kafkajs consumer (eachBatch, its own process) and the sandbox's ESM with
// the lab's function each read all of it, one after the other, so neither competes with the other
// or with a producer. The rate is from the first completion to the last, so joining a group and
// starting a sandbox are not counted.
import { Kafka, logLevel } from 'kafkajs';
import { toKafkaMessage } from '../handlers/producer.ts';
import { scheduledEvent } from '../handlers/shared/schedule.ts';
import type { TrafficProfile } from '../handlers/shared/traffic.ts';
import { round } from '../harness/stats.ts';
import type { LabSpec } from '../labs/lab-spec.ts';
import { retryTransientKafka } from '../sandbox/transient-kafka.ts';
import { collectProcessed, startTracked, waitUntil } from './pipeline.ts';
import { startPlainConsumer } from './plain-consumer.ts';
import { Probe, type ProbeResult } from './probe.ts';
import type { BenchContext } from './run-cases.ts';

/** Messages per produce request while filling: the fill is not measured, only made quick. */
const FILL_BATCH = 1_000;
const FILL_IN_FLIGHT = 4;

export interface DrainRun {
  events: number;
  /** Events read and processed per second, first completion to last. */
  perSec: number;
  seconds: number;
  /** Whether every event was read within the timeout. */
  complete: boolean;
  probe: ProbeResult;
}

export interface BacklogDrain {
  events: number;
  eventBytes: number;
  fillSeconds: number;
  plain: DrainRun;
  sandbox: DrainRun & { pollers: string };
  /** sandbox.perSec / plain.perSec */
  ratio: number;
}

/** Fills `lab.topic` with `events` events of the lab's traffic (runId `runId`), acks from all replicas. */
async function fillTopic(ctx: BenchContext, lab: LabSpec, runId: string, events: number): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-backlog-fill', brokers: ctx.kafka.brokerList, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await Promise.all([admin.connect(), producer.connect()]);
  try {
    await retryTransientKafka(`Creating topic ${lab.topic.name}`, () =>
      admin.createTopics({ topics: [{ topic: lab.topic.name, numPartitions: lab.topic.partitions }], waitForLeaders: true }),
    );
    const profile: TrafficProfile = {
      shape: 'steady',
      ratePerSec: events,
      durationSec: 1,
      eventBytes: lab.traffic.eventBytes,
      statusMix: lab.traffic.statusMix,
      poisonShare: 0,
      seed: lab.traffic.seed,
    };
    const startAtMs = Date.now();
    let next = 0;
    const sendChunks = async () => {
      while (next < events && !ctx.interrupted()) {
        const from = next;
        next = Math.min(events, next + FILL_BATCH);
        const messages: ReturnType<typeof toKafkaMessage>[] = [];
        for (let seq = from; seq < next; seq++) messages.push(toKafkaMessage(runId, scheduledEvent(profile, startAtMs, seq), lab.traffic.eventBytes));
        await retryTransientKafka(`Filling ${lab.topic.name}`, () => producer.send({ topic: lab.topic.name, messages, acks: -1 }));
      }
    };
    await Promise.all(Array.from({ length: FILL_IN_FLIGHT }, sendChunks));
  } finally {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  }
}

function rateOf(completions: readonly number[], events: number): { perSec: number; seconds: number } {
  if (completions.length < 2) return { perSec: 0, seconds: 0 };
  let first = Infinity;
  let last = -Infinity;
  for (const t of completions) {
    if (t < first) first = t;
    if (t > last) last = t;
  }
  const seconds = Math.max(0.001, (last - first) / 1000);
  return { perSec: round(Math.min(events, completions.length) / seconds), seconds: round(seconds, 2) };
}

/**
 * `lab` on its own topic: filled with `events` events, read by a plain kafkajs consumer, then by
 * the lab's ESM from TRIM_HORIZON with its pollers held at one per partition.
 */
export async function measureBacklogDrain(ctx: BenchContext, lab: LabSpec, runId: string, events: number, timeoutSec: number): Promise<BacklogDrain> {
  const t0 = Date.now();
  ctx.log(`  backlog: filling ${lab.topic.name} with ${events} events...`);
  await fillTopic(ctx, lab, runId, events);
  const fillSeconds = round((Date.now() - t0) / 1000, 1);

  ctx.log(`  backlog: a plain kafkajs consumer (eachBatch) reads all ${events}...`);
  const plain = startPlainConsumer({
    brokers: ctx.kafka.brokerList,
    topic: lab.topic.name,
    groupId: `${runId}-plain`,
    runId,
    processingMsPerRecord: lab.processor.processingMsPerRecord,
    partitionsConsumedConcurrently: lab.topic.partitions,
    mode: 'each-batch',
  });
  const stopPlain = ctx.resources.track('plain kafkajs consumer (backlog)', () => plain.kill());
  let plainRun: DrainRun;
  try {
    const probe = new Probe({ broker: ctx.kafka.pid, plainConsumer: plain.pid });
    await Promise.race([plain.ready(30_000), ctx.interruption]);
    const complete = await waitUntil(() => plain.count() >= events || ctx.interrupted(), timeoutSec * 1000, 50);
    const probeResult = probe.stop();
    const result = await plain.stop();
    plainRun = {
      events,
      ...rateOf(
        result.done.map(([, , at]) => at),
        events,
      ),
      complete: complete && result.done.length >= events,
      probe: probeResult,
    };
  } finally {
    await stopPlain();
  }

  const pollers = lab.topic.partitions;
  ctx.log(`  backlog: the sandbox's ESM (${pollers} pollers) and the lab's function read all ${events}...`);
  const drainLab = structuredClone(lab);
  drainLab.kafkaEsm.startingPosition = 'TRIM_HORIZON';
  drainLab.kafkaEsm.provisionedPollers = { ...drainLab.kafkaEsm.provisionedPollers, minimum: pollers, maximum: pollers };
  const { sandbox, stop: stopSandbox } = await startTracked(drainLab, ctx);
  try {
    const probe = new Probe({ broker: ctx.kafka.pid });
    const collector = collectProcessed(sandbox, () => undefined);
    const run = collector.run(runId);
    const complete = await waitUntil(() => run.records.size >= events || ctx.interrupted(), timeoutSec * 1000, 50);
    const probeResult = probe.stop();
    collector.stop();
    const sandboxRun = {
      events,
      ...rateOf(
        [...run.records.values()].map((r) => r.completedAt),
        events,
      ),
      complete,
      probe: probeResult,
      pollers: `provisioned ${pollers}-${pollers}`,
    };
    return {
      events,
      eventBytes: lab.traffic.eventBytes,
      fillSeconds,
      plain: plainRun,
      sandbox: sandboxRun,
      ratio: plainRun.perSec > 0 ? round(sandboxRun.perSec / plainRun.perSec) : NaN,
    };
  } finally {
    await stopSandbox();
  }
}
