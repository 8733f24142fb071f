// The embedded SQS: ElasticMQ (org.elasticmq.server.Main) from the locked jars of
// sandbox/jvm/elasticmq/pom.xml (see jars.ts), bound to 127.0.0.1 on a free port, with a config
// file generated per run. ElasticMQ >= 1.6.16 speaks the AWS JSON protocol that AWS SDK v3
// clients use (X-Amz-Target: AmazonSQS.*); 1.7.1 is used. It has no separate stats/UI port.
//
// Queue URLs look like http://127.0.0.1:PORT/000000000000/<name> and ARNs like
// arn:aws:sqs:us-east-1:000000000000:<name>, so a RedrivePolicy naming a DLQ by ARN works as on AWS.
//
// By default queues and messages live in memory: a restart empties them. With `persist` (and a
// dataDir) ElasticMQ keeps them in that folder, as SQS, a durable service, keeps a queue's
// messages through any failure: ElasticMQ's messages-storage puts queues (with their attributes:
// visibility timeout, redrive policy) and messages (with their receive state, so receipt handles
// stay valid and in-flight messages stay invisible) in an H2 database written at each change
// (WRITE_DELAY=0): a SIGKILL loses nothing ElasticMQ acknowledged (checked by hand: acknowledged
// sends minus acknowledged deletes before a SIGKILL is exactly what a restart holds). ElasticMQ
// answers requests before it has restored the queues, so a start waits for its "Restored"
// lines. A start on the same dataDir reuses the previous port when it is free, so the queue URLs
// clients hold stay valid (test/sandbox/elasticmq.test.ts, test/faults/elasticmq.test.ts).
//
// SQS_ENDPOINT=http://host:port skips all of this and uses that endpoint (stop is a no-op).
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { sleep } from './clock.ts';
import { SandboxError } from './errors.ts';
import { readJson, removeDir } from './files.ts';
import { assertPortFree, freePort, LOOPBACK, reusablePort } from './free-port.ts';
import { classDataSharing, ensureJars, findJava } from './jars.ts';
import { type ManagedProcess, markerArg, newMarker, reapOrphans, startProcess } from './process.ts';
import { serverControls } from './server-controls.ts';

export const SANDBOX_REGION = 'us-east-1';
export const SANDBOX_ACCOUNT_ID = '000000000000';

export interface ElasticMqOptions {
  /** Port; default a free one. */
  port?: number;
  /** Folder for the generated config and the log; default a temp folder removed by stop(). */
  dataDir?: string;
  /**
   * Keep queues and messages in dataDir across restarts (an H2 database), as SQS keeps them;
   * default false (in memory). Needs dataDir.
   */
  persist?: boolean;
  keepDataDir?: boolean;
  /** JVM heap in MB; default 256. */
  heapMb?: number;
  /** How long to wait for ListQueues to answer; default 60 s. */
  readyTimeoutMs?: number;
  /**
   * ElasticMQ's limit checks: 'strict' (default) rejects what SQS rejects (batch of more than 10,
   * attribute counts, ...), 'relaxed' lifts them.
   */
  sqsLimits?: 'strict' | 'relaxed';
  env?: NodeJS.ProcessEnv;
  /** Start ElasticMQ even when SQS_ENDPOINT is set. */
  ignoreEnv?: boolean;
  cacheRoot?: string;
  /** Grace period between SIGTERM and SIGKILL in stop(); default 10 s. */
  stopGraceMs?: number;
}

export interface ElasticMqSandbox {
  /** e.g. "http://127.0.0.1:40123" (or $SQS_ENDPOINT). */
  endpoint: string;
  region: string;
  accountId: string;
  external: boolean;
  version: string | undefined;
  dataDir: string | undefined;
  logFile: string | undefined;
  pid: number | undefined;
  port: number | undefined;
  /** Milliseconds from the call to a ready server (jar fetch excluded). */
  startMs: number;
  /** SQSClient options for this endpoint (region, dummy credentials). */
  clientConfig(): SQSClientConfig;
  isRunning(): boolean;
  stop(): Promise<void>;
  /** SIGKILL now (fault tests). */
  kill9(): Promise<void>;
}

