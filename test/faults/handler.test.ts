// Faults in the function: timeouts and random errors, injected by the processor's chaos knobs
// (CHAOS_TIMEOUT_RATE, CHAOS_FAILURE_RATE: handlers/shared/settings.ts) through startSandbox's
// functionEnv, on the real broker (and ElasticMQ for lab 4's on-failure destination). The timeout
// test seeds its draws (CHAOS_SEED), so which invocations time out does not depend on luck.
//
// AWS (sandbox/MODEL.md, Faults):
// - "function timeout": a timed-out invocation is an error; the environment is reset; the Kafka
//   ESM retries the whole batch (configuration-timeout.html, kafka-retry-configurations.html).
//   Work the function did before it timed out is done again: at-least-once.
// - "random record errors": with ReportBatchItemFailures the ESM retries only the records the
//   function names, up to MaximumRetryAttempts, then sends them to the on-failure destination
//   (kafka-retry-configurations.html, kafka-on-failure.html).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { INJECTED_FAILURE } from '../../handlers/shared/chaos.ts';
import { duplicatedSeqs, labVariant, reportFault, sharedServers } from './support.ts';

const servers = sharedServers(test);

// With this seed every execution environment's fifth invocation draws below 0.2 and its first four
// do not (test/handlers/chaos.test.ts): one invocation in five times out, in every environment.
const TIMEOUT_SEED = '4';
const TIMES_OUT_ON_INVOCATION = 5;

test('the handler times out on 20% of invocations (lab 1): the environment is discarded, the ESM retries the batch, nothing is lost', async () => {
  const lab = labVariant(1, 'fault-timeout', {
    traffic: { ratePerSec: 100, durationSec: 10, warmUpSec: 0 },
    processor: { timeoutSeconds: 2 },
  });
  const runId = 'fault-timeout';
  const { observer, ledger } = await servers.run(lab, runId, { functionEnv: { CHAOS_TIMEOUT_RATE: '0.2', CHAOS_SEED: TIMEOUT_SEED }, settleMs: 80_000 });

  const timedOut = observer.outcomes('timeout');
  assert.ok(timedOut.length > 0, 'some invocations timed out');
  assert.ok(
    timedOut.every((t) => /Task timed out after 2\.00 seconds/.test(t.error?.errorMessage ?? '')),
    "Lambda's timeout error",
  );
  // The runtime discarded each timed-out environment: no later invocation ran in it.
  for (const t of timedOut) {
    assert.not.ok(
      observer.invocations.some((i) => i.logStreamName === t.logStreamName && i.start > t.start),
      `environment ${t.logStreamName} was not reused after its timeout`,
    );
  }
  // The seeded draws: an environment times out on its fifth invocation, never earlier, always then.
  const byEnvironment = new Map<string | undefined, typeof observer.invocations>();
  for (const i of observer.invocations) byEnvironment.set(i.logStreamName, [...(byEnvironment.get(i.logStreamName) ?? []), i]);
  for (const [stream, invocations] of byEnvironment) {
    const fifth = [...invocations].sort((a, b) => a.start - b.start)[TIMES_OUT_ON_INVOCATION - 1];
    assert.equal(
      invocations.filter((i) => i.outcome === 'timeout'),
      fifth ? [fifth] : [],
      `environment ${stream}: ${invocations.length} invocations`,
    );
  }
  // Every extra processing is a record of a batch that did its work, then timed out, and was retried.
  const extra = observer.processed.length - observer.uniqueProcessed().size;
  const doneBeforeTimeout = timedOut.reduce((sum, t) => sum + (observer.processedBy.get(t.requestId)?.length ?? 0), 0);
  assert.is(extra, doneBeforeTimeout, 'extra processings = records processed by invocations that then timed out');
  const inTimedOut = new Set(timedOut.flatMap((t) => observer.processedBy.get(t.requestId) ?? []));
  assert.ok(
    duplicatedSeqs(observer).every((seq) => inTimedOut.has(seq)),
    'every duplicate was in a timed-out batch',
  );

  reportFault({
    fault: 'handler timeouts, CHAOS_TIMEOUT_RATE 0.2 (lab 1)',
    accounting: observer.account(ledger),
    duplicates: `every one a record of the ${timedOut.length} batches that did their work, then timed out and were retried whole (${doneBeforeTimeout} extra processings)`,
    notes: [
      `${timedOut.length} of ${observer.invocations.length} invocations timed out after 2 s, each its environment's fifth (CHAOS_SEED ${TIMEOUT_SEED}); none of their execution environments ran again (discarded)`,
    ],
    aws: 'a timeout is an invocation error: Lambda resets the environment and the Kafka ESM retries the whole batch (infinite by default), so work done before the timeout is repeated (sandbox/MODEL.md, Faults: "function timeout")',
  });
});

