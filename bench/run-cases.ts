// How each kind of case is measured. Every server or process a case starts is registered with
// ctx.resources, so it is stopped by the case's own finally block and also by bench/run.ts on
// failure or Ctrl-C.
import { randomBytes } from 'node:crypto';
import type { ProducerResult as LambdaProducerResult, ProducerPayload } from '../handlers/producer.ts';
import { expectedEventCount, intendedOffsetSec } from '../handlers/shared/schedule.ts';
import type { TrafficProfile } from '../handlers/shared/traffic.ts';
import type { LatencySummary } from '../harness/run-result.ts';
import { average, round, summarize, sustainedThroughput } from '../harness/stats.ts';
import { batchingWindowMs } from '../labs/capacity-model.ts';
import { LABS } from '../labs/index.ts';
import type { LabSpec } from '../labs/lab-spec.ts';
import { type LocalProducerResult, type Sandbox, sendDelaysOf } from '../sandbox/index.ts';
import type { KafkaSandbox } from '../sandbox/kafka-broker.ts';
import { measureBacklogDrain } from './backlog-drain.ts';
import type { LatencyCase, ProducerCase, StartupCase, ThroughputCase } from './cases.ts';
import { benchLab, collectProcessed, median, type RunCollector, startTracked, waitUntil, withTimeout } from './pipeline.ts';
import { startPlainConsumer } from './plain-consumer.ts';
import { Probe, type ProbeResult } from './probe.ts';
import type { Resources } from './resources.ts';
import type {
  BrokerStart,
  ConsumerMeasurement,
  InvocationStats,
  LatencyResult,
  PipelineSetup,
  ProducerResult,
  ProducerRun,
  StartupResult,
  ThroughputResult,
  ThroughputStep,
} from './results.ts';

/** Between preparing a run and its first intended send. */
const LEAD_MS = 1_500;
const SAMPLE_MS = 250;

export interface BenchContext {
  kafka: KafkaSandbox;
  timeScale: number;
  /** Epoch ms by which the whole bench must be done. */
  deadline: number;
  resources: Resources;
  log: (message: string) => void;
  interrupted: () => boolean;
  /** Rejects on Ctrl-C: raced against every long wait, so an interrupted case ends at once. */
  interruption: Promise<never>;
}

