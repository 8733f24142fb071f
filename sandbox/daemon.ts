// The process behind `workshop sandbox up`: Kafka and ElasticMQ (and, with --lab, that lab's
// pipeline) kept running in the background for people who want to poke at them with their own
// tools. It writes its endpoints to a state file and stops everything on SIGTERM or SIGINT.
import { rmSync, writeFileSync } from 'node:fs';
import { findLab } from '../labs/index.ts';
import { type SandboxState, sandboxStatePath } from './daemon-state.ts';
import { startElasticMq } from './elasticmq.ts';
import { type Sandbox, startSandbox } from './index.ts';
import { startKafka } from './kafka-broker.ts';

const statePath = sandboxStatePath();
const labArg = process.env.WORKSHOP_SANDBOX_LAB;
const kafka = await startKafka();
const elasticMq = await startElasticMq();
let sandbox: Sandbox | undefined;
const lab = labArg ? findLab(labArg) : undefined;
if (lab) sandbox = await startSandbox(lab, { kafka, elasticMq });

const state: SandboxState = {
  pid: process.pid,
  startedAt: new Date().toISOString(),
  kafkaBrokers: kafka.brokers,
  sqsEndpoint: elasticMq.endpoint,
  kafkaVersion: kafka.version,
  lab: lab?.id,
  topic: lab?.topic.name,
  queues: sandbox?.queues,
};
writeFileSync(statePath, `${JSON.stringify(state, null, 2)}\n`);
console.log('ready');

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await sandbox?.stop();
  await Promise.allSettled([kafka.stop(), elasticMq.stop()]);
  rmSync(statePath, { force: true });
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
setInterval(() => undefined, 60_000);
