// The embedded Apache Kafka broker: one JVM in KRaft mode, combined broker+controller, bound to
// 127.0.0.1 on free ports, run from the jars sandbox/jvm/jars.lock.json lists for
// sandbox/jvm/kafka/pom.xml (see jars.ts).
//
// Version: Kafka 4.4.0, the newest 4.x that Maven Central serves (checked 2026-11). kafkajs 2.2.4
// works on it, no fallback to 3.9.x is needed: kafkajs negotiates with ApiVersions and uses, per
// API, the highest version both sides know, and every version it then picks is still in Kafka 4.x
// (KIP-896 removed only older ones). Seen on the wire (kafkajs DEBUG log) against this broker:
// ApiVersions v2, Metadata v6, Produce v7, Fetch v11, ListOffsets v3, GroupCoordinator v2,
// JoinGroup v5, SyncGroup v3, Heartbeat v3, LeaveGroup v3, OffsetCommit v5, OffsetFetch v4,
// DescribeGroups v2, ListGroups v2, DeleteGroups v1, InitProducerId v1, AddPartitionsToTxn v1,
// EndTxn v1, CreateTopics v3, DeleteTopics v1, CreatePartitions v1, DescribeConfigs v2,
// AlterConfigs v1, DeleteRecords v1. test/sandbox/kafka-broker.test.ts proves produce, consume in
// a consumer group with committed offsets on a 6-partition topic, and restarts that keep them;
// idempotent and transactional producers, setOffsets and the admin calls above were run by hand.
// (The first use of a group or a transaction may log "The coordinator is loading": the broker
// creates __consumer_offsets / __transaction_state lazily, and kafkajs retries. Readiness below
// waits for the group coordinator, so consumers started after startKafka() do not see it.)
//
// Single-node settings (a one-broker cluster on a laptop): replication factors 1, transaction log min ISR 1,
// group.initial.rebalance.delay.ms=0 (a group forms at once instead of after 3 s),
// log.cleaner.dedupe.buffer.size=2097152 (the default 128 MiB would not fit a small heap), 512 MB
// heap, a 3 s broker session (so a restart after kill -9 is quick: see serverProperties).
// auto.create.topics.enable=false, as on Amazon MSK by default: a typo in a topic name fails
// loudly instead of silently creating a 1-partition topic, and partition counts decide ESM
// concurrency, so every lab creates its topics explicitly (kafkajs admin.createTopics).
// num.partitions=1, also MSK's default, for a topic created without a partition count.
// Internal topics get 1 partition each (offsets, transactions, share state): nothing local
// observes their partition count, and the broker becomes ready sooner.
//
// The quorum is static (controller.quorum.voters), so a restart on the same data dir may use
// other ports; a restart reuses the previous ports when they are still free, so clients of a
// kill/restart fault test reconnect to the same address.
//
// KAFKA_BROKERS=host:port[,host:port] skips all of this and uses that broker (stop is a no-op).

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { sleep } from './clock.ts';
import { SandboxError } from './errors.ts';
import { readJson, removeDir } from './files.ts';
import { assertPortFree, freePorts, LOOPBACK, reusablePort } from './free-port.ts';
import { classDataSharing, ensureJars, findJava } from './jars.ts';
import { isMarkedProcess, type ManagedProcess, markerArg, newMarker, reapOrphans, startProcess } from './process.ts';
import { serverControls } from './server-controls.ts';

