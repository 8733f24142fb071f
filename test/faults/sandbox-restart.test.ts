// Fault: the sandbox process itself (the Lambda service, its ESM and functions) is killed
// (SIGKILL) mid-run and started again on the same consumer group. The new one resumes from the
// committed offsets: every event is processed, and exactly the records the killed one had
// processed but not yet committed are processed again (at-least-once).
//
// AWS (sandbox/MODEL.md, Faults, "ESM restart"): the mapping commits offsets only after a
// successful invocation; when its pollers are replaced (a deployment, a failure, a rebalance) the
// consumer group resumes from the committed offsets, so uncommitted records are delivered again.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toKafkaMessage } from '../../handlers/producer.ts';
import { bookingSchedule } from '../../handlers/shared/schedule.ts';
import { account } from '../../harness/accounting.ts';
import { readLedger } from '../../harness/ledger.ts';
import { type KafkaSandbox, startKafka } from '../../sandbox/kafka-broker.ts';
import { labVariant, reportFault, waitFor } from './support.ts';

const TOPIC = 'fault-restart';
const RUN_ID = 'fault-restart';
const GROUP_ID = 'fault-restart-group';
const EVENTS = 3000;
const scratch = mkdtempSync(join(tmpdir(), 'workshop-fault-restart-'));
let kafka: KafkaSandbox | undefined;
const children: ChildProcess[] = [];

test.after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await kafka?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** A sandbox in its own process (fixtures/sandbox-process.ts), writing processed seqs to `out`. */
function startSandboxProcess(out: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fixtures/sandbox-process.ts', import.meta.url).pathname], {
    env: { ...process.env, KAFKA_BROKERS: kafka!.brokers, TOPIC, GROUP_ID, RUN_ID, OUT: out, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('ready') && resolve(child));
    child.on('exit', (code) => reject(new Error(`sandbox process exited (${code}) before it was ready: ${log.slice(-500)}`)));
  });
}

function processedSeqs(out: string): number[] {
  return existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).map(Number) : [];
}

test('sandbox process SIGKILL and restart mid-run: it resumes from the committed offsets; exactly the uncommitted records are processed again', async () => {
  kafka = await startKafka();
  const firstOut = join(scratch, 'first.txt');
  const secondOut = join(scratch, 'second.txt');
  const first = await startSandboxProcess(firstOut);

  const lab = labVariant(1, TOPIC, { traffic: { ratePerSec: 1000, durationSec: EVENTS / 1000, warmUpSec: 0 } });
  const client = new Kafka({ clientId: 'fault-restart', brokers: kafka.brokerList, logLevel: logLevel.NOTHING });
  const producer = client.producer();
  const admin = client.admin();
  await Promise.all([producer.connect(), admin.connect()]);
  const events = [...bookingSchedule(lab.traffic, Date.now())];
  assert.is(events.length, EVENTS);
  const sending = (async () => {
    for (let i = 0; i < events.length; i += 100) {
      await producer.send({ topic: TOPIC, messages: events.slice(i, i + 100).map((e) => toKafkaMessage(RUN_ID, e, lab.traffic.eventBytes)) });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  try {
    await waitFor(() => processedSeqs(firstOut).length > 300, 30_000, 'the first sandbox to process some events');
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    // What the killed sandbox managed to commit: the new one starts there.
    const [committedAtKill] = await admin.fetchOffsets({ groupId: GROUP_ID, topics: [TOPIC] });
    const committed = new Map(committedAtKill.partitions.map((p) => [p.partition, Number(p.offset)]));
    await sending;
    const beforeKill = processedSeqs(firstOut);
    assert.ok(new Set(beforeKill).size < EVENTS, `killed mid-run (${new Set(beforeKill).size} of ${EVENTS} processed)`);

    const second = await startSandboxProcess(secondOut);
    const all = () => [...processedSeqs(firstOut), ...processedSeqs(secondOut)];
    await waitFor(() => new Set(all()).size >= EVENTS, 60_000, 'every event processed after the restart');
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));

    const ledger = await readLedger({ brokers: kafka.brokerList, topic: TOPIC, runId: RUN_ID, expected: EVENTS });
    const accounting = account({ published: ledger.entries.map((e) => e.seq), processed: all(), filtered: [], deadLettered: [] });
    // The restarted sandbox re-read each partition from its committed offset, so the duplicates are
    // exactly the records the killed one had processed at or after that offset.
    const uncommitted = new Set(
      beforeKill.filter((seq) => {
        const at = ledger.bySeq.get(seq)!;
        return at.offset >= (committed.get(at.partition) ?? 0);
      }),
    );
    assert.is(accounting.duplicated, uncommitted.size, 'duplicates = records processed by the killed sandbox but not committed');
    const afterRestart = processedSeqs(secondOut);
    const reread = afterRestart.filter((seq) => {
      const at = ledger.bySeq.get(seq)!;
      return at.offset < (committed.get(at.partition) ?? 0);
    });
    assert.equal(reread, [], 'the new sandbox processed nothing below the committed offsets: it resumed there, not from the start');
    reportFault({
      fault: 'sandbox process SIGKILL+restart (lab 1)',
      accounting,
      duplicates:
        uncommitted.size === 0
          ? 'none: the killed sandbox had committed everything it processed (a record is processed again only if the kill falls between its invocation and the commit)'
          : `exactly the ${uncommitted.size} records the killed sandbox had processed but not yet committed, redelivered from the last committed offset`,
      notes: [
        `${new Set(beforeKill).size} events processed before the SIGKILL; the new sandbox joined the same consumer group and resumed from its committed offsets`,
      ],
      aws: 'offsets are committed only after a successful invocation; a replaced poller resumes the consumer group from the last committed offset, so uncommitted records are delivered again (sandbox/MODEL.md, Faults: "ESM restart")',
    });
  } finally {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  }
});

test.run();