const tag = () => `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

function steadyProfile(lab: LabSpec, ratePerSec: number, durationSec: number): TrafficProfile {
  const t = lab.traffic;
  return { shape: 'steady', ratePerSec, durationSec, eventBytes: t.eventBytes, statusMix: t.statusMix, poisonShare: 0, seed: t.seed };
}

function pollersText(lab: LabSpec): string {
  const p = lab.kafkaEsm.provisionedPollers;
  return p ? `provisioned ${p.minimum}-${p.maximum}` : 'on-demand';
}

/** How lab `number` ran as `lab` (its bench copy): the part of a result's setup every case states. */
function pipelineSetup(number: number, lab: LabSpec): PipelineSetup {
  return {
    lab: LABS[number - 1].id,
    topic: lab.topic.name,
    partitions: lab.topic.partitions,
    batchSize: lab.kafkaEsm.batchSize,
    batchingWindowMs: batchingWindowMs(lab),
    pollers: pollersText(lab),
    processingMsPerRecord: lab.processor.processingMsPerRecord,
  };
}

interface Produced {
  published: number;
  failedToPublish: number;
  sendDelayMs: LatencySummary;
  /** Published events per second from the first intended send until the producer returned. */
  publishedPerSec: number;
}

/**
 * Runs the producer Lambda for one run, bounded in time: sandbox.produce() for one shard, else
 * `shards` concurrent invocations of the same function, each with its shard of the schedule.
 */
async function produce(ctx: BenchContext, sandbox: Sandbox, runId: string, startAtMs: number, profile: TrafficProfile, shards = 1): Promise<Produced> {
  const budgetMs = startAtMs - Date.now() + profile.durationSec * 1000 + 60_000;
  const invokeShard = async (index: number): Promise<LocalProducerResult> => {
    const result = await sandbox.functions.producer.invoke({ runId, startAtMs, profile, shard: { index, count: shards } } satisfies ProducerPayload);
    if (result.outcome !== 'ok') throw new Error(`producer shard ${index} of ${shards} failed: ${result.error?.errorMessage ?? result.outcome}`);
    return { ...(result.response as LambdaProducerResult), sendDelaysMs: sendDelaysOf(result) };
  };
  const work =
    shards <= 1 ? sandbox.produce({ runId, startAtMs, profile }).then((r) => [r]) : Promise.all(Array.from({ length: shards }, (_, i) => invokeShard(i)));
  const results = await withTimeout(Promise.race([work, ctx.interruption]), budgetMs, `the producer Lambda (run ${runId})`);
  const published = results.reduce((sum, r) => sum + r.published, 0);
  return {
    published,
    failedToPublish: results.reduce((sum, r) => sum + r.failedToPublish, 0),
    sendDelayMs: summarize(results.flatMap((r) => r.sendDelaysMs)),
    publishedPerSec: round(published / Math.max(0.001, (Date.now() - startAtMs) / 1000)),
  };
}

/**
 * Starts `count` producer execution environments (concurrent one-event invocations), so a sharded
 * run does not begin with cold starts. Warm environments are reused by later invocations.
 */
async function warmProducers(ctx: BenchContext, sandbox: Sandbox, lab: LabSpec, count: number): Promise<void> {
  if (count <= 1) return;
  const profile = steadyProfile(lab, 1, 1);
  await produce(ctx, sandbox, `bench-warmup-${tag()}`, Date.now() + 300, profile, count);
}

/** A Probe that starts measuring at `atMs` (the first intended send), not during the lead time. */
function probeFrom(atMs: number, others: Record<string, number | undefined>): () => ProbeResult {
  let probe: Probe | undefined;
  const timer = setTimeout(() => (probe = new Probe(others)), Math.max(0, atMs - Date.now()));
  return () => {
    clearTimeout(timer);
    return (probe ?? new Probe(others)).stop();
  };
}

/** The processor's invocations from now on, until stop(). */
function watchInvocations(sandbox: Sandbox): () => InvocationStats {
  const handler: number[] = [];
  const invoke: number[] = [];
  const name = sandbox.functions.kafkaTarget.name;
  const unsubscribe = sandbox.runtime.onInvocation((record) => {
    if (record.functionName !== name || record.outcome === 'throttled') return;
    handler.push(record.durationMs);
    invoke.push(record.end - record.start);
  });
  return () => {
    unsubscribe();
    return { count: invoke.length, handlerMs: summarize(handler), invokeMs: summarize(invoke) };
  };
}

// -------------------------------------------------------------------------------------------------

export async function runStartup(c: StartupCase, ctx: BenchContext, broker: BrokerStart): Promise<StartupResult> {
  const lab = LABS[c.lab - 1];
  const starts: StartupResult['sandboxStarts'] = [];
  for (let i = 0; i < c.sandboxStarts && !ctx.interrupted(); i++) {
    if (Date.now() > ctx.deadline - 60_000) throw new Error(`the time budget ran out after ${i} sandbox starts`);
    const t0 = Date.now();
    const { sandbox, stop } = await startTracked(lab, ctx);
    const wallMs = Date.now() - t0;
    const t1 = Date.now();
    await stop();
    starts.push({ wallMs, startMs: sandbox.startMs, stopMs: Date.now() - t1 });
    ctx.log(`  startSandbox(${lab.id}) #${i + 1}: ${wallMs} ms (stop ${starts.at(-1)!.stopMs} ms)`);
  }
  return {
    kind: 'startup',
    case: c,
    broker,
    sandboxStarts: starts,
    sandboxStartMedianMs: median(starts.map((s) => s.wallMs)),
    sandboxStopMedianMs: median(starts.map((s) => s.stopMs)),
  };
}

// -------------------------------------------------------------------------------------------------