export interface KafkaOptions {
  /**
   * Folder for the broker's data, config and log. A given folder is kept (a second start on it
   * keeps topics and committed offsets); by default a fresh temp folder is used and removed by stop().
   */
  dataDir?: string;
  /** Keep the temp data dir after stop() (for looking at the log). */
  keepDataDir?: boolean;
  /** Broker (client) port; default a free one (or the previous one of dataDir). */
  port?: number;
  /** Controller (KRaft) port; default a free one. */
  controllerPort?: number;
  /** JVM heap in MB; default 512. */
  heapMb?: number;
  /** How long to wait for the broker to answer admin calls; default 60 s. */
  readyTimeoutMs?: number;
  /** Extra or overriding server.properties entries. */
  serverProperties?: Record<string, string | number | boolean>;
  /** Root log level of the broker log; default WARN (plus start/stop lines). */
  logLevel?: 'ERROR' | 'WARN' | 'INFO' | 'DEBUG';
  /** Environment for finding java, fetching the jars and for the JVM; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Start the embedded broker even when KAFKA_BROKERS is set. */
  ignoreEnv?: boolean;
  /** Jar cache root (default: see jars.ts). */
  cacheRoot?: string;
  /** Grace period between SIGTERM and SIGKILL in stop(); default 15 s. */
  stopGraceMs?: number;
}

export interface KafkaSandbox {
  /** Bootstrap servers, e.g. "127.0.0.1:40123" (or $KAFKA_BROKERS). */
  brokers: string;
  /** The same, as a list for kafkajs' `brokers` option. */
  brokerList: string[];
  /** True when KAFKA_BROKERS was used and nothing was started. */
  external: boolean;
  /** Kafka version of the embedded broker; undefined when external. */
  version: string | undefined;
  dataDir: string | undefined;
  /** The broker's stdout/stderr (log4j output), appended across restarts. */
  logFile: string | undefined;
  pid: number | undefined;
  port: number | undefined;
  controllerPort: number | undefined;
  /** Milliseconds from the call to a ready broker (jar fetch excluded, storage format included). */
  startMs: number;
  isRunning(): boolean;
  /** Graceful stop (SIGTERM, SIGKILL after the grace period); removes a temp data dir. Idempotent. */
  stop(): Promise<void>;
  /** Crash the broker now (SIGKILL), keeping its data dir: for fault tests. */
  kill9(): Promise<void>;
}

const READY_GROUP = 'workshop-sandbox-readiness';

/** The replication factor of every topic on the one local broker, what the sandbox's topic-admin asks for too. */
export const SANDBOX_REPLICATION_FACTOR = 1;
const MAX_PORT_ATTEMPTS = 3;

interface DirState {
  port?: number;
  controllerPort?: number;
}