/** Messages a queue holds: visible ones and those in flight (received, not yet deleted). */
export async function messagesHeld(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** SQSClient options for a local endpoint: us-east-1 and dummy credentials (ElasticMQ ignores them). */
export function sqsClientConfig(endpoint: string, extra: SQSClientConfig = {}): SQSClientConfig {
  return {
    region: SANDBOX_REGION,
    endpoint,
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    ...extra,
  };
}

export async function startElasticMq(options: ElasticMqOptions = {}): Promise<ElasticMqSandbox> {
  const env = options.env ?? process.env;
  const started = Date.now();
  if (!options.ignoreEnv && env.SQS_ENDPOINT) return useExternal(env.SQS_ENDPOINT, options, started);

  const java = findJava('elasticmq', env);
  const jars = await ensureJars('elasticmq', { env, cacheRoot: options.cacheRoot });
  await reapOrphans();
  const t0 = Date.now();

  if (options.persist && options.dataDir === undefined) {
    throw new SandboxError(
      'ElasticMQ persistence needs a dataDir to keep the queues and messages in; pass dataDir, or leave persist off for in-memory queues.',
    );
  }
  const ownsDir = options.dataDir === undefined;
  const dataDir = ownsDir ? mkdtempSync(join(tmpdir(), 'workshop-elasticmq-')) : resolve(options.dataDir!);
  try {
    mkdirSync(dataDir, { recursive: true });
    if (options.port !== undefined) await assertPortFree(options.port, 'ElasticMQ server');
    const logFile = join(dataDir, 'elasticmq.log');
    const configFile = join(dataDir, 'elasticmq.conf');
    const stateFile = join(dataDir, 'sandbox.json');
    const previousPort = readPreviousPort(stateFile);

    for (let attempt = 1; ; attempt++) {
      // The previous port of this dataDir when it is free: queue URLs name the port.
      const port = options.port ?? ((await reusablePort(previousPort, attempt)) ? previousPort! : await freePort());
      writeFileSync(configFile, elasticMqConfig(port, options.sqsLimits ?? 'strict', options.persist ? dataDir : undefined));
      writeFileSync(stateFile, JSON.stringify({ port, version: jars.version }, null, 2));
      // The queues this start must restore, read before it writes its own lines.
      const toRestore = options.persist ? persistedQueues(readBytesFrom(logFile, 0)) : new Set<string>();
      appendFileSync(logFile, `${startLine(options.persist === true)}\n`);
      const marker = newMarker('elasticmq');
      const heap = options.heapMb ?? 256;
      const cds = classDataSharing(jars, java, env);
      const proc = startProcess({
        name: 'elasticmq',
        command: java.path,
        args: [
          `-Xmx${heap}m`,
          `-Xms${Math.min(heap, 64)}m`,
          // C1 only and a serial collector: quick to warm up, light on a 2-core laptop.
          '-XX:TieredStopAtLevel=1',
          '-XX:+UseSerialGC',
          '-Djava.awt.headless=true',
          '-Djava.net.preferIPv4Stack=true',
          `-Dconfig.file=${configFile}`,
          ...cds.args,
          markerArg(marker),
          '-cp',
          jars.classpath,
          'org.elasticmq.server.Main',
        ],
        env,
        cwd: dataDir,
        logFile,
        marker,
      });
      const endpoint = `http://${LOOPBACK}:${port}`;
      const timeout = options.readyTimeoutMs ?? 60_000;
      const deadline = Date.now() + timeout;
      let outcome: 'ready' | 'timeout' | 'exited' | 'not-restored' = await waitUntilSqsReady(endpoint, timeout, proc);
      // ElasticMQ answers before it has restored persisted queues: wait for them too.
      if (outcome === 'ready' && toRestore.size > 0) outcome = await waitUntilRestored(proc, toRestore, deadline);
      void proc.exited.then((exit) => cds.finish(exit, outcome === 'ready'));
      if (outcome === 'ready') {
        return embeddedHandle({ proc, endpoint, port, dataDir, ownsDir, logFile, options, version: jars.version, startMs: Date.now() - t0 });
      }
      await proc.stop(2_000);
      const tail = proc.logTail(25);
      const detail = tail.trim() ? `--- last lines of ${logFile} ---\n${tail}` : `(the log ${logFile} is empty)`;
      if (outcome === 'not-restored') {
        throw new SandboxError(
          `ElasticMQ on ${endpoint} did not restore the queues ${[...toRestore].join(', ')} from ${dataDir} within ${(timeout / 1000).toFixed(1)} s, so it was stopped; read its log ${logFile}, or delete ${dataDir} to start with no queues.`,
          { detail },
        );
      }
      if (outcome === 'timeout') {
        throw new SandboxError(
          `ElasticMQ on ${endpoint} did not answer ListQueues within ${(timeout / 1000).toFixed(1)} s, so it was stopped; raise readyTimeoutMs (a start takes a few seconds) or read its log ${logFile}.`,
          { detail },
        );
      }
      if (/Address already in use|BindException|Bind failed/i.test(tail)) {
        if (options.port === undefined && attempt < 3) continue; // lost a race for a free port
        throw new SandboxError(
          `ElasticMQ could not bind ${LOOPBACK}:${port} because another process uses it; stop that process, choose another port, or leave the port unset so a free one is chosen.`,
          { detail },
        );
      }
      const exit = proc.exitInfo();
      const how = exit?.signal ? `was killed by ${exit.signal}` : `exited with code ${exit?.code}`;
      throw new SandboxError(`ElasticMQ ${how} before it was ready; read its log ${logFile} for the cause.`, { detail });
    }
  } catch (error) {
    if (ownsDir && !options.keepDataDir) removeDir(dataDir);
    throw error;
  }
}

function embeddedHandle(args: {
  proc: ManagedProcess;
  endpoint: string;
  port: number;
  dataDir: string;
  ownsDir: boolean;
  logFile: string;
  options: ElasticMqOptions;
  version: string;
  startMs: number;
}): ElasticMqSandbox {
  const { proc, endpoint, dataDir, ownsDir, options } = args;
  return {
    endpoint,
    region: SANDBOX_REGION,
    accountId: SANDBOX_ACCOUNT_ID,
    external: false,
    version: args.version,
    dataDir,
    logFile: args.logFile,
    pid: proc.pid,
    port: args.port,
    startMs: args.startMs,
    clientConfig: () => sqsClientConfig(endpoint),
    ...serverControls(proc, { dir: dataDir, owned: ownsDir, keep: options.keepDataDir, graceMs: options.stopGraceMs ?? 10_000 }),
  };
}

async function useExternal(endpoint: string, options: ElasticMqOptions, started: number): Promise<ElasticMqSandbox> {
  const timeout = options.readyTimeoutMs ?? 15_000;
  if ((await waitUntilSqsReady(endpoint, timeout)) !== 'ready') {
    throw new SandboxError(
      `SQS_ENDPOINT=${endpoint} did not answer ListQueues within ${(timeout / 1000).toFixed(1)} s; start that server, fix the address, or unset SQS_ENDPOINT to use the embedded ElasticMQ.`,
    );
  }
  return {
    endpoint,
    region: SANDBOX_REGION,
    accountId: SANDBOX_ACCOUNT_ID,
    external: true,
    version: undefined,
    dataDir: undefined,
    logFile: undefined,
    pid: undefined,
    port: undefined,
    startMs: Date.now() - started,
    clientConfig: () => sqsClientConfig(endpoint),
    isRunning: () => true,
    stop: async () => {},
    kill9: async () => {
      throw new SandboxError('Cannot crash the server given by SQS_ENDPOINT; unset SQS_ENDPOINT to run fault tests on the embedded ElasticMQ.');
    },
  };
}

/** Polls an SQS ListQueues call until it answers, the process exits, or the timeout passes. */
export async function waitUntilSqsReady(endpoint: string, timeoutMs: number, proc?: ManagedProcess): Promise<'ready' | 'timeout' | 'exited'> {
  const deadline = Date.now() + timeoutMs;
  const client = new SQSClient(sqsClientConfig(endpoint, { maxAttempts: 1, requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 } }));
  try {
    while (true) {
      if (proc && !proc.isRunning()) return 'exited';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      try {
        await client.send(new ListQueuesCommand({}), { abortSignal: AbortSignal.timeout(Math.max(1, left)) });
        return 'ready';
      } catch {
        // not yet
      }
      if (proc && !proc.isRunning()) return 'exited';
      if (Date.now() >= deadline) return 'timeout';
      await sleep(Math.min(100, Math.max(0, deadline - Date.now())));
    }
  } finally {
    client.destroy();
  }
}