export async function runLatency(c: LatencyCase, ctx: BenchContext): Promise<LatencyResult> {
  const id = tag();
  const lab = benchLab(c.lab, `bench-latency-${id}`);
  const profile = steadyProfile(lab, c.ratePerSec, c.durationSec);
  const offered = expectedEventCount(profile);
  const runId = `bench-latency-${id}`;
  let startAtMs = 0;
  const intendedAt = (seq: number) => startAtMs + Math.round(intendedOffsetSec(profile, seq) * 1000);

  const { sandbox, stop } = await startTracked(lab, ctx);
  try {
    const collector = collectProcessed(sandbox, (r, seq) => (r === runId ? intendedAt(seq) : undefined));
    const run = collector.run(runId);
    const partitions = lab.topic.partitions;
    const plain = startPlainConsumer({
      brokers: ctx.kafka.brokerList,
      topic: lab.topic.name,
      groupId: `bench-plain-${id}`,
      runId,
      processingMsPerRecord: lab.processor.processingMsPerRecord,
      partitionsConsumedConcurrently: partitions,
      mode: 'each-message',
    });
    const stopPlain = ctx.resources.track('plain kafkajs consumer', () => plain.kill());
    try {
      await Promise.race([plain.ready(30_000), ctx.interruption]);
      startAtMs = Date.now() + LEAD_MS;
      const stopProbe = probeFrom(startAtMs, { broker: ctx.kafka.pid, plainConsumer: plain.pid });
      ctx.log(`  producing ${offered} events at ${c.ratePerSec}/s for ${c.durationSec} s to both consumers...`);
      const { published, sendDelayMs } = await produce(ctx, sandbox, runId, startAtMs, profile);
      const allIn = () => run.records.size >= published && plain.count() >= published;
      await waitUntil(() => allIn() || ctx.interrupted(), c.drainTimeoutSec * 1000);
      const drained = allIn();
      const probeResult = stopProbe();
      if (!drained) ctx.log(`  drain timeout: sandbox ${run.records.size}, plain ${plain.count()} of ${published}`);
      const plainResult = await plain.stop();
      await stopPlain();

      const warmUpEnd = startAtMs + c.warmUpSec * 1000;
      const measured = (seq: number) => intendedAt(seq) >= warmUpEnd;
      const sandboxMs = [...run.records.entries()].filter(([seq]) => measured(seq)).map(([, r]) => r.endToEndMs);
      const plainSeqs = new Set(plainResult.done.map(([seq]) => seq));
      const plainMs = plainResult.done.filter(([seq]) => measured(seq)).map(([, e2e]) => e2e);
      const sandboxM: ConsumerMeasurement & { avgBatchSize: number } = {
        processed: run.records.size,
        lost: Math.max(0, published - run.records.size),
        duplicates: run.duplicates,
        endToEndMs: summarize(sandboxMs),
        avgBatchSize: average(run.batchSizes),
      };
      const plainM: ConsumerMeasurement = {
        processed: plainSeqs.size,
        lost: Math.max(0, published - plainSeqs.size),
        duplicates: plainResult.duplicates,
        endToEndMs: summarize(plainMs),
      };
      collector.stop();
      const s = sandboxM.endToEndMs;
      const p = plainM.endToEndMs;
      return {
        kind: 'latency',
        case: c,
        setup: {
          ...pipelineSetup(c.lab, lab),
          plainConsumer: `kafkajs eachMessage in its own process, group bench-plain-${id}, partitionsConsumedConcurrently ${partitions}, same per-record work (await a ${lab.processor.processingMsPerRecord} ms timer)`,
        },
        offered,
        published,
        sendDelayMs,
        sandbox: sandboxM,
        plain: plainM,
        overhead: {
          p50DiffMs: round(s.p50 - p.p50),
          p99DiffMs: round(s.p99 - p.p99),
          p50Ratio: p.p50 > 0 ? round(s.p50 / p.p50) : NaN,
          p99Ratio: p.p99 > 0 ? round(s.p99 / p.p99) : NaN,
        },
        probe: probeResult,
      };
    } finally {
      await stopPlain();
    }
  } finally {
    await stop();
  }
}

// -------------------------------------------------------------------------------------------------

