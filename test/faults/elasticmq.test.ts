// Fault: ElasticMQ (the SQS of lab 3's buffer) is killed (SIGKILL) mid-run, with messages waiting
// in the queue, and restarted on the same data folder and port. ElasticMQ runs with persistence
// (sandbox/elasticmq.ts `persist`: queues and messages in an H2 file), as SQS is durable: the
// queued messages survive. While it is down the sqs-forwarder cannot queue, fails its
// invocation, and the Kafka ESM retries the batch (lab 3 keeps the AWS defaults: infinite
// retries), so nothing is lost; what the forwarder had queued before failing is queued again
// (duplicates).
//
// AWS (sandbox/MODEL.md, Faults, "SQS unavailable"): SQS stores messages redundantly and keeps
// them through failures; a SendMessageBatch that fails makes the forwarder throw, and the Kafka
// ESM retries the whole batch (kafka-retry-configurations.html: default -1, infinite).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LABS } from '../../labs/index.ts';
import { type ElasticMqSandbox, messagesHeld, startElasticMq } from '../../sandbox/elasticmq.ts';
import { type Sandbox, startSandbox } from '../../sandbox/index.ts';
import { type KafkaSandbox, startKafka } from '../../sandbox/kafka-broker.ts';
import type { InvocationRecord } from '../../sandbox/lambda-runtime/index.ts';
import { labVariant, ledgerOf, RunObserver, reportFault, settle, waitFor } from './support.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'workshop-fault-elasticmq-'));
let kafka: KafkaSandbox | undefined;
let elasticMq: ElasticMqSandbox | undefined;
let sandbox: Sandbox | undefined;

