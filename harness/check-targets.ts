// Each target of a lab, checked against what was measured, with a reason that points at the
// knob that governs the number ("p50 above 100 ms: the batching window is 500 ms").

import { INVOCATIONS_PER_KAFKA_POLLER } from '../labs/aws-limits.ts';
import type { CapacityModel } from '../labs/capacity-model.ts';
import { batchingWindowMs } from '../labs/capacity-model.ts';
import type { LabSpec, Place } from '../labs/lab-spec.ts';
import type { LatencySummary, TargetCheck } from './run-result.ts';

export interface Measured {
  endToEndMs: LatencySummary;
  throughputPerSec: number;
  offeredPerSec: number;
  avgBatchSize: number;
  lost: number;
  /** Dropped by the mapping (DroppedEventCount); absent where the place cannot tell. */
  dropped?: number;
  waiting: number;
  published: number;
}

function windowText(lab: LabSpec): string {
  const ms = batchingWindowMs(lab);
  return lab.kafkaEsm.batchingWindowSeconds === undefined
    ? `the batching window is the ${ms} ms default (kafkaEsm.batchingWindowSeconds unset)`
    : `the batching window is ${ms} ms (kafkaEsm.batchingWindowSeconds)`;
}

function latencyReason(lab: LabSpec, model: CapacityModel, pass: boolean, what: string, count: number): string {
  if (count === 0)
    return `${what}: no event was processed after the warm-up, so there is no latency to measure (see the accounting: filtered, dead-lettered or waiting)`;
  const processing = `${lab.processor.processingMsPerRecord} ms per record, ${lab.processor.mode} (processor)`;
  if (pass) return `${what} within the limit: ${windowText(lab)}; ${processing}`;
  if (batchingWindowMs(lab) > 0) return `${what} above the limit: ${windowText(lab)}, and events wait for it`;
  if (model.headroom < 1) return `${what} above the limit: the pipeline falls behind the offered load (bottleneck: ${model.bottleneck})`;
  if (model.startingHeadroom !== undefined && model.startingHeadroom < 1) {
    return (
      `${what} above the limit: on-demand, the mapping starts with 1 poller (${INVOCATIONS_PER_KAFKA_POLLER} invocations, ${model.stages[0].startingCeilingPerSec}/s at this batch size and processing time) ` +
      `and the peak offers ${model.peakRatePerSec}/s; more pollers come only after a minute's evaluation of the lag (on AWS within three minutes of it), after a short spike has waited`
    );
  }
  return `${what} above the limit: ${processing}; batches of ${model.expectedBatchSize} expected`;
}

function throughputReason(model: CapacityModel, measured: Measured, pass: boolean): string {
  if (measured.offeredPerSec === 0 && measured.published > 0)
    return 'no event was left for the processor after the warm-up: every one was filtered or dead-lettered';
  const ceiling = `the model's ceiling is ${model.maxThroughputPerSec}/s (${model.bottleneck})`;
  const keptUp = measured.throughputPerSec >= 0.95 * measured.offeredPerSec;
  if (pass)
    return keptUp ? `keeps up with the offered load; ${ceiling}` : `meets the target but falls behind the offered ${measured.offeredPerSec}/s: ${ceiling}`;
  return keptUp
    ? `keeps up with the ${measured.offeredPerSec}/s offered, but this target was set for the lab's own traffic (traffic.ratePerSec)`
    : `falls behind the offered ${measured.offeredPerSec}/s: ${ceiling}`;
}

export function checkTargets(lab: LabSpec, place: Place, model: CapacityModel, measured: Measured): TargetCheck[] {
  const targets = lab.targets[place];
  const checks: TargetCheck[] = [];
  const ms = (n: number) => `${n} ms`;
  if (targets.endToEndP50MaxMs !== undefined) {
    const pass = measured.endToEndMs.count > 0 && measured.endToEndMs.p50 <= targets.endToEndP50MaxMs;
    checks.push({
      name: 'end-to-end p50',
      expected: `≤ ${ms(targets.endToEndP50MaxMs)}`,
      actual: ms(measured.endToEndMs.p50),
      pass,
      reason: latencyReason(lab, model, pass, 'p50', measured.endToEndMs.count),
    });
  }
  if (targets.endToEndP99MaxMs !== undefined) {
    const pass = measured.endToEndMs.count > 0 && measured.endToEndMs.p99 <= targets.endToEndP99MaxMs;
    checks.push({
      name: 'end-to-end p99',
      expected: `≤ ${ms(targets.endToEndP99MaxMs)}`,
      actual: ms(measured.endToEndMs.p99),
      pass,
      reason: latencyReason(lab, model, pass, 'p99', measured.endToEndMs.count),
    });
  }
  if (targets.minThroughputPerSec !== undefined) {
    const pass = measured.throughputPerSec >= targets.minThroughputPerSec;
    checks.push({
      name: 'sustained throughput',
      expected: `≥ ${targets.minThroughputPerSec}/s`,
      actual: `${measured.throughputPerSec}/s of ${measured.offeredPerSec}/s offered`,
      pass,
      reason: throughputReason(model, measured, pass),
    });
  }
  if (targets.avgBatchSize !== undefined) {
    const { expected, tolerance } = targets.avgBatchSize;
    const pass = Math.abs(measured.avgBatchSize - expected) <= expected * tolerance;
    checks.push({
      name: 'average batch size',
      expected: `${expected} ± ${Math.round(tolerance * 100)}%`,
      actual: `${measured.avgBatchSize}`,
      pass,
      reason: `${windowText(lab)}, batch size ${lab.kafkaEsm.batchSize}, ${lab.kafkaEsm.provisionedPollers ? `${lab.kafkaEsm.provisionedPollers.minimum}-${lab.kafkaEsm.provisionedPollers.maximum} provisioned pollers` : 'on-demand pollers'}; the model expects ${model.expectedBatchSize}`,
    });
  }
  checks.push({
    name: 'events lost',
    expected: `${targets.maxLost}`,
    actual: `${measured.lost} of ${measured.published}`,
    pass: measured.lost <= targets.maxLost && measured.published > 0,
    reason:
      measured.published === 0
        ? 'nothing was published: the producer failed'
        : measured.lost === 0
          ? 'every published event was processed, filtered or dead-lettered'
          : 'events neither processed, filtered, dead-lettered nor still waiting in the topic: they were skipped or committed without being handled',
  });
  if ((measured.dropped ?? 0) > 0) {
    checks.push({
      name: 'events dropped by the mapping',
      expected: '0',
      actual: `${measured.dropped} of ${measured.published}`,
      pass: false,
      reason: lab.kafkaEsm.onFailure
        ? `the mapping could not deliver them to its on-failure destination (${lab.kafkaEsm.onFailure.kind}) and dropped them (DroppedEventCount, OnFailureDestinationDeliveryErrorCount): check that the destination exists and the mapping may write to it`
        : 'they failed past kafkaEsm.maximumRetryAttempts or kafkaEsm.maximumRecordAgeSeconds and the mapping has no on-failure destination, so it skipped them (DroppedEventCount): set kafkaEsm.onFailure to keep them',
    });
  }
  if (measured.waiting > 0) {
    checks.push({
      name: 'events handled before the drain ended',
      expected: 'all',
      actual: `${measured.waiting} of ${measured.published} still waiting`,
      pass: false,
      reason: `the pipeline fell behind: ${measured.waiting} events were still waiting (in the topic past the committed offset, or in the buffer queue) when the drain ended (traffic.drainTimeoutSec); not lost, a longer drain would process them`,
    });
  }
  return checks;
}