export async function runProducer(c: ProducerCase, ctx: BenchContext): Promise<ProducerResult> {
  const id = tag();
  const lab = benchLab(c.lab, `bench-producer-${id}`, (l) => {
    l.processor.processingMsPerRecord = 0;
  });
  const profile = steadyProfile(lab, c.ratePerSec, c.durationSec);
  const offered = expectedEventCount(profile);
  const runs: ProducerRun[] = [];
  const { sandbox, stop } = await startTracked(lab, ctx);
  try {
    const collector = collectProcessed(sandbox, () => undefined);
    await warmProducers(ctx, sandbox, lab, Math.max(...c.shardCounts));
    for (const shards of c.shardCounts) {
      if (ctx.interrupted()) break;
      if (Date.now() + (c.durationSec + c.drainTimeoutSec) * 1000 + 20_000 > ctx.deadline) throw new Error('the time budget ran out');
      const runId = `bench-producer-${shards}-${id}`;
      const startAtMs = Date.now() + LEAD_MS;
      const stopProbe = probeFrom(startAtMs, { broker: ctx.kafka.pid });
      ctx.log(`  ${offered} events at ${c.ratePerSec}/s from ${shards} producer environment${shards > 1 ? 's' : ''}...`);
      const produced = await produce(ctx, sandbox, runId, startAtMs, profile, shards);
      const probe = stopProbe();
      runs.push({ shards, offered, published: produced.published, publishedPerSec: produced.publishedPerSec, sendDelayMs: produced.sendDelayMs, probe });
      ctx.log(
        `  ${shards} environment${shards > 1 ? 's' : ''}: published ${Math.round(produced.publishedPerSec)}/s, send delay p99 ${Math.round(produced.sendDelayMs.p99)} ms`,
      );
      // Let the ESM catch up, so the next run starts on an idle pipeline.
      const run = collector.run(runId);
      await waitUntil(() => run.records.size >= produced.published || ctx.interrupted(), c.drainTimeoutSec * 1000);
    }
    collector.stop();
    return { kind: 'producer', case: c, runs };
  } finally {
    await stop();
  }
}

// -------------------------------------------------------------------------------------------------

export async function runThroughput(c: ThroughputCase, ctx: BenchContext): Promise<ThroughputResult> {
  const id = tag();
  const asTheCaseSays = (l: LabSpec) => {
    l.processor.processingMsPerRecord = c.processingMsPerRecord;
    l.traffic.eventBytes = c.eventBytes;
  };
  const lab = benchLab(c.lab, `bench-throughput-${id}`, asTheCaseSays);
  const backlog = await measureBacklog(c, ctx, id, asTheCaseSays);

  const { sandbox, stop } = await startTracked(lab, ctx);
  try {
    const schedules = new Map<string, Schedule>();
    const collector = collectProcessed(sandbox, (runId, seq) => intendedAt(schedules, runId, seq));
    await warmProducers(ctx, sandbox, lab, Math.max(...c.ratesPerSec.map((rate) => shardsFor(c, rate))));
    const { steps, stoppedBecause } = await stepUp({ c, ctx, id, lab, sandbox, collector, schedules });
    collector.stop();
    const good = steps.filter((s) => s.keptUp && s.lost === 0);
    return {
      kind: 'throughput',
      case: c,
      setup: { ...pipelineSetup(c.lab, lab), eventBytes: lab.traffic.eventBytes },
      steps,
      backlog,
      highestSustainedPerSec: good.length > 0 ? Math.max(...good.map((s) => s.ratePerSec)) : null,
      stoppedBecause,
    };
  } finally {
    await stop();
  }
}

/** One run's schedule: when each of its events was meant to be sent. */
interface Schedule {
  profile: TrafficProfile;
  startAtMs: number;
}

function intendedAt(schedules: ReadonlyMap<string, Schedule>, runId: string, seq: number): number | undefined {
  const run = schedules.get(runId);
  return run ? run.startAtMs + Math.round(intendedOffsetSec(run.profile, seq) * 1000) : undefined;
}

/** What every step of a throughput case shares: one sandbox, and the schedules of its steps so far. */
interface Stepping {
  c: ThroughputCase;
  ctx: BenchContext;
  /** Part of every run id, so the case's runs never mix with another's. */
  id: string;
  lab: LabSpec;
  sandbox: Sandbox;
  collector: ReturnType<typeof collectProcessed>;
  schedules: Map<string, Schedule>;
}

const shardsFor = (c: ThroughputCase, rate: number) => Math.max(1, Math.ceil(rate / c.producerRatePerShard));