export async function startKafka(options: KafkaOptions = {}): Promise<KafkaSandbox> {
  const env = options.env ?? process.env;
  const started = Date.now();

  if (!options.ignoreEnv && env.KAFKA_BROKERS) return useExternal(env.KAFKA_BROKERS, options, started);

  const java = findJava('kafka', env);
  const jars = await ensureJars('kafka', { env, cacheRoot: options.cacheRoot });
  await reapOrphans();
  const t0 = Date.now();

  const ownsDir = options.dataDir === undefined;
  const dataDir = ownsDir ? mkdtempSync(join(tmpdir(), 'workshop-kafka-')) : resolve(options.dataDir!);
  try {
    mkdirSync(dataDir, { recursive: true });
    const logDir = join(dataDir, 'kraft');
    const logFile = join(dataDir, 'broker.log');
    const stateFile = join(dataDir, 'sandbox.json');
    const pidFile = join(dataDir, 'broker.pid');
    // A broker of a live process still runs on this dir (an orphan was reaped above): touch nothing.
    const holder = readJson<{ pid: number; marker: string }>(pidFile);
    if (holder && isMarkedProcess(holder.pid, holder.marker)) {
      throw new SandboxError(
        `The Kafka data dir ${dataDir} is in use by a running broker (pid ${holder.pid}); stop that broker first or start this one with another dataDir.`,
      );
    }
    const previous = readJson<DirState>(stateFile) ?? {};
    if (options.port !== undefined) await assertPortFree(options.port, 'Kafka broker');
    if (options.controllerPort !== undefined) await assertPortFree(options.controllerPort, 'Kafka controller');

    const log4jFile = join(dataDir, 'log4j2.properties');
    writeFileSync(log4jFile, log4jConfig(options.logLevel ?? 'WARN'));
    const jvmBase = ['-Djava.awt.headless=true', '-Djava.net.preferIPv4Stack=true', `-Dlog4j2.configurationFile=${log4jFile}`, '-cp', jars.classpath];

    for (let attempt = 1; ; attempt++) {
      const ports = await choosePorts(options, previous, attempt);
      const propsFile = join(dataDir, 'server.properties');
      writeFileSync(propsFile, serverProperties(ports, logDir, options.serverProperties));
      writeFileSync(stateFile, JSON.stringify({ ...ports, version: jars.version }, null, 2));

      if (!existsSync(join(logDir, 'meta.properties'))) {
        const cdsArgs = classDataSharing(jars, java, env, false).args;
        await formatStorage(java.path, [...cdsArgs, ...jvmBase], propsFile, logFile, env);
      }

      const marker = newMarker('kafka');
      const heap = options.heapMb ?? 512;
      const cds = classDataSharing(jars, java, env);
      const proc = startProcess({
        name: 'kafka',
        command: java.path,
        args: [
          `-Xmx${heap}m`,
          `-Xms${Math.min(heap, 256)}m`,
          '-XX:+UseG1GC',
          '-XX:MaxGCPauseMillis=20',
          '-XX:+ExplicitGCInvokesConcurrent',
          // C1 only: the full JIT would spend the sandbox's first seconds compiling on the same
          // two cores the pipeline runs on; C1 code is plenty for local rates.
          '-XX:TieredStopAtLevel=1',
          ...cds.args,
          markerArg(marker),
          ...jvmBase,
          'kafka.Kafka',
          propsFile,
        ],
        env,
        cwd: dataDir,
        logFile,
        marker,
      });

      writeFileSync(pidFile, JSON.stringify({ pid: proc.pid, marker }));
      void proc.exited.then(() => rmSync(pidFile, { force: true }));
      const brokers = `${LOOPBACK}:${ports.port}`;
      const outcome = await waitUntilReady([brokers], options.readyTimeoutMs ?? 60_000, proc);
      void proc.exited.then((exit) => cds.finish(exit, outcome === 'ready'));
      if (outcome === 'ready') {
        return embeddedHandle({ proc, brokers, ports, dataDir, ownsDir, logFile, options, version: jars.version, startMs: Date.now() - t0 });
      }

      await proc.stop(2_000);
      const tail = proc.logTail(25);
      if (outcome === 'timeout') {
        const seconds = ((options.readyTimeoutMs ?? 60_000) / 1000).toFixed(1);
        throw new SandboxError(
          `The Kafka broker on ${brokers} did not answer an admin request within ${seconds} s, so it was stopped; raise readyTimeoutMs (a start takes a few seconds) or read its log ${logFile}.`,
          { detail: tailBlock(logFile, tail) },
        );
      }
      // It exited before it was ready: say why.
      const portTaken = /Address already in use|BindException/i.test(tail);
      const portsWereChosen = options.port === undefined && options.controllerPort === undefined;
      if (portTaken && portsWereChosen && attempt < MAX_PORT_ATTEMPTS) continue; // lost a race for a free port
      throw explainEarlyExit(proc, tail, { brokers, ports, dataDir, logFile });
    }
  } catch (error) {
    if (ownsDir && !options.keepDataDir) removeDir(dataDir);
    throw error;
  }
}

function embeddedHandle(args: {
  proc: ManagedProcess;
  brokers: string;
  ports: Required<DirState>;
  dataDir: string;
  ownsDir: boolean;
  logFile: string;
  options: KafkaOptions;
  version: string;
  startMs: number;
}): KafkaSandbox {
  const { proc, brokers, ports, dataDir, ownsDir, logFile, options } = args;
  return {
    brokers,
    brokerList: [brokers],
    external: false,
    version: args.version,
    dataDir,
    logFile,
    pid: proc.pid,
    port: ports.port,
    controllerPort: ports.controllerPort,
    startMs: args.startMs,
    ...serverControls(proc, { dir: dataDir, owned: ownsDir, keep: options.keepDataDir, graceMs: options.stopGraceMs ?? 15_000 }),
  };
}

