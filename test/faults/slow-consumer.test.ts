// Fault: a slow consumer. For the first seconds of the run every record takes 100 ms more
// (CHAOS_LATENCY_MS with CHAOS_LATENCY_UNTIL: a downstream that is slow for a while), so lab 1's
// function falls behind 200 bookings/s and the offset lag builds; on-demand pollers scale out on
// the growing lag; once the downstream is fast again the lag drains back to 0. Nothing is lost:
// records wait in the topic, uncommitted, until they are processed.
//
// AWS (sandbox/MODEL.md, Faults, "slow consumer"): records wait in Kafka (within the topic's
// retention); OffsetLag grows; in on-demand mode Lambda adds pollers when the lag grows
// (kafka-scaling-modes.html), up to one per partition, and removes them once it has caught up.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Ledger } from '../../harness/ledger.ts';
import { type Sandbox, startSandbox } from '../../sandbox/index.ts';
import { type KafkaSandbox, startKafka } from '../../sandbox/kafka-broker.ts';
import { labVariant, ledgerOf, RunObserver, reportFault, settle } from './support.ts';

let kafka: KafkaSandbox | undefined;
let sandbox: Sandbox | undefined;

test.after(async () => {
  await sandbox?.stop();
  await kafka?.stop();
});

const SLOW_PHASE_MS = 8_000;
const LAG_THRESHOLD = 500;

test('a slow consumer builds offset lag, the pollers scale out, and the lag returns to 0 once it is fast again; nothing is lost', async () => {
  kafka = await startKafka();
  const lab = labVariant(1, 'fault-slow', { traffic: { ratePerSec: 200, durationSec: 15, warmUpSec: 0 } });
  const runId = 'fault-slow';
  const observer = new RunObserver(runId);
  const startAtMs = Date.now() + 3_000; // after the sandbox is up
  const slowUntil = startAtMs + SLOW_PHASE_MS;
  sandbox = await startSandbox(lab, {
    kafka,
    onFiltered: observer.onFiltered,
    functionEnv: { CHAOS_LATENCY_MS: '100', CHAOS_LATENCY_UNTIL: String(slowUntil) },
  });
  observer.attach(sandbox);

  // The ESM's OffsetLag and pollers, sampled through the run.
  const samples: Array<{ at: number; lag: number; pollers: number }> = [];
  const sampler = setInterval(() => {
    const { offsetLag, pollers } = sandbox!.snapshot().kafkaEsm;
    samples.push({ at: Date.now(), lag: offsetLag, pollers });
  }, 200);
  let ledger: Ledger;
  try {
    const produced = await sandbox.produce({ runId, startAtMs: Math.max(startAtMs, Date.now()), profile: lab.traffic });
    ledger = await ledgerOf(sandbox, runId, produced.published);
    await settle(sandbox, observer, ledger, 80_000);
  } finally {
    clearInterval(sampler);
  }

  const peak = samples.reduce((best, s) => (s.lag > best.lag ? s : best), samples[0]);
  assert.ok(peak.lag > LAG_THRESHOLD, `the lag rose above ${LAG_THRESHOLD} (peak ${peak.lag})`);
  assert.ok(peak.at >= startAtMs && peak.at <= slowUntil + 10_000, 'the lag peaked during (or just after) the slow phase');
  const drainedAt = samples.find((s) => s.at > peak.at && s.lag === 0)?.at;
  assert.ok(drainedAt !== undefined, 'the lag returned to 0');
  assert.is(sandbox.snapshot().kafkaEsm.offsetLag, 0, 'no lag at the end');
  const maxPollers = Math.max(...samples.map((s) => s.pollers));
  assert.ok(maxPollers > 1, `the on-demand pollers scaled out on the lag (${maxPollers})`);

  const accounting = observer.account(ledger);
  assert.is(accounting.duplicated, 0, 'a slow function fails nothing, so nothing is retried');
  reportFault({
    fault: 'slow consumer, +100 ms per record for 8 s (lab 1)',
    accounting,
    duplicates: 'none: nothing failed, every batch was processed once and committed after it',
    notes: [
      `offset lag peaked at ${peak.lag} records ${((peak.at - startAtMs) / 1000).toFixed(1)} s into the run and was back to 0 ` +
        `${((drainedAt! - slowUntil) / 1000).toFixed(1)} s after the slow phase ended; on-demand pollers 1 -> ${maxPollers}`,
    ],
    aws: 'the records wait in the topic, uncommitted; OffsetLag grows and on-demand mode adds pollers while it is too high, then removes them once it is low (sandbox/MODEL.md, Faults: "slow consumer")',
  });
});

test.run();
