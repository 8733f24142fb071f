// One lab, one place: schedule the open-loop load, sample while it runs, drain until every
// event is accounted for, then compute the statistics and check the targets.
import { randomBytes } from 'node:crypto';
import { bookingSchedule } from '../handlers/shared/schedule.ts';
import { KAFKA_WINDOW_IS_ONE_WAY } from '../labs/aws-limits.ts';
import { capacityModel } from '../labs/capacity-model.ts';
import { type LabSpec, type TrafficSpec, validateLabSpec } from '../labs/lab-spec.ts';
import { account } from './accounting.ts';
import { checkTargets } from './check-targets.ts';
import type { LiveRun } from './dashboard/live-feed.ts';
import { UsageError } from './errors.ts';
import { applyOverrides, checkFilterSyntax, type Override, overrideCaveats, unsetsKafkaWindow } from './overrides.ts';
import type { EventCounts, LabRunResult, TimelinePoint } from './run-result.ts';
import { average, batchSizeDistribution, latencyHistogram, round, summarize, sustainedThroughput } from './stats.ts';
import { type LabTarget, type LiveSample } from './targets/target.ts';

/** Time between preparing the pipeline and the first intended send. */
const LEAD_MS = 1_000;
const SAMPLE_MS = 1_000;
const DRAIN_POLL_MS = 250;
/**
 * `--quick` (CI, rehearsals) keeps a lab's warm-up and measures this long after it. The warm-up
 * covers the pipeline's scale-up (pollers, SQS concurrency), whose compressed minutes a shorter
 * run cannot compress further; scaling it down with the run put the scale-up into the figures.
 */
export const QUICK_MEASURED_SEC = 10;

export interface RunOptions {
  quick?: boolean;
  durationSec?: number;
  ratePerSec?: number;
  overrides?: Override[];
  onProgress?: (progress: Progress) => void;
  /** Told when the load starts, at every sample and at the end (the live dashboard's feed). */
  observer?: (run: LiveRun) => RunObserver;
}

export interface RunObserver {
  sampled(sample: LiveSample, elapsedSec: number, phase: 'load' | 'drain'): void;
  finished(result: LabRunResult): void;
  failed(error: unknown): void;
}

export interface Progress {
  lab: string;
  phase: 'preparing' | 'load' | 'drain' | 'done';
  elapsedSec: number;
  /** Load plus the drain budget. */
  totalSec: number;
  published: number;
  processed: number;
  offsetLag: number;
  p50SoFar?: number;
}

/**
 * Rescales the traffic to a new duration, keeping a spike at the same place in the run. The
 * warm-up stays as long as the lab's (it is about the pipeline, not the run), but at most half the run.
 */
export function withDuration(traffic: TrafficSpec, durationSec: number): TrafficSpec {
  const factor = durationSec / traffic.durationSec;
  const scaled: TrafficSpec = { ...traffic, durationSec, warmUpSec: Math.min(traffic.warmUpSec, durationSec / 2) };
  if (traffic.shape === 'spike') {
    scaled.spikeStartSec = round((traffic.spikeStartSec ?? 0) * factor, 3);
    scaled.spikeDurationSec = round((traffic.spikeDurationSec ?? 1) * factor, 3);
  }
  return scaled;
}

/** `--rate` sets the base rate; a ramp's or spike's peak keeps its ratio to it. */
export function withRate(traffic: TrafficSpec, ratePerSec: number): TrafficSpec {
  const scaled: TrafficSpec = { ...traffic, ratePerSec };
  if (traffic.peakRatePerSec !== undefined) scaled.peakRatePerSec = round((traffic.peakRatePerSec * ratePerSec) / traffic.ratePerSec, 3);
  return scaled;
}