async function useExternal(value: string, options: KafkaOptions, started: number): Promise<KafkaSandbox> {
  const brokerList = value
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const timeout = options.readyTimeoutMs ?? 15_000;
  if ((await waitUntilReady(brokerList, timeout)) !== 'ready') {
    throw new SandboxError(
      `KAFKA_BROKERS=${value} did not answer an admin request within ${(timeout / 1000).toFixed(1)} s; start that broker, fix the address, or unset KAFKA_BROKERS to use the embedded broker.`,
    );
  }
  return {
    brokers: brokerList.join(','),
    brokerList,
    external: true,
    version: undefined,
    dataDir: undefined,
    logFile: undefined,
    pid: undefined,
    port: undefined,
    controllerPort: undefined,
    startMs: Date.now() - started,
    isRunning: () => true,
    stop: async () => {},
    kill9: async () => {
      throw new SandboxError('Cannot crash the broker given by KAFKA_BROKERS; unset KAFKA_BROKERS to run fault tests on the embedded broker.');
    },
  };
}

/**
 * Polls kafkajs admin calls until the broker answers (describeCluster) and its group coordinator
 * is loaded (describeGroups), the process exits, or the timeout passes.
 */
export async function waitUntilReady(brokers: string[], timeoutMs: number, proc?: ManagedProcess): Promise<'ready' | 'timeout' | 'exited'> {
  const deadline = Date.now() + timeoutMs;
  const kafka = new Kafka({
    clientId: 'workshop-sandbox-readiness',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
  });
  while (true) {
    if (proc && !proc.isRunning()) return 'exited';
    const admin = kafka.admin({ retry: { retries: 0 } });
    try {
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      const ok = await withTimeout(
        (async () => {
          await admin.connect();
          await admin.describeCluster();
          await admin.describeGroups([READY_GROUP]); // creates and loads __consumer_offsets
          return true;
        })(),
        left,
      );
      if (ok) return 'ready';
    } catch {
      // not yet
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (proc && !proc.isRunning()) return 'exited';
    if (Date.now() >= deadline) return 'timeout';
    await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | false> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined); // a late rejection after the timeout is expected
  try {
    return await Promise.race([work, new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function choosePorts(options: KafkaOptions, previous: DirState, attempt: number): Promise<Required<DirState>> {
  const [freeA, freeB] = await freePorts(2);
  const port = options.port ?? ((await reusablePort(previous.port, attempt)) ? previous.port! : freeA);
  let controllerPort = options.controllerPort ?? ((await reusablePort(previous.controllerPort, attempt)) ? previous.controllerPort! : freeB);
  if (controllerPort === port) controllerPort = port === freeA ? freeB : freeA;
  return { port, controllerPort };
}

/** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (as Uuid.randomUuid). */
function newClusterId(): string {
  while (true) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function formatStorage(javaPath: string, jvmBase: string[], propsFile: string, logFile: string, env: NodeJS.ProcessEnv): Promise<void> {
  const marker = newMarker('kafka-format');
  const proc = startProcess({
    name: 'kafka-format',
    command: javaPath,
    // A short-lived tool: the C1 compiler alone starts faster.
    args: [
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      markerArg(marker),
      ...jvmBase,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      newClusterId(),
      '-c',
      propsFile,
    ],
    env,
    logFile,
    marker,
  });
  const timer = setTimeout(() => void proc.stop(1_000), 60_000);
  const exit = await proc.exited;
  clearTimeout(timer);
  if (exit.code !== 0) {
    const tail = proc.logTail(20);
    throw new SandboxError(
      `Formatting the Kafka storage failed (kafka.tools.StorageTool exited with ${exit.signal ?? `code ${exit.code}`}); read ${logFile}, and delete the data dir if it is left over from another Kafka version.`,
      { detail: tailBlock(logFile, tail) },
    );
  }
}

function explainEarlyExit(
  proc: ManagedProcess,
  tail: string,
  ctx: { brokers: string; ports: Required<DirState>; dataDir: string; logFile: string },
): SandboxError {
  const exit = proc.exitInfo();
  const how = exit?.signal ? `was killed by ${exit.signal}` : `exited with code ${exit?.code}`;
  const detail = tailBlock(ctx.logFile, tail);
  if (/Address already in use|BindException/i.test(tail)) {
    return new SandboxError(
      `The Kafka broker could not bind ${LOOPBACK}:${ctx.ports.port} or ${LOOPBACK}:${ctx.ports.controllerPort} because another process uses it; stop that process or choose other ports (or none, so free ones are picked).`,
      { detail },
    );
  }
  if (/Failed to acquire lock/.test(tail)) {
    return new SandboxError(`The Kafka data dir ${ctx.dataDir} is in use by another running broker; stop that broker or start this one with another dataDir.`, {
      detail,
    });
  }
  if (/InconsistentClusterIdException|Invalid cluster\.id|does not match/.test(tail)) {
    return new SandboxError(
      `The Kafka data dir ${ctx.dataDir} belongs to another cluster or Kafka version; delete that folder (its topics are lost) or use another dataDir.`,
      { detail },
    );
  }
  if (/UnsupportedClassVersionError/.test(tail)) {
    return new SandboxError(
      `The Java that ran the Kafka broker is too old for Kafka (it needs 17+); install openjdk-17-jre-headless and point JAVA_HOME at it, or set KAFKA_BROKERS=host:port to use your own broker.`,
      { detail },
    );
  }
  return new SandboxError(`The Kafka broker ${how} before it was ready; read its log ${ctx.logFile} for the cause.`, { detail });
}

function tailBlock(logFile: string, tail: string): string {
  if (!tail.trim()) return `(the log ${logFile} is empty)`;
  return `--- last lines of ${logFile} ---\n${tail}`;
}

function serverProperties(ports: Required<DirState>, logDir: string, overrides: KafkaOptions['serverProperties'] = {}): string {
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${LOOPBACK}:${ports.controllerPort}`,
    listeners: `PLAINTEXT://${LOOPBACK}:${ports.port},CONTROLLER://${LOOPBACK}:${ports.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${LOOPBACK}:${ports.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': logDir,
    'num.partitions': 1,
    'auto.create.topics.enable': false,
    'default.replication.factor': SANDBOX_REPLICATION_FACTOR,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'share.coordinator.state.topic.num.partitions': 1,
    'group.initial.rebalance.delay.ms': 0,
    // After a crash (kill9) the restarted controller keeps the old broker registration until its
    // session times out (default 9 s) before the new one can register: 3 s makes a crash-restart
    // take about as long as a clean one. Heartbeats every 0.5 s keep a busy broker well inside it.
    'broker.session.timeout.ms': 3000,
    'broker.heartbeat.interval.ms': 500,
    'log.cleaner.dedupe.buffer.size': 2097152,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    ...overrides,
  };
  const lines = Object.entries(props).map(([k, v]) => `${k}=${String(v)}`);
  return `# Written by sandbox/kafka-broker.ts on every start; edits are overwritten.\n${lines.join('\n')}\n`;
}

function log4jConfig(level: string): string {
  return [
    '# Written by sandbox/kafka-broker.ts: everything goes to stdout, which the sandbox appends to broker.log.',
    'status = warn',
    // The JVM's own SIGTERM handling stops Kafka; log4j's hook would only complain during shutdown.
    'shutdownHook = disable',
    'appender.stdout.type = Console',
    'appender.stdout.name = STDOUT',
    'appender.stdout.layout.type = PatternLayout',
    'appender.stdout.layout.pattern = [%d] %p %m (%c)%n',
    `rootLogger.level = ${level}`,
    'rootLogger.appenderRef.stdout.ref = STDOUT',
    // Start and stop milestones, whatever the root level.
    'logger.raft.name = kafka.server.KafkaRaftServer',
    'logger.raft.level = INFO',
    'logger.broker.name = kafka.server.BrokerServer',
    'logger.broker.level = INFO',
    '',
  ].join('\n');
}