/**
 * The same backlog drained by a plain kafkajs consumer and by the lab's ESM. A failure is kept as
 * the result's reason, not thrown: the steps are still worth measuring.
 */
async function measureBacklog(c: ThroughputCase, ctx: BenchContext, id: string, asTheCaseSays: (lab: LabSpec) => void): Promise<ThroughputResult['backlog']> {
  try {
    const backlogLab = benchLab(c.lab, `bench-backlog-${id}`, asTheCaseSays);
    const backlog = await measureBacklogDrain(ctx, backlogLab, `bench-backlog-${id}`, c.backlogEvents, c.backlogTimeoutSec);
    ctx.log(
      `  backlog of ${backlog.events}: plain kafkajs ${Math.round(backlog.plain.perSec)}/s, sandbox ${Math.round(backlog.sandbox.perSec)}/s (${backlog.ratio}×)`,
    );
    return backlog;
  } catch (error) {
    if (ctx.interrupted()) throw error;
    const failed = { error: error instanceof Error ? error.message : String(error) };
    ctx.log(`  backlog: FAILED: ${failed.error}`);
    return failed;
  }
}

/**
 * Measures the case's rates in turn, until one does not keep up, fails, would not fit the time
 * budget or the bench is interrupted; `stoppedBecause` says which.
 */
async function stepUp(stepping: Stepping): Promise<{ steps: ThroughputStep[]; stoppedBecause: string }> {
  const { c, ctx } = stepping;
  const steps: ThroughputStep[] = [];
  for (const rate of c.ratesPerSec) {
    if (ctx.interrupted()) return { steps, stoppedBecause: 'interrupted' };
    const worstCaseMs = (c.stepSec + c.drainTimeoutSec) * 1000 + LEAD_MS + 20_000;
    if (Date.now() + worstCaseMs > ctx.deadline) {
      return { steps, stoppedBecause: `the ${Math.round((ctx.deadline - Date.now()) / 1000)} s left of the time budget could not fit the ${rate}/s step` };
    }
    let step: ThroughputStep;
    try {
      step = await measureStep(stepping, rate);
    } catch (error) {
      // Keep the steps measured so far; this one is reported as the reason stepping stopped.
      const stoppedBecause = `the ${rate}/s step failed: ${error instanceof Error ? error.message : String(error)}`;
      ctx.log(`  ${stoppedBecause}`);
      return { steps, stoppedBecause };
    }
    steps.push(step);
    ctx.log(
      `  ${rate}/s: sustained ${Math.round(step.throughputPerSec)}/s, p99 ${Math.round(step.endToEndMs.p99)} ms, lost ${step.lost}, ${step.keptUp ? 'kept up' : `did NOT keep up (${step.why})`}`,
    );
    if (!step.keptUp) return { steps, stoppedBecause: `stepping stopped after ${rate}/s did not keep up` };
  }
  return { steps, stoppedBecause: 'every step kept up, so the ceiling is above the last step' };
}

