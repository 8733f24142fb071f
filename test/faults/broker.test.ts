// Fault: the Kafka broker is killed (SIGKILL) mid-run and restarted on the same data folder and
// ports. The producer Lambda and the ESM's kafkajs consumer must reconnect by themselves; the
// ESM resumes from the offsets it committed, so nothing is lost and the records in flight at the
// crash are processed again (at-least-once).
//
// AWS (sandbox/MODEL.md, Faults, "broker crash"): MSK detects and replaces an unhealthy broker,
// and clients reconnect; the ESM commits offsets only after a successful invocation, so after
// any interruption it resumes from the last committed offset and may deliver records again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Sandbox, startSandbox } from '../../sandbox/index.ts';
import { type KafkaSandbox, startKafka } from '../../sandbox/kafka-broker.ts';
import { isPidAlive } from '../../sandbox/process.ts';
import { labVariant, ledgerOf, RunObserver, reportFault, settle, waitFor } from './support.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'workshop-fault-broker-'));
let kafka: KafkaSandbox | undefined;
let sandbox: Sandbox | undefined;

test.after(async () => {
  await sandbox?.stop();
  await kafka?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('broker SIGKILL and restart mid-run: producer and ESM reconnect, nothing is lost', async () => {
  kafka = await startKafka({ dataDir });
  const lab = labVariant(1, 'fault-broker', { traffic: { ratePerSec: 300, durationSec: 10, warmUpSec: 0 } });
  const runId = 'fault-broker';
  const observer = new RunObserver(runId);
  sandbox = await startSandbox(lab, { kafka, onFiltered: observer.onFiltered });
  observer.attach(sandbox);

  const producing = sandbox.produce({ runId, startAtMs: Date.now() + 200, profile: lab.traffic });
  await waitFor(() => observer.uniqueProcessed().size >= 600, 60_000, 'the first 600 events to be processed');
  const crashed = kafka;
  const { port, controllerPort } = crashed;
  const killedAt = Date.now();
  await crashed.kill9();
  const processedAtCrash = observer.uniqueProcessed().size;
  assert.not.ok(isPidAlive(crashed.pid!), 'the broker process is gone');
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // down for a moment: clients see refused connections
  kafka = await startKafka({ dataDir, port, controllerPort });
  const downSeconds = (Date.now() - killedAt) / 1000;
  assert.is(kafka.brokers, crashed.brokers, 'restarted on the same address');
  const endsAtRestart = await topicEnds(kafka, lab.topic.name);

  const produced = await producing;
  assert.is(produced.failedToPublish, 0, 'the producer reconnected: every send was acknowledged in the end');
  const ledger = await ledgerOf(sandbox, runId, produced.published);
  const seqs = new Set(ledger.entries.map((e) => e.seq));
  assert.is(seqs.size, produced.published, 'the topic holds every acknowledged event');
  // A send retried after the broker wrote it but before it acknowledged lands twice in the topic.
  const copiesInTopic = ledger.entries.length - seqs.size;
  assert.ok(processedAtCrash < seqs.size, `killed mid-run (${processedAtCrash} of ${seqs.size} processed)`);
  const publishedAfterRestart = ledger.entries.filter((e) => e.offset >= (endsAtRestart.get(e.partition) ?? 0)).length;
  assert.ok(publishedAfterRestart > 0, 'the producer published after the restart');
  await settle(sandbox, observer, ledger, 90_000);

  const accounting = observer.account(ledger);
  reportFault({
    fault: 'broker SIGKILL+restart (lab 1)',
    accounting,
    duplicates:
      accounting.duplicated === 0
        ? 'none: the ESM kept its fetch position through the outage and its commits, retried by kafkajs, went through after the restart'
        : 'records in flight or uncommitted when the broker died, redelivered from the last committed offset' +
          (copiesInTopic ? `, and ${copiesInTopic} sends the producer retried after the broker had written them` : ''),
    notes: [
      `${processedAtCrash} events processed before the SIGKILL; broker down ${downSeconds.toFixed(1)} s; ${publishedAfterRestart} events published after the restart, all processed (the producer and the ESM's consumer reconnected)`,
    ],
    aws: 'MSK replaces a failed broker and clients reconnect; the ESM commits only after success, so it resumes from the last committed offset and may deliver records again (sandbox/MODEL.md, Faults: "broker crash")',
  });
});

async function topicEnds(broker: KafkaSandbox, topic: string): Promise<Map<number, number>> {
  const admin = new Kafka({ clientId: 'fault-broker-ends', brokers: broker.brokerList, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  } finally {
    await admin.disconnect();
  }
}

test.run();