for (const rate of [0.01, 0.1]) {
  test(`the handler throws on ${rate * 100}% of record attempts (lab 4): only failed records are retried; exhausted ones are dead-lettered`, async () => {
    const topic = `fault-errors-${rate * 100}`;
    const lab = labVariant(4, topic, {
      traffic: { ratePerSec: 200, durationSec: 10, warmUpSec: 0, poisonShare: 0 },
      kafkaEsm: { onFailure: { kind: 'sqs', queueName: `${topic}-failed` } },
    });
    const runId = topic;
    const { sandbox, observer, ledger } = await servers.run(lab, runId, { functionEnv: { CHAOS_FAILURE_RATE: String(rate) }, settleMs: 80_000 });

    const injected = observer.failed.filter((f) => f.reason === `processing failed: ${INJECTED_FAILURE}`).length;
    const attempts = injected + observer.processed.length;
    // Binomial: within 5 standard deviations of rate x attempts (and at least one).
    const sigma = Math.sqrt(attempts * rate * (1 - rate));
    assert.ok(
      injected >= Math.max(1, rate * attempts - 5 * sigma) && injected <= rate * attempts + 5 * sigma,
      `${injected} injected failures in ${attempts} record attempts at rate ${rate}`,
    );
    const counters = sandbox.snapshot().kafkaEsm.counters;
    assert.is(counters.OnFailureDestinationDeliveredEventCount, observer.deadLettered.size, 'the destination holds what the ESM delivered');
    // Each dead-lettered record failed its first attempt and both retries (MaximumRetryAttempts 2).
    for (const seq of observer.deadLettered) {
      assert.is(observer.failed.filter((f) => f.seq === seq).length, 3, `dead-lettered seq ${seq} failed 3 attempts`);
    }
    assert.ok(
      observer.destinationMessages.every((m) => m.requestContext.condition === 'RetryAttemptsExhausted' && m.requestContext.approximateInvokeCount === 3),
    );
    const accounting = observer.account(ledger);
    // Partial batch responses: a processed record is never part of a retry.
    assert.is(accounting.duplicated, 0, 'no record processed twice');

    reportFault({
      fault: `random record errors, CHAOS_FAILURE_RATE ${rate} (lab 4)`,
      accounting,
      duplicates: 'none: with partial batch responses the ESM retries only the records the function names, never a processed one',
      notes: [
        `${injected} injected failures in ${attempts} record attempts` +
          (observer.failed.length > injected
            ? ` (plus ${observer.failed.length - injected} later records of the same booking skipped to keep its order)`
            : '') +
          '; ' +
          `${counters.InvokedEventCount - observer.uniqueProcessed().size - observer.deadLettered.size} retried record invocations; ` +
          `${observer.deadLettered.size} records failed 3 attempts and went to the on-failure queue`,
      ],
      aws: 'with ReportBatchItemFailures Lambda retries only the failed records, up to MaximumRetryAttempts (2), then sends them to the on-failure destination (sandbox/MODEL.md, Faults: "random record errors")',
    });
  });
}

test.run();
