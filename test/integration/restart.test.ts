// The sandbox process is killed (SIGKILL) mid-run and started again: the new one resumes from
// the committed offsets, and every event is processed at least once (duplicates are the
// records that were in flight when it died).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Kafka, logLevel } from 'kafkajs';
import { toKafkaMessage } from '../../handlers/producer.ts';
import { bookingSchedule } from '../../handlers/shared/schedule.ts';
import { startKafka, type KafkaSandbox } from '../../sandbox/kafka-broker.ts';
import { labVariant, waitFor } from './support.ts';

const TOPIC = 'it-restart';
const RUN_ID = 'restart';
const EVENTS = 3000;
let kafka: KafkaSandbox | undefined;
const children: ChildProcess[] = [];

test.after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await kafka?.stop();
});

function startSandboxProcess(out: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fixtures/sandbox-process.ts', import.meta.url).pathname], {
    env: { ...process.env, KAFKA_BROKERS: kafka!.brokers, TOPIC, GROUP_ID: 'restart-group', RUN_ID, OUT: out, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
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

test('after SIGKILL mid-run, a restarted sandbox resumes from committed offsets with no loss', async () => {
  kafka = await startKafka();
  const out = join(mkdtempSync(join(tmpdir(), 'klw-restart-')), 'processed.txt');
  const first = await startSandboxProcess(out);

  const lab = labVariant(1, TOPIC, { traffic: { ratePerSec: 1000, durationSec: EVENTS / 1000, warmUpSec: 0 } });
  const client = new Kafka({ clientId: 'restart-test', brokers: kafka.brokerList, logLevel: logLevel.NOTHING });
  const producer = client.producer();
  await producer.connect();
  const events = [...bookingSchedule(lab.traffic, Date.now())];
  assert.is(events.length, EVENTS);
  let sent = 0;
  const sending = (async () => {
    for (let i = 0; i < events.length; i += 100) {
      await producer.send({ topic: TOPIC, messages: events.slice(i, i + 100).map((e) => toKafkaMessage(RUN_ID, e, lab.traffic.eventBytes)) });
      sent += Math.min(100, events.length - i);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  await waitFor(() => processedSeqs(out).length > 300, 30_000, 'the first sandbox to process some events');
  first.kill('SIGKILL');
  const beforeKill = new Set(processedSeqs(out)).size;
  await sending;
  await producer.disconnect();
  assert.is(sent, EVENTS);
  assert.ok(beforeKill < EVENTS, `killed mid-run (${beforeKill} of ${EVENTS} processed)`);

  const second = await startSandboxProcess(out);
  await waitFor(() => new Set(processedSeqs(out)).size >= EVENTS, 60_000, 'every event processed after the restart');
  second.kill('SIGTERM');
  await new Promise((resolve) => second.once('exit', resolve));

  const all = processedSeqs(out);
  const unique = new Set(all);
  assert.is(unique.size, EVENTS, 'no event lost');
  const duplicates = all.length - unique.size;
  console.log(`restart: ${beforeKill} processed before SIGKILL, ${EVENTS} after restart, ${duplicates} processed twice (in flight or uncommitted at the kill)`);
  assert.ok(duplicates < EVENTS / 2, `the restart resumed from committed offsets, not from the start (${duplicates} duplicates)`);
});

test.run();
