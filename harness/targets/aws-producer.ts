// Publishing a run on AWS: the base stack's producer Lambda (handlers/producer.ts) paces the
// schedule from inside the VPC, where the brokers are. One RequestResponse invocation publishes
// one shard of the schedule and answers with its ProducerResult when the shard is done.
//
// Sharding: one producer invocation sends at most PER_SHARD_RATE events per second (500): it sends
// each record with its own kafkajs send (acks from the leader, up to 1000 in flight), so at a few
// milliseconds per acknowledgement 500/s leaves it headroom; above that the run is split into
// ceil(peak rate / 500) shards {index, count} invoked at once, each sending the seqs with
// seq % count == index against the same startAtMs (the schedule is the same however it is
// split: handlers/shared/schedule.ts).
//
// Retries: the client makes exactly one attempt per Invoke (maxAttempts 1), so a request that may
// have run is never sent again (it would publish its events twice). Only a throttled Invoke
// (TooManyRequestsException: Lambda refused it before running it) is retried, with backoff; a shard
// that starts late sends late, and the lateness shows up as send delay, as an open-loop test
// wants. A FunctionError (the handler threw, or timed out) fails the publish with the handler's
// own message.
//
// Send delays: a ProducerResult carries a summary of its shard's delays (count, min, mean, p50,
// p90, p99, max), not the values. delaysFromSummary rebuilds `count` values that have exactly that
// min, p50, p90, p99 and max under the same nearest-rank rule (handlers/shared/publish.ts
// summarizeDelays), interpolating linearly between those ranks; the mean of the rebuilt values is
// an approximation of the true mean.
//
// Invoke API: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import type { ProducerPayload, ProducerResult } from '../../handlers/producer.ts';
import type { DelaySummary } from '../../handlers/shared/publish.ts';
import type { TrafficProfile } from '../../labs/lab-spec.ts';
import { WorkshopError } from '../../labs/workshop-error.ts';
import { UsageError } from '../errors.ts';
import { explainAwsErrors } from './aws-credentials.ts';
import { describeError, type RetryOptions, ThrottledError, withThrottlingRetry } from './aws-retry.ts';
import { type PublishSummary, type RunPlan } from './target.ts';

/** Events per second one producer invocation is asked to send, at most. */
export const PER_SHARD_RATE = 500;
/** More parallel producers than this would only contend for the same brokers. */
export const MAX_SHARDS = 64;

/** Thrown when a producer invocation failed on AWS: the message is the handler's own error. */
export class ProducerInvocationError extends WorkshopError {
  override name = 'ProducerInvocationError';
  constructor(message: string) {
    super(message, { category: 'environment' });
  }
}

/** The highest rate the profile offers, events/s. */
export function peakRate(profile: TrafficProfile): number {
  return Math.max(profile.ratePerSec, profile.peakRatePerSec ?? 0);
}

/** How many producer invocations share the run. */
export function shardCount(profile: TrafficProfile, perShardRate = PER_SHARD_RATE): number {
  return Math.min(MAX_SHARDS, Math.max(1, Math.ceil(peakRate(profile) / perShardRate)));
}

/** One payload per shard, all with the run's startAtMs. */
export function producerPayloads(plan: RunPlan, topic: string, perShardRate = PER_SHARD_RATE): ProducerPayload[] {
  const count = shardCount(plan.profile, perShardRate);
  return Array.from({ length: count }, (_, index) => ({
    runId: plan.runId,
    topic,
    startAtMs: plan.startAtMs,
    profile: plan.profile,
    shard: { index, count },
  }));
}

/** `count` delays with exactly the summary's min, p50, p90, p99 and max (nearest rank). */
export function delaysFromSummary(summary: DelaySummary): number[] {
  const n = summary.count;
  if (!(Number.isInteger(n) && n > 0)) return [];
  const rank = (p: number) => Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1));
  const anchors = [
    { i: 0, v: summary.min },
    { i: rank(0.5), v: summary.p50 },
    { i: rank(0.9), v: summary.p90 },
    { i: rank(0.99), v: summary.p99 },
    { i: n - 1, v: summary.max },
  ];
  const values = new Array<number>(n);
  for (let k = 0; k < anchors.length - 1; k++) {
    const a = anchors[k];
    const b = anchors[k + 1];
    for (let i = a.i; i <= b.i; i++) {
      values[i] = b.i === a.i ? b.v : a.v + ((b.v - a.v) * (i - a.i)) / (b.i - a.i);
    }
  }
  // The anchors' own ranks carry their exact values (a later segment may have overwritten an
  // anchor shared with the previous one only with the same value; this makes it explicit).
  for (const a of anchors) values[a.i] = a.v;
  return values;
}

