// 10,000 events across 6 partitions on the real broker: each processed exactly once, in order
// within each partition, when nothing fails.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readLedger } from '../../harness/ledger.ts';
import { type Sandbox, startSandbox } from '../../sandbox/index.ts';
import { collectProcessed, labVariant, waitFor } from './support.ts';

let sandbox: Sandbox | undefined;

test.after(async () => {
  await sandbox?.stop();
});

test('10,000 events over 6 partitions: each processed once, in partition order', async () => {
  const lab = labVariant(1, 'it-exactly-once', {
    topic: { partitions: 6 },
    processor: { processingMsPerRecord: 0 },
    traffic: { ratePerSec: 2500, durationSec: 4, warmUpSec: 0 },
  });
  sandbox = await startSandbox(lab);
  const runId = 'exactly-once';
  const processed = collectProcessed(sandbox.runtime, runId);
  const produced = await sandbox.produce({ runId, startAtMs: Date.now() + 200, profile: lab.traffic });
  assert.is(produced.published, 10_000);
  assert.is(produced.failedToPublish, 0);
  await waitFor(() => processed.order.length >= 10_000, 60_000, 'all 10,000 events to be processed');
  await new Promise((resolve) => setTimeout(resolve, 500));

  assert.is(processed.counts.size, 10_000, 'every seq processed');
  assert.equal(
    [...processed.counts.values()].filter((n) => n !== 1),
    [],
    'none twice',
  );

  const ledger = await readLedger({ brokers: sandbox.brokers.split(','), topic: lab.topic.name, runId, expected: 10_000 });
  assert.is(ledger.entries.length, 10_000);
  const partitions = new Set(ledger.entries.map((e) => e.partition));
  assert.is(partitions.size, 6, 'the events spread over all 6 partitions');
  const lastOffset = new Map<number, number>();
  for (const seq of processed.order) {
    const { partition, offset } = ledger.bySeq.get(seq)!;
    assert.ok(offset > (lastOffset.get(partition) ?? -1), `partition ${partition}: offset ${offset} processed after ${lastOffset.get(partition)}`);
    lastOffset.set(partition, offset);
  }
  const snapshot = sandbox.snapshot();
  assert.is(snapshot.kafkaEsm.counters.PolledEventCount, 10_000);
  assert.is(snapshot.kafkaEsm.counters.FailedInvokeEventCount, 0);
});

test.run();
