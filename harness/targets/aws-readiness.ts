// Before a measured run on AWS: wait until the pipeline has processed one probe event.
//
// A new Kafka mapping starting at LATEST with a new consumer group takes "several minutes" to
// start polling, and "could miss events" published before then
// (lambda/latest/dg/kafka-starting-positions.html). So a run straight after a deploy could count
// its first events as lost. The harness publishes a one-event probe run (its own runId, which
// the measured run's accounting never sees), republishes while none is processed (a probe sent
// before the pollers joined is skipped for good), and watches the mapping for a PROBLEM so a
// broken mapping fails at once with AWS's message instead of after the timeout. The sandbox has
// no such gap: its mapping joins the group and pins LATEST before startSandbox returns
// (sandbox/kafka-esm/kafka-fetcher.ts).
import { BOOKING_STATUSES, type TrafficProfile } from '../../handlers/shared/traffic.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { UsageError } from '../errors.ts';
import { predictFilteredOut } from './aws-accounting.ts';

export interface ReadinessDeps {
  /** Publishes the one-event probe run `runId`. */
  publishProbe(runId: string): Promise<void>;
  /** Whether the processor has logged the probe run `runId`. */
  probeProcessed(runId: string): Promise<boolean>;
  /** AWS's problem with a mapping, if it reports one (labs/esm-health.ts). */
  mappingProblem(): Promise<string | undefined>;
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface ReadinessOptions {
  /** Give up after this long. Default 10 minutes: AWS says a new mapping can take several. */
  timeoutMs?: number;
  /** Look for the probe (and at the mapping) this often. Default 10 s. */
  pollMs?: number;
  /** Publish another probe when none was processed for this long. Default 60 s. */
  republishMs?: number;
}

export interface Readiness {
  waitedMs: number;
  probes: number;
}

/** Resolves when a probe was processed; throws a UsageError on a mapping problem or the timeout. */
export async function awaitFirstProcessed(labId: string, deps: ReadinessDeps, options: ReadinessOptions = {}): Promise<Readiness> {
  const { timeoutMs = 10 * 60_000, pollMs = 10_000, republishMs = 60_000 } = options;
  const started = deps.now();
  const probes: string[] = [];
  let publishedAt = -Infinity;
  for (;;) {
    const elapsed = deps.now() - started;
    if (deps.now() - publishedAt >= republishMs && elapsed < timeoutMs) {
      const runId = `probe-${labId.replace(/[^A-Za-z0-9]/g, '')}-${started.toString(36)}-${probes.length}`;
      await deps.publishProbe(runId);
      probes.push(runId);
      publishedAt = deps.now();
    }
    for (const runId of probes) {
      if (await deps.probeProcessed(runId)) return { waitedMs: deps.now() - started, probes: probes.length };
    }
    const problem = await deps.mappingProblem();
    if (problem) throw new UsageError(problem);
    if (elapsed >= timeoutMs) {
      throw new UsageError(
        `Lab ${labId}'s pipeline processed none of ${probes.length} probe event(s) within ${Math.round(timeoutMs / 60_000)} minutes, and its mapping reports no problem: ` +
          `check the Kafka mapping in the Lambda console (State, LastProcessingResult) and the processor's logs, then run again.`,
      );
    }
    await deps.sleep(pollMs);
  }
}

/** A one-event traffic profile whose event the lab's filters keep (so the processor sees it). */
export function probeProfile(lab: LabSpec): TrafficProfile {
  for (const status of BOOKING_STATUSES) {
    const profile: TrafficProfile = {
      shape: 'steady',
      ratePerSec: 1,
      durationSec: 1,
      eventBytes: lab.traffic.eventBytes,
      statusMix: { CONFIRMED: 0, PENDING: 0, CANCELLED: 0, [status]: 1 },
      poisonShare: 0,
      seed: lab.traffic.seed,
    };
    if (predictFilteredOut(lab, { runId: 'probe', startAtMs: 0, profile }).size === 0) return profile;
  }
  throw new UsageError(
    `Lab ${lab.id}'s filters drop bookings of every status (${BOOKING_STATUSES.join(', ')}): nothing could reach its processor. Fix kafkaEsm.filters.`,
  );
}