/** The results of every shard as the harness's PublishSummary. */
export function summarizeShards(results: readonly ProducerResult[]): PublishSummary {
  return {
    published: results.reduce((sum, r) => sum + r.published, 0),
    poison: results.reduce((sum, r) => sum + r.poison, 0),
    failedToPublish: results.reduce((sum, r) => sum + r.failedToPublish, 0),
    sendDelaysMs: results.flatMap((r) => delaysFromSummary(r.sendDelayMs)),
    schemaEvolution: evolutionOfShards(results),
  };
}

/** Every shard registers the same version 2 and tries the same incompatible one: one outcome, the bookings summed. */
function evolutionOfShards(results: readonly ProducerResult[]): PublishSummary['schemaEvolution'] {
  const evolved = results.flatMap((r) => (r.schemaEvolution ? [r.schemaEvolution] : []));
  if (evolved.length === 0) return undefined;
  const accepted = evolved.find((e) => !e.incompatibleChange.refused);
  return { ...(accepted ?? evolved[0]), writtenWithVersion2: evolved.reduce((sum, e) => sum + e.writtenWithVersion2, 0) };
}

function decode(payload: Uint8Array | undefined): string {
  return payload && payload.byteLength > 0 ? new TextDecoder().decode(payload) : '';
}

/** The handler's answer, or a ProducerInvocationError carrying its error. */
export function readProducerResponse(response: Pick<InvokeCommandOutput, 'FunctionError' | 'Payload' | 'StatusCode'>, where: string): ProducerResult {
  const text = decode(response.Payload);
  if (response.FunctionError) {
    let detail = text;
    try {
      const parsed = JSON.parse(text) as { errorType?: string; errorMessage?: string };
      if (parsed && typeof parsed.errorMessage === 'string') detail = `${parsed.errorType ?? 'Error'}: ${parsed.errorMessage}`;
    } catch {
      // Not JSON: keep the raw text.
    }
    throw new ProducerInvocationError(`The producer Lambda failed (${response.FunctionError}) on ${where}: ${detail || 'no error payload'}`);
  }
  let result: ProducerResult;
  try {
    result = JSON.parse(text) as ProducerResult;
  } catch {
    throw new ProducerInvocationError(`The producer Lambda answered ${where} with something that is not JSON: ${text.slice(0, 200)}`);
  }
  if (!result || typeof result.published !== 'number' || typeof result.sendDelayMs !== 'object') {
    throw new ProducerInvocationError(`The producer Lambda answered ${where} without a ProducerResult (published, sendDelayMs): ${text.slice(0, 200)}`);
  }
  return result;
}

export interface PublishOptions {
  perShardRate?: number;
  retry?: RetryOptions;
}

/**
 * Invokes the producer once per shard, in parallel, and sums the results. Resolves when every
 * shard has published its part of the schedule (the run's duration, plus start-up).
 */
export async function publishWithProducer(
  lambda: LambdaClient,
  functionName: string,
  plan: RunPlan,
  topic: string,
  options: PublishOptions = {},
): Promise<{ summary: PublishSummary; results: ProducerResult[] }> {
  const payloads = producerPayloads(plan, topic, options.perShardRate);
  const results = await Promise.all(
    payloads.map(async (payload) => {
      const where = `shard ${payload.shard!.index + 1} of ${payload.shard!.count} of run ${plan.runId}`;
      const invoke = () =>
        lambda.send(
          new InvokeCommand({
            FunctionName: functionName,
            InvocationType: 'RequestResponse',
            Payload: new TextEncoder().encode(JSON.stringify(payload)),
          }),
        );
      let response: InvokeCommandOutput;
      try {
        response = await explainAwsErrors(`lambda:InvokeFunction on ${functionName}`, () =>
          withThrottlingRetry(`Invoking the producer ${functionName} (${where})`, invoke, { attempts: 8, baseDelayMs: 500, ...options.retry }),
        );
      } catch (error) {
        if ((error as { name?: string })?.name === 'ResourceNotFoundException') {
          throw new UsageError(`The producer function ${functionName} does not exist in AWS: redeploy the base stack with \`npm run deploy -- base\`.`);
        }
        if (error instanceof UsageError || error instanceof ThrottledError) throw error;
        throw new ProducerInvocationError(`Invoking the producer ${functionName} failed on ${where}: ${describeError(error)}`);
      }
      return readProducerResponse(response, where);
    }),
  );
  return { summary: summarizeShards(results), results };
}