test.after(async () => {
  await sandbox?.stop();
  await Promise.allSettled([kafka?.stop(), elasticMq?.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
});

test('ElasticMQ SIGKILL and restart mid-run (lab 3): queued messages survive, the forwarder fails and is retried, nothing is lost', async () => {
  [kafka, elasticMq] = await Promise.all([startKafka(), startElasticMq({ dataDir, persist: true })]);
  const lab = labVariant(3, 'fault-elasticmq', {
    // Long enough that the producer is still publishing when SQS dies, however slowly the backlog
    // below builds on a loaded machine: with no new records the forwarder is not invoked, so it
    // could not fail while SQS is down.
    traffic: { ratePerSec: 150, durationSec: 20, warmUpSec: 0 },
    // A message received by a long poll whose answer died with the server stays invisible for the
    // visibility timeout before SQS redelivers it: 10 s (the processor's timeout) keeps this short.
    // Two concurrent batches of 10 x 20 ms (100/s) against 150/s offered: the queue always holds a
    // backlog at the crash, however fast the machine (lab 3's 40 would drain it between polls).
    processor: { timeoutSeconds: 10, processingMsPerRecord: 20 },
    sqsBuffer: { ...LABS[2].sqsBuffer!, visibilityTimeoutSeconds: 10, maximumConcurrency: 2 },
  });
  const runId = 'fault-elasticmq';
  const observer = new RunObserver(runId);
  sandbox = await startSandbox(lab, { kafka, elasticMq, onFiltered: observer.onFiltered });
  observer.attach(sandbox);
  // The forwarder's invocations, and how many records each queued (its "batch forwarded" line).
  const forwarder: InvocationRecord[] = [];
  const forwardedBy = new Map<string, number>();
  const forwarderName = sandbox.functions.kafkaTarget.name;
  sandbox.runtime.onInvocation((record) => record.functionName === forwarderName && forwarder.push(record));
  sandbox.runtime.onLog((line) => {
    const json = line.json as { message?: string; forwarded?: number } | undefined;
    if (line.functionName === forwarderName && json?.message === 'batch forwarded') forwardedBy.set(line.requestId, json.forwarded ?? 0);
  });

  const startAtMs = Date.now() + 200;
  const producing = sandbox.produce({ runId, startAtMs, profile: lab.traffic });
  await waitFor(
    () => observer.uniqueProcessed().size >= 200 && sandbox!.snapshot().sqsEsm!.queueDepth >= 100,
    60_000,
    'a backlog of 100 messages in the buffer',
  );
  const sqs = sandbox.sqsClient()!;
  const depth = () => messagesHeld(sqs, sandbox!.queues.buffer!.url);
  const queuedAtCrash = await depth();
  const publishingLeftMs = startAtMs + lab.traffic.durationSec * 1000 - Date.now();
  assert.ok(publishingLeftMs > 5_000, `the producer still publishes when SQS dies (${Math.round(publishingLeftMs / 1000)} s of the schedule left)`);
  const crashed = elasticMq;
  const killedAt = Date.now();
  await crashed.kill9();
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // down for a moment: the forwarder's sends are refused
  elasticMq = await startElasticMq({ dataDir, persist: true });
  const restartedAt = Date.now();
  assert.is(elasticMq.endpoint, crashed.endpoint, 'restarted on the same port, so the queue URLs still hold');
  const queuedAfterRestart = await depth();
  // In memory, the restarted server would not even know the queue. Every send and delete it
  // acknowledged is on disk (checked by hand: acknowledged sends minus acknowledged deletes before
  // a SIGKILL is exactly what comes back); the pipeline kept sending and deleting between the
  // count above and the kill, so the two counts differ a little.
  assert.ok(
    queuedAfterRestart > 0,
    `the queued messages survived the restart (${queuedAtCrash} queued just before the kill, ${queuedAfterRestart} after the restart)`,
  );

  const produced = await producing;
  assert.is(produced.failedToPublish, 0);
  const ledger = await ledgerOf(sandbox, runId, produced.published);
  await settle(sandbox, observer, ledger, 90_000);

  const failedForwards = forwarder.filter((r) => r.outcome !== 'ok' && r.start >= killedAt - 5_000);
  assert.ok(failedForwards.length > 0, 'the forwarder failed while SQS was down');
  // SQS was down from the kill until the restarted server listened, which is before
  // startElasticMq returns (it then waits for the restore): a forwarder invocation that started
  // after the kill and succeeded reached the restarted server, even if it started before restartedAt.
  const retriedAfter = forwarder.filter((r) => r.outcome === 'ok' && r.start >= killedAt).length;
  assert.ok(retriedAfter > 0, 'the Kafka ESM retried, and the forwarder succeeded after the restart');
  const accounting = observer.account(ledger);
  // Where the extra processings come from: copies the forwarder queued in an invocation that then
  // failed (the Kafka ESM retried the whole batch, so they were queued again), and messages SQS
  // delivered again (a delete refused, or a receive answer lost, while the server was down).
  const extraProcessings = observer.processed.length - observer.uniqueProcessed().size;
  const requeued = failedForwards.reduce((sum, r) => sum + (forwardedBy.get(r.requestId) ?? 0), 0);
  const redelivered = extraProcessings - requeued;
  assert.ok(redelivered >= 0, `every extra processing is explained (${extraProcessings} extra, ${requeued} re-queued copies)`);
  reportFault({
    fault: 'ElasticMQ SIGKILL+restart (lab 3)',
    accounting,
    duplicates:
      accounting.duplicated === 0
        ? 'none: no forwarder batch had queued part of its records before failing, and no delete was lost'
        : `${requeued} copies queued by forwarder batches that failed part-way and were retried by the Kafka ESM, ${redelivered} messages redelivered by SQS after a delete or receive lost while it was down`,
    notes: [
      `${queuedAtCrash} messages queued just before the SIGKILL (${Math.round(publishingLeftMs / 1000)} s of publishing left), ${queuedAfterRestart} restored from disk by the restart; down ${((restartedAt - killedAt) / 1000).toFixed(1)} s (restart with restore ${(elasticMq.startMs / 1000).toFixed(1)} s)`,
      `${failedForwards.length} forwarder invocations failed while SQS was down; the Kafka ESM retried their batches until the forwarder succeeded`,
    ],
    aws: 'SQS is durable: messages survive server failures; a failed SendMessageBatch makes the forwarder throw and the Kafka ESM retries the batch, by default forever (sandbox/MODEL.md, Faults: "SQS unavailable")',
  });
});

test.run();