function readBytesFrom(file: string, offset: number): string {
  try {
    return readFileSync(file).subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}

// The log tells which queues a persisted ElasticMQ holds: each start writes a line saying whether
// it persisted, and ElasticMQ logs (at INFO, its default) every queue it creates, deletes or
// restores. Only persisted starts changed the database.
const START_LINE = /^--- sandbox\/elasticmq\.ts: start, persist (on|off) ---$/;
const QUEUE_NAME = '([A-Za-z0-9_.-]+)';
const CREATED = new RegExp(`Creating queue CreateQueueData\\(${QUEUE_NAME},`);
const DELETED = new RegExp(`Deleting queue ${QUEUE_NAME}\\s*$`);
const RESTORED = new RegExp(`Restored \\d+ messages in queue ${QUEUE_NAME}\\s*$`);

function startLine(persist: boolean): string {
  return `--- sandbox/elasticmq.ts: start, persist ${persist ? 'on' : 'off'} ---`;
}

/** Queues created and not deleted by the persisted starts logged in `log`. */
export function persistedQueues(log: string): Set<string> {
  const queues = new Set<string>();
  let persisted = false;
  for (const line of log.split('\n')) {
    const start = START_LINE.exec(line);
    if (start) {
      persisted = start[1] === 'on';
      continue;
    }
    if (!persisted) continue;
    const created = CREATED.exec(line);
    if (created) queues.add(created[1]);
    const deleted = DELETED.exec(line);
    if (deleted) queues.delete(deleted[1]);
  }
  return queues;
}

/** Waits until this process logged "Restored N messages in queue X" for every queue to restore. */
async function waitUntilRestored(proc: ManagedProcess, queues: Set<string>, deadline: number): Promise<'ready' | 'not-restored' | 'exited'> {
  while (true) {
    const restored = new Set<string>();
    for (const line of readBytesFrom(proc.logFile, proc.logOffset).split('\n')) {
      const match = RESTORED.exec(line);
      if (match) restored.add(match[1]);
    }
    if ([...queues].every((q) => restored.has(q))) return 'ready';
    if (!proc.isRunning()) return 'exited';
    if (Date.now() >= deadline) return 'not-restored';
    await sleep(50);
  }
}

function readPreviousPort(stateFile: string): number | undefined {
  const port = readJson<{ port?: unknown }>(stateFile)?.port;
  return typeof port === 'number' && Number.isInteger(port) ? port : undefined;
}

/** ElasticMQ's messages-storage in `dir` (persistence-sql: queues and messages in H2). */
function persistenceConfig(dir: string): string {
  // WRITE_DELAY=0: H2 writes each commit at once instead of within 500 ms, so a SIGKILL loses
  // nothing acknowledged (the OS keeps what was written; only a machine crash would need fsync).
  const uri = `jdbc:h2:${join(dir, 'messages')};WRITE_DELAY=0`;
  return `
messages-storage {
  enabled = true
  driver-class = "org.h2.Driver"
  uri = ${JSON.stringify(uri)}
  username = ""
  password = ""
  prune-data-on-init = false
}
`;
}

function elasticMqConfig(port: number, limits: 'strict' | 'relaxed', persistIn?: string): string {
  return `# Written by sandbox/elasticmq.ts on every start; edits are overwritten.
include classpath("application.conf")

# The address put into queue URLs.
node-address {
  protocol = "http"
  host = "${LOOPBACK}"
  port = ${port}
  context-path = ""
}

rest-sqs {
  enabled = true
  bind-port = ${port}
  bind-hostname = "${LOOPBACK}"
  sqs-limits = ${limits}
}

generate-node-address = false

queues {}

aws {
  region = "${SANDBOX_REGION}"
  accountId = "${SANDBOX_ACCOUNT_ID}"
}
${persistIn ? persistenceConfig(persistIn) : ''}`;
}
