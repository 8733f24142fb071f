// The baseline: a plain kafkajs consumer with no ESM, no Lambda runtime, nothing in between.
// Runs in its own process (forked by plain-consumer.ts) so it has an event loop of its own and
// does not slow, or get slowed by, the sandbox's main thread; both still share the machine's cores.
// Per record, exactly what the lab's booking processor does: parse the booking JSON, await a timer
// of processingMsPerRecord, then end-to-end = now - intendedAt. One record at a time (eachMessage)
// or one fetched batch at a time (eachBatch, kafkajs's fastest).
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import type { ChildMessage, ParentMessage, PlainConsumerConfig } from './plain-consumer.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as PlainConsumerConfig;
const send = (message: ChildMessage) => process.send?.(message);

/** [seq, endToEndMs, completedAt] per record of the run, first delivery only. */
const done: Array<[number, number, number]> = [];
const seen = new Set<number>();
let duplicates = 0;

const kafka = new Kafka({ clientId: 'bench-plain-consumer', brokers: config.brokers, logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: config.groupId, allowAutoTopicCreation: false });

async function processRecord(value: Buffer | null): Promise<void> {
  const booking = JSON.parse(value?.toString('utf8') ?? '{}') as { runId?: string; seq?: number; intendedAt?: number };
  if (booking.runId !== config.runId || typeof booking.seq !== 'number' || typeof booking.intendedAt !== 'number') return;
  if (config.processingMsPerRecord > 0) await sleep(config.processingMsPerRecord);
  const now = Date.now();
  if (seen.has(booking.seq)) {
    duplicates++;
    return;
  }
  seen.add(booking.seq);
  done.push([booking.seq, now - booking.intendedAt, now]);
}

async function main(): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topics: [config.topic], fromBeginning: true });
  consumer.on(consumer.events.GROUP_JOIN, () => send({ type: 'ready' }));
  await consumer.run({
    partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
    ...(config.mode === 'each-batch'
      ? {
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) await processRecord(message.value);
          },
        }
      : { eachMessage: ({ message }) => processRecord(message.value) }),
  });
}

const progress = setInterval(() => send({ type: 'progress', count: done.length }), 250);

process.on('message', (message: ParentMessage) => {
  if (message.type !== 'stop') return;
  clearInterval(progress);
  void consumer
    .disconnect()
    .catch(() => undefined)
    .finally(() => {
      // A large result takes a while to leave: disconnect only once it has.
      process.send?.({ type: 'result', done, duplicates } satisfies ChildMessage, undefined, {}, () => {
        process.disconnect?.();
        setTimeout(() => process.exit(0), 100).unref();
      });
    });
});
// The parent went away without saying stop: leave too.
process.on('disconnect', () => process.exit(0));

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
