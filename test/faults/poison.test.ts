// Fault: a poison record, one that fails every time.
//
// Lab 4 (bounded retries, bisect, partial batch responses, SQS on-failure destination): exactly
// the poison records are dead-lettered, the rest processed or filtered, with exact accounting.
//
// Lab 1 (the AWS defaults: infinite retries, no destination, partial batch responses off): the
// batch holding the poison record fails and is retried forever, so the partitions in that batch
// are blocked (nothing after it is committed) while the other partitions keep progressing. A test
// cannot wait forever, so it shows the block for a while, then applies the remedy an operator
// would (UpdateEventSourceMapping: provisioned mode, MaximumRetryAttempts 2, bisect, an SQS
// destination; the mapping keeps its consumer group, so it resumes from the committed offsets),
// after which the poison record is dead-lettered and the blocked partitions drain.
//
// AWS (sandbox/MODEL.md, Faults, "poison record"): a failed batch is retried until it succeeds or
// the records expire (MaximumRetryAttempts -1 by default, API_CreateEventSourceMapping.html,
// kafka-retry-configurations.html); records of a partition are processed in order, so nothing
// behind the failing batch is processed: the partition is blocked.

import { Kafka, logLevel } from 'kafkajs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toKafkaMessage } from '../../handlers/producer.ts';
import { bookingSchedule } from '../../handlers/shared/schedule.ts';
import { duplicatedSeqs, labVariant, ledgerOf, RunObserver, reportFault, settle, sharedServers, waitFor } from './support.ts';

const servers = sharedServers(test);

test('poison records with lab 4 settings: exactly the poison records are dead-lettered, the rest processed or filtered', async () => {
  const lab = labVariant(4, 'fault-poison-lab4', {
    traffic: { ratePerSec: 200, durationSec: 10, warmUpSec: 0, poisonShare: 0.02 },
    kafkaEsm: { onFailure: { kind: 'sqs', queueName: 'fault-poison-lab4-failed' } },
  });
  const runId = 'fault-poison-lab4';
  const { observer, produced, ledger } = await servers.run(lab, runId, { settleMs: 80_000 });

  // The schedule is seeded, so the poison seqs are known in advance.
  const poison = [...bookingSchedule(lab.traffic, 0)].filter((e) => e.poison).map((e) => e.seq);
  assert.is(poison.length, produced.poison);
  assert.ok(poison.length > 10, `${poison.length} poison records`);
  assert.equal(
    [...observer.deadLettered].sort((a, b) => a - b),
    poison,
    'dead-lettered = exactly the poison records',
  );
  assert.ok(
    observer.destinationMessages.every((m) => m.requestContext.condition === 'RetryAttemptsExhausted' && m.requestContext.approximateInvokeCount === 3),
  );
  const accounting = observer.account(ledger);
  assert.is(accounting.duplicated, 0);
  reportFault({
    fault: 'poison records, 2% (lab 4)',
    accounting,
    duplicates: 'none: partial batch responses retry only the poison records',
    notes: [
      `${poison.length} poison records, each invoked 3 times (first try + MaximumRetryAttempts 2), then delivered to the SQS destination; ${accounting.filtered} non-confirmed bookings filtered before invoking`,
    ],
    aws: 'the failed records are retried up to MaximumRetryAttempts, then sent to the on-failure destination; the rest of each batch is committed (sandbox/MODEL.md, Faults: "poison record")',
  });
});