/** One step: `rate` events/s for the case's stepSec, then the drain, judged by the case's keep-up rule. */
async function measureStep(stepping: Stepping, rate: number): Promise<ThroughputStep> {
  const { c, ctx, sandbox } = stepping;
  const runId = `bench-tp-${rate}-${stepping.id}`;
  const profile = steadyProfile(stepping.lab, rate, c.stepSec);
  const offered = expectedEventCount(profile);
  const startAtMs = Date.now() + LEAD_MS;
  stepping.schedules.set(runId, { profile, startAtMs });
  const run = stepping.collector.run(runId);
  const stopSampling = samplePeaks(sandbox);
  const shards = shardsFor(c, rate);
  const stopProbe = probeFrom(startAtMs, { broker: ctx.kafka.pid });
  const stopWatching = watchInvocations(sandbox);
  try {
    ctx.log(`  step ${rate}/s: ${offered} events over ${c.stepSec} s (${shards} producer environment${shards > 1 ? 's' : ''})...`);
    const { published, sendDelayMs, publishedPerSec } = await produce(ctx, sandbox, runId, startAtMs, profile, shards);
    // CPU while the load ran; the drain is not part of it.
    const probeResult = stopProbe();
    const loadEnd = startAtMs + c.stepSec * 1000;
    const drained = await waitForDrain(stepping, run, published, loadEnd);
    const drainSec = round(Math.max(0, Date.now() - loadEnd) / 1000, 1);
    const invocations = stopWatching();

    const warmUpEnd = startAtMs + c.warmUpSec * 1000;
    const measured = [...run.records.entries()].filter(([seq]) => (intendedAt(stepping.schedules, runId, seq) ?? 0) >= warmUpEnd).map(([, r]) => r);
    const endToEndMs = summarize(measured.map((r) => r.endToEndMs));
    const throughputPerSec = sustainedThroughput(
      measured.map((r) => r.completedAt),
      { from: warmUpEnd, to: loadEnd },
      endToEndMs.p50,
    );
    const lost = Math.max(0, published - run.records.size);
    const why = whyNotKeptUp(c, rate, { offered, published, publishedPerSec, throughputPerSec, drained, lost });
    return {
      ratePerSec: rate,
      offered,
      published,
      processed: run.records.size,
      lost,
      duplicates: run.duplicates,
      throughputPerSec,
      endToEndMs,
      sendDelayMs,
      producerShards: shards,
      publishedPerSec,
      avgBatchSize: average(run.batchSizes),
      invocations,
      ...stopSampling(),
      drained,
      drainSec,
      keptUp: why.length === 0,
      why: why.join('; '),
      probe: probeResult,
    };
  } finally {
    stopSampling();
    stopWatching();
  }
}

/** The highest offset lag, pollers and concurrency the ESM showed, sampled every SAMPLE_MS until the returned stop(). */
function samplePeaks(sandbox: Sandbox): () => Pick<ThroughputStep, 'peakOffsetLag' | 'peakPollers' | 'peakConcurrency'> {
  let peakOffsetLag = 0;
  let peakPollers = 0;
  let peakConcurrency = 0;
  const sampler = setInterval(() => {
    const snap = sandbox.snapshot();
    peakOffsetLag = Math.max(peakOffsetLag, snap.kafkaEsm.offsetLag);
    peakPollers = Math.max(peakPollers, snap.kafkaEsm.pollers);
    peakConcurrency = Math.max(peakConcurrency, snap.kafkaEsm.concurrency);
  }, SAMPLE_MS);
  return () => {
    clearInterval(sampler);
    return { peakOffsetLag, peakPollers, peakConcurrency };
  };
}

/**
 * Waits until every published event of the step is processed and the ESM is idle (no lag, nothing
 * in flight or waiting), at most until drainTimeoutSec after the load's end; true when it got there.
 */
async function waitForDrain(stepping: Stepping, run: RunCollector, published: number, loadEnd: number): Promise<boolean> {
  const { c, ctx, sandbox } = stepping;
  const caughtUp = () => {
    const esm = sandbox.snapshot().kafkaEsm;
    return run.records.size >= published && esm.offsetLag === 0 && esm.concurrency === 0 && esm.waiting === 0;
  };
  const drainBudgetMs = Math.max(0, loadEnd + c.drainTimeoutSec * 1000 - Date.now());
  await waitUntil(() => caughtUp() || ctx.interrupted(), drainBudgetMs, 50);
  return caughtUp();
}

/** The case's keep-up rule: each way the step fell short, none when it kept up. */
function whyNotKeptUp(
  c: ThroughputCase,
  rate: number,
  step: Pick<ThroughputStep, 'offered' | 'published' | 'publishedPerSec' | 'throughputPerSec' | 'drained' | 'lost'>,
): string[] {
  const why: string[] = [];
  if (step.throughputPerSec < c.keepUpShare * rate)
    why.push(`sustained ${Math.round(step.throughputPerSec)}/s < ${Math.round(c.keepUpShare * 100)}% of ${rate}/s`);
  if (step.publishedPerSec < c.keepUpShare * rate) why.push(`the producers published only ${Math.round(step.publishedPerSec)}/s`);
  if (!step.drained) why.push(`lag not drained within ${c.drainTimeoutSec} s`);
  if (step.lost > 0) why.push(`${step.lost} lost`);
  if (step.published < step.offered) why.push(`${step.offered - step.published} not published`);
  return why;
}