/** The spec as it will run: overrides, then --duration / --quick, then --rate; validated. */
export function effectiveSpec(lab: LabSpec, options: RunOptions): LabSpec {
  let spec = applyOverrides(lab, options.overrides ?? []);
  let traffic = spec.traffic;
  const duration = options.durationSec ?? (options.quick ? Math.min(traffic.warmUpSec + QUICK_MEASURED_SEC, traffic.durationSec) : undefined);
  if (duration !== undefined) traffic = withDuration(traffic, duration);
  if (options.ratePerSec !== undefined) traffic = withRate(traffic, options.ratePerSec);
  spec = { ...spec, traffic };
  return checkFilterSyntax(validateLabSpec(spec));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one lab on a target (the local sandbox or the deployed AWS stacks) as `npx workshop run`
 * does: publishes the lab's traffic on its open-loop schedule, waits for the pipeline to drain,
 * accounts for every event (processed, filtered, dead-lettered, lost) and checks the lab's targets
 * for that place. Percentiles are computed in harness/stats.ts; the target checks in
 * harness/check-targets.ts.
 *
 * @example
 * import { LABS } from '../labs/index.ts';
 * import { LocalTarget } from './targets/local.ts';
 * const target = new LocalTarget();
 * try {
 *   const result = await runLab(LABS[1], target, { quick: true });
 *   console.log(result.endToEndMs.p50, result.passed, result.lost);
 * } finally {
 *   await target.close();
 * }
 */
export async function runLab(lab: LabSpec, target: LabTarget, options: RunOptions = {}): Promise<LabRunResult> {
  const spec = effectiveSpec(lab, options);
  if (target.place === 'aws' && unsetsKafkaWindow(lab, options.overrides ?? [])) {
    throw new UsageError(
      `--set kafkaEsm.batchingWindowSeconds=unset cannot run on AWS: ${KAFKA_WINDOW_IS_ONE_WAY}. Measure the default locally (drop --target aws), or on AWS with lab 1 deployed on a fresh stack (npm run destroy -- --all, then npm run deploy -- 01-baseline).`,
    );
  }
  const model = capacityModel(spec);
  const wallStart = Date.now();
  const traffic = spec.traffic;
  const loadMs = traffic.durationSec * 1000;
  const totalSec = traffic.durationSec + traffic.drainTimeoutSec;
  const report = (progress: Omit<Progress, 'lab' | 'totalSec'>) => options.onProgress?.({ lab: spec.id, totalSec, ...progress });
  target.preflight?.(spec);
  report({ phase: 'preparing', elapsedSec: 0, published: 0, processed: 0, offsetLag: 0 });

  const prepared = await target.prepare(spec);
  let observer: RunObserver | undefined;
  try {
    const runId = `${spec.id.slice(0, 20)}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
    const startAtMs = Date.now() + LEAD_MS;
    const schedule = [...bookingSchedule(traffic, startAtMs)];
    const intendedAt = new Map(schedule.map((e) => [e.seq, e.intendedAt]));
    const warmUpEnd = startAtMs + traffic.warmUpSec * 1000;
    const loadEnd = startAtMs + loadMs;

    observer = options.observer?.({
      lab: spec.id,
      title: spec.title,
      runId,
      startedAt: new Date(startAtMs).toISOString(),
      durationSec: traffic.durationSec,
      drainTimeoutSec: traffic.drainTimeoutSec,
      expected: { batchSize: model.expectedBatchSize, latencyFloorMs: model.latencyFloorMs },
    });
    const samples: LiveSample[] = [];
    const recentLatencies: number[] = [];
    let phase: Progress['phase'] = 'load';
    const offeredSoFar = () => schedule.filter((e) => e.intendedAt <= Date.now()).length;
    const sampler = setInterval(() => {
      void prepared.sample().then((sample) => {
        samples.push(sample);
        if (phase === 'load' || phase === 'drain') observer?.sampled(sample, (Date.now() - startAtMs) / 1000, phase);
        recentLatencies.push(...sample.recentEndToEndMs);
        if (recentLatencies.length > 20_000) recentLatencies.splice(0, recentLatencies.length - 20_000);
        report({
          phase,
          elapsedSec: Math.max(0, (Date.now() - startAtMs) / 1000),
          published: offeredSoFar(),
          processed: sample.processedSoFar,
          offsetLag: sample.offsetLag,
          p50SoFar: recentLatencies.length > 0 ? summarize(recentLatencies).p50 : undefined,
        });
      });
    }, SAMPLE_MS);

    let published;
    try {
      published = await prepared.publish({ runId, startAtMs, profile: traffic });
      phase = 'drain';
      const drainDeadline = Math.max(Date.now(), loadEnd) + traffic.drainTimeoutSec * 1000;
      while (Date.now() < drainDeadline && !(await prepared.accountedFor(runId, published.published))) await sleep(DRAIN_POLL_MS);
    } finally {
      clearInterval(sampler);
    }
    const observations = await prepared.observe(runId, published.published);
    phase = 'done';

    const publishedSeqs = observations.publishedSeqs ?? schedule.map((e) => e.seq).slice(0, published.published);
    const accounting = account({
      published: publishedSeqs,
      processed: observations.processed.map((p) => p.seq),
      filtered: observations.filteredSeqs,
      deadLettered: observations.deadLetteredSeqs,
      dropped: observations.droppedSeqs,
      waiting: observations.waitingSeqs,
    });
    const measured = observations.processed.filter((p) => (intendedAt.get(p.seq) ?? 0) >= warmUpEnd);
    const endToEndMs = summarize(measured.map((p) => p.endToEndMs));
    const offeredAfterWarmUp = schedule.filter((e) => e.intendedAt >= warmUpEnd).length;
    const measuredSeconds = (loadEnd - warmUpEnd) / 1000;
    // Filtered and dead-lettered events never complete in the processor: the offered rate the
    // processor must sustain is what reaches it.
    const reachingShare = accounting.published > 0 ? (accounting.processed + accounting.duplicated) / accounting.published : 1;
    const offeredPerSec = round((offeredAfterWarmUp / measuredSeconds) * Math.min(1, reachingShare));
    const throughputPerSec = sustainedThroughput(
      measured.map((p) => p.completedAt),
      { from: warmUpEnd, to: loadEnd },
      endToEndMs.p50,
    );
    const avgBatchSize = average(observations.batchSizes);
    const checks = checkTargets(spec, target.place, model, {
      endToEndMs,
      throughputPerSec,
      offeredPerSec,
      avgBatchSize,
      lost: accounting.lost,
      dropped: accounting.dropped,
      waiting: accounting.waiting,
      published: accounting.published,
    });
    report({
      phase: 'done',
      elapsedSec: (Date.now() - startAtMs) / 1000,
      published: accounting.published,
      processed: accounting.processed,
      offsetLag: 0,
      p50SoFar: endToEndMs.p50,
    });

    const result: LabRunResult = {
      lab: spec.id,
      title: spec.title,
      target: target.place,
      runId,
      startedAt: new Date(startAtMs).toISOString(),
      config: spec,
      overrides: (options.overrides ?? []).map((o) => o.text),
      model,
      ...eventCounts(accounting),
      avgBatchSize,
      endToEndMs,
      sendDelayMs: summarize(published.sendDelaysMs),
      throughputPerSec,
      offeredPerSec,
      targets: checks,
      passed: checks.every((c) => c.pass),
      timeline: buildTimeline(
        startAtMs,
        Math.max(loadEnd, Date.now()),
        schedule.map((e) => e.intendedAt),
        observations.processed,
        samples,
      ),
      latencyHistogram: latencyHistogram(measured.map((p) => p.endToEndMs)),
      batchSizes: batchSizeDistribution(observations.batchSizes),
      warnings: prepared.warnings?.() ?? [],
      esmMetrics: await prepared.esmMetrics?.(runId),
      sqsEsmMetrics: await prepared.sqsEsmMetrics?.(runId),
      esmSystemLog: prepared.esmSystemLog?.(),
      schemaEvolution: published.schemaEvolution,
      schemaValidation: prepared.schemaValidationCost?.(),
      notes: [
        ...prepared.notes(),
        ...overrideCaveats(lab, options.overrides ?? []),
        ...(accounting.lostSeqs.length > 0 ? [`Lost seqs (first ${accounting.lostSeqs.length}): ${accounting.lostSeqs.join(', ')}`] : []),
        ...(accounting.duplicated > 0
          ? [`${accounting.duplicated} events were handled more than once (at-least-once delivery; seqs ${accounting.duplicatedSeqs.join(', ')})`]
          : []),
      ],
      wallSeconds: round((Date.now() - wallStart) / 1000, 1),
    };
    observer?.finished(result);
    return result;
  } catch (error) {
    observer?.failed(error);
    throw error;
  } finally {
    await prepared.close();
  }
}

function eventCounts({ published, processed, filtered, deadLettered, dropped, waiting, lost, duplicated }: EventCounts): EventCounts {
  return { published, processed, filtered, deadLettered, dropped, waiting, lost, duplicated };
}

function buildTimeline(
  startAtMs: number,
  endMs: number,
  intended: number[],
  processed: Array<{ endToEndMs: number; completedAt: number }>,
  samples: LiveSample[],
): TimelinePoint[] {
  const seconds = Math.max(1, Math.ceil((endMs - startAtMs) / 1000));
  const points: TimelinePoint[] = [];
  for (let t = 0; t < seconds; t++) {
    const from = startAtMs + t * 1000;
    const to = from + 1000;
    const done = processed.filter((p) => p.completedAt >= from && p.completedAt < to).map((p) => p.endToEndMs);
    const summary = done.length > 0 ? summarize(done) : undefined;
    const sample = samples.filter((s) => s.at < to).at(-1) ?? samples[0];
    points.push({
      t,
      offered: intended.filter((at) => at >= from && at < to).length,
      processed: done.length,
      ...(summary ? { p50: summary.p50, p99: summary.p99, max: summary.max } : {}),
      offsetLag: sample?.offsetLag ?? 0,
      pollers: sample?.pollers ?? 0,
      concurrency: sample?.concurrency ?? 0,
      ...(sample?.sqsConcurrency !== undefined ? { sqsConcurrency: sample.sqsConcurrency, queueDepth: sample.queueDepth } : {}),
    });
  }
  return points;
}