test('a poison record with lab 1 defaults blocks its partitions (retried forever) while the others progress; bounded retries and a destination unblock them', async () => {
  const topic = 'fault-poison-lab1';
  const runId = topic;
  const groupId = `${topic}-group`;
  const lab = labVariant(1, topic, { kafkaEsm: { consumerGroupId: groupId }, traffic: { ratePerSec: 200, durationSec: 7.5, warmUpSec: 0, poisonShare: 0 } });
  const observer = new RunObserver(runId);
  const first = await servers.sandbox(lab, { onFiltered: observer.onFiltered });
  observer.attach(first);

  // One poison record (seq 300) among 1,000 events, then 500 more once the partition is stuck.
  const POISON_SEQ = 300;
  const events = [...bookingSchedule(lab.traffic, Date.now())].map((e) => (e.seq === POISON_SEQ ? { ...e, poison: true } : e));
  const client = new Kafka({ clientId: 'fault-poison', brokers: servers.kafka.brokerList, logLevel: logLevel.NOTHING });
  const producer = client.producer();
  const admin = client.admin();
  await Promise.all([producer.connect(), admin.connect()]);
  const publish = async (from: number, to: number, pauseMs = 0) => {
    for (let i = from; i < to; i += 100) {
      await producer.send({ topic, messages: events.slice(i, Math.min(to, i + 100)).map((e) => toKafkaMessage(runId, e, lab.traffic.eventBytes)) });
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const committed = async () => {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map(offsets.partitions.map((p) => [p.partition, Number(p.offset)]));
  };
  const ends = async () => new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));

  try {
    await publish(0, 1000);
    const failedInvocations = () => observer.outcomes('error');
    await waitFor(() => failedInvocations().length >= 3, 30_000, 'the poison batch to fail 3 times');
    let ledger = await ledgerOf(first, runId, 1000);
    const poisonAt = ledger.bySeq.get(POISON_SEQ)!;
    // The partitions held by the batch being retried now: its records' partitions. (A batch may
    // hold several partitions; when the pollers scale out, a rebalance hands the failing batch
    // back and the poison record's new batch holds fewer.)
    const blockedNow = () => {
      const latest = failedInvocations().at(-1)!.requestId;
      const seqs = [...(observer.processedBy.get(latest) ?? []), ...observer.failed.filter((f) => f.requestId === latest).map((f) => f.seq!)];
      return new Set(seqs.map((seq) => ledger.bySeq.get(seq)!.partition));
    };
    assert.ok(blockedNow().has(poisonAt.partition), 'the poison record is in the failing batch');

    // More traffic while the batch keeps failing (over a few scaling evaluations): the other
    // partitions take it, the poison record's does not move.
    const retriesBefore = failedInvocations().length;
    await publish(1000, events.length, 600);
    const end = await ends();
    ledger = await ledgerOf(first, runId, events.length);
    let blocked = blockedNow();
    let now = await committed();
    for (const deadline = Date.now() + 30_000; ; ) {
      blocked = blockedNow();
      now = await committed();
      if ([...end.keys()].every((p) => blocked.has(p) || now.get(p) === end.get(p))) break;
      if (Date.now() > deadline)
        throw new Error(
          `the partitions not in the failing batch did not progress: committed ${JSON.stringify([...now])}, ends ${JSON.stringify([...end])}, blocked ${[...blocked]}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Blocked: the partitions with records still uncommitted, all of them the failing batch's.
    blocked = new Set([...end.keys()].filter((p) => now.get(p)! < end.get(p)!));
    const progressing = [...end.keys()].filter((p) => !blocked.has(p)).sort((a, b) => a - b);
    assert.ok(blocked.has(poisonAt.partition), "the poison record's partition is blocked");
    assert.ok(progressing.length > 0, 'some partitions are not in the failing batch, and they committed everything');
    assert.ok(now.get(poisonAt.partition)! <= poisonAt.offset, 'nothing at or after the poison record was committed');
    assert.ok(failedInvocations().length > retriesBefore, 'the ESM kept retrying the batch');
    const whileBlocked = observer.account(ledger);
    // Without an outcome: only records waiting uncommitted in the blocked partitions.
    const behind = new Set(ledger.entries.filter((e) => blocked.has(e.partition) && e.offset >= now.get(e.partition)!).map((e) => e.seq));
    const unprocessed = ledger.entries.filter((e) => !observer.uniqueProcessed().has(e.seq));
    assert.is(whileBlocked.lost, unprocessed.length);
    assert.ok(
      unprocessed.every((e) => behind.has(e.seq)),
      'every unprocessed event waits uncommitted in a blocked partition',
    );
    const blockedNote =
      `while blocked (${failedInvocations().length} failed attempts, pollers ${first.snapshot().kafkaEsm.pollers}): published ${whileBlocked.published} = processed ${whileBlocked.processed} + ` +
      `${whileBlocked.lost} not processed, all waiting uncommitted in partitions ${[...blocked].sort((a, b) => a - b).join(', ')} (the failing batch's; ` +
      `the poison record is offset ${poisonAt.offset} of partition ${poisonAt.partition}); partitions ${progressing.join(', ')} committed to their end`;

    // The remedy: bounded retries, bisect and a destination, on the same consumer group.
    await first.stop();
    const fixed = labVariant(1, topic, {
      kafkaEsm: {
        consumerGroupId: groupId,
        provisionedPollers: { minimum: 1, maximum: 1 },
        maximumRetryAttempts: 2,
        bisectBatchOnFunctionError: true,
        onFailure: { kind: 'sqs', queueName: `${topic}-failed` },
      },
    });
    const second = await servers.sandbox(fixed, { onFiltered: observer.onFiltered });
    observer.attach(second);
    await settle(second, observer, ledger, 60_000);
    assert.equal([...observer.deadLettered], [POISON_SEQ], 'only the poison record is dead-lettered');
    // Every duplicate was processed by an attempt that failed (it held the poison record).
    const inFailedAttempts = new Set(observer.outcomes('error').flatMap((i) => observer.processedBy.get(i.requestId) ?? []));
    assert.ok(
      duplicatedSeqs(observer).every((seq) => inFailedAttempts.has(seq)),
      'every duplicate was in a batch with the poison record',
    );

    const accounting = observer.account(ledger);
    reportFault({
      fault: 'poison record, AWS defaults then bounded retries (lab 1)',
      accounting,
      duplicates:
        'all of them records that shared a batch with the poison record: partial batch responses are off, so the function processed them, then threw, at every attempt, and the ESM retried the whole batch (and, once bisect was on, its halves)',
      notes: [blockedNote],
      aws: 'with MaximumRetryAttempts -1 (the default) a failing batch is retried until it succeeds or its records expire, so its partitions stop; bounded retries with a destination (provisioned mode) let them go on (sandbox/MODEL.md, Faults: "poison record")',
    });
  } finally {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  }
});

test.run();
