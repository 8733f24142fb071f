// `npm run soak`: the local sandbox under a high sustained load for a long time, watching its
// memory and the broker's. Not part of CI (it takes 20+ minutes); run it by hand after changing
// the sandbox's runtime, ESM or anything that keeps state per event.
//
//   npm run soak                              20 minutes at the default rate
//   npm run soak -- --minutes 2 --rate 500    a short one while developing
//   npm run soak -- --retention-seconds default   the sandbox's own store retention (15 minutes; see below)
//
// What runs: one Kafka broker (this process starts it), and lab 1's pipeline in a child process
// (bench/soak-child.ts): the producer Lambda publishes the schedule (one run per minute, each a
// runId of its own), the Kafka ESM polls it and invokes the booking-processor. The pipeline is held
// in a steady shape (pollers fixed at one per partition, every execution environment started
// before the load; see soak-child.ts), so what grows after the warm-up is not a scale-up. Every ~10 s the
// child reports its memory after a forced GC and its counters over IPC, and this process samples
// the broker JVM (bench/jvm-memory.ts). At the end: the topic is read back (what was published,
// by runId and seq), every processed seq is accounted for with harness/accounting.ts account(),
// and the memory slopes after the warm-up are computed (least squares, MB/min).
//
// Pass: zero events lost and every slope (sandbox heap and RSS, broker heap and RSS) below
// 1 MB/min. Results are printed and written to bench/results/soak-latest.md and .json (with every
// sample); the exit code is 1 when the soak fails, 130 when interrupted.
//
// Retention: the Lambda runtime keeps recent metrics, log lines, invocation records and
// concurrency samples for a window (sandbox default: 15 minutes). A store that keeps a window is
// bounded, but it fills for the whole window, so in a 10-minute soak a 15-minute window would look
// exactly like a leak. The soak therefore runs the sandbox with a 60 s window (or the warm-up, when
// that is shorter), which fills during the warm-up: what still grows after it is a leak.
// --retention-seconds N sets another window, --retention-seconds default keeps the sandbox's.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProducerResult } from '../handlers/producer.ts';
import { expectedEventCount } from '../handlers/shared/schedule.ts';
import type { TrafficProfile } from '../handlers/shared/traffic.ts';
import { account } from '../harness/accounting.ts';
import { readPublished } from '../harness/ledger.ts';
import { round, summarize } from '../harness/stats.ts';
import { type KafkaSandbox, startKafka } from '../sandbox/kafka-broker.ts';
import { sampleJvm } from './jvm-memory.ts';
import { describeMachine, machineLines } from './machine.ts';
import { sleep, withTimeout } from './pipeline.ts';
import { machineBusySeconds as machineBusy, processCpuSeconds } from './probe.ts';
import type { ChildSample, SoakChildConfig, SoakChildMessage, SoakParentMessage } from './soak-child.ts';
import { DEFAULT_MINUTES, parseSoakArgs, segments as planSegments, planSoak, SAMPLE_EVERY_SEC, SEGMENT_SEC, SLOPE_LIMIT_MB_PER_MIN } from './soak-plan.ts';
import { renderSoak, type SoakRun, type SoakSample, saveSoak, seriesResults, slopeWithError, toMb, tooShortToTell } from './soak-report.ts';

/** SOAK_RESULTS_DIR lets the smoke test write elsewhere than the kept results. */
const RESULTS_DIR = process.env.SOAK_RESULTS_DIR ?? fileURLToPath(new URL('./results/', import.meta.url));
const CHILD = fileURLToPath(new URL('./soak-child.ts', import.meta.url));

/** A segment's invoke is sent this long before its first intended send. */
const LEAD_MS = 1_500;
const DRAIN_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;

const log = (message: string) => process.stdout.write(`${message}\n`);

/** The sandbox child: IPC requests with replies, processed seqs collected here. */
class SandboxChild {
  readonly process: ChildProcess;
  readonly ready: Promise<Extract<SoakChildMessage, { type: 'ready' }>>;
  readonly exited: Promise<void>;
  readonly processed = new Map<string, number[]>();
  #stderr = '';
  #sampleWaiters: Array<(sample: ChildSample) => void> = [];
  #produceWaiters = new Map<string, (message: Extract<SoakChildMessage, { type: 'produced' }>) => void>();

  constructor(config: SoakChildConfig, brokers: string) {
    this.process = fork(CHILD, [JSON.stringify(config)], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      // Its own process group: Ctrl-C reaches only this process, which stops the child in order.
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, KAFKA_BROKERS: brokers, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    this.process.stderr?.on('data', (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString()).slice(-4000)));
    this.exited = new Promise((resolve) => this.process.once('exit', () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      this.process.on('message', (message: SoakChildMessage) => {
        if (message.type === 'ready') resolve(message);
        if (message.type === 'error') reject(new Error(`the sandbox process failed: ${message.message}`));
        if (message.type === 'sample') this.#sampleWaiters.shift()?.(message.sample);
        if (message.type === 'produced') this.#produceWaiters.get(message.runId)?.(message);
        if (message.type === 'processed') {
          for (const [runId, seqs] of message.runs) {
            let list = this.processed.get(runId);
            if (!list) this.processed.set(runId, (list = []));
            for (const seq of seqs) list.push(seq);
          }
        }
      });
      void this.exited.then(() => reject(new Error(`the sandbox process exited before it was ready: ${this.#stderr.slice(-1500)}`)));
    });
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  #send(message: SoakParentMessage): void {
    if (!this.alive) throw new Error(`the sandbox process has exited: ${this.#stderr.slice(-1500)}`);
    this.process.send(message);
  }

  sample(timeoutMs = 30_000): Promise<ChildSample> {
    return withTimeout(
      new Promise<ChildSample>((resolve) => {
        this.#sampleWaiters.push(resolve);
        this.#send({ type: 'sample' });
      }),
      timeoutMs,
      'a memory sample of the sandbox process',
    );
  }

  produce(runId: string, startAtMs: number, profile: TrafficProfile, shards: number): Promise<ProducerResult[]> {
    return new Promise((resolve, reject) => {
      this.#produceWaiters.set(runId, (message) => {
        this.#produceWaiters.delete(runId);
        if (message.error) reject(new Error(message.error));
        else resolve(message.results);
      });
      void this.exited.then(() => reject(new Error(`the sandbox process exited during run ${runId}: ${this.#stderr.slice(-1500)}`)));
      this.#send({ type: 'produce', runId, startAtMs, profile, shards });
    });
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    try {
      this.#send({ type: 'stop' });
    } catch {
      // already gone
    }
    const stopped = await Promise.race([this.exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
    if (!stopped && this.alive) {
      this.process.kill('SIGKILL');
      await this.exited;
    }
  }
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseSoakArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const started = new Date();
  const machine = describeMachine();
  const { loadSec, warmUpSec, shards, retentionMs } = planSoak(args);
  const tag = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const topic = `soak-${tag}`;

  let interrupted = false;
  let interrupt: () => void = () => undefined;
  const interruption = new Promise<void>((resolve) => (interrupt = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      log(`${signal} again: quitting now.`);
      process.exit(130);
    }
    interrupted = true;
    log(`\n${signal}: stopping the sandbox and the broker (Ctrl-C again to quit at once)...`);
    interrupt();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  log(`Sandbox soak: ${args.rate} events/s for ${args.minutes} min, lab 1's pipeline, a sample every ${SAMPLE_EVERY_SEC} s`);
  for (const line of machineLines(machine, undefined)) log(line);

  let kafka: KafkaSandbox | undefined;
  let child: SandboxChild | undefined;
  try {
    log('\nStarting the Kafka broker...');
    kafka = await startKafka();
    if (kafka.pid === undefined) throw new Error('The soak needs the embedded broker (it samples the JVM by pid): unset KAFKA_BROKERS.');
    const brokerPid = kafka.pid;
    log(`  ready on ${kafka.brokers} (Kafka ${kafka.version}, pid ${brokerPid})`);

    log('Starting the sandbox process (lab 1 pipeline)...');
    child = new SandboxChild({ topic, shards, ...(retentionMs !== undefined ? { retentionMs } : {}) }, kafka.brokers);
    const ready = await Promise.race([child.ready, interruption.then(() => undefined)]);
    if (!ready) return 130;
    const sandboxPid = child.process.pid!;
    log(
      `  ready (pid ${sandboxPid}): ${ready.lab}, topic ${topic}, ${ready.partitions} partitions, ${ready.pollers} pollers (provisioned), batch ${ready.batchSize}, ${ready.processingMsPerRecord} ms/record; ${ready.environments} execution environments started; store retention ${retentionMs === undefined ? 'sandbox default' : `${retentionMs / 1000} s`}`,
    );

    // The schedule: one producer run per SEGMENT_SEC, back to back.
    const loadStartMs = Date.now() + 3_000;
    const segments = planSegments(topic, loadStartMs, loadSec, args.rate);
    const producing: Array<Promise<{ runId: string; offered: number; results: ProducerResult[] }>> = [];
    const producer = (async () => {
      for (const segment of segments) {
        await Promise.race([sleep(Math.max(0, segment.startAtMs - LEAD_MS - Date.now())), interruption]);
        if (interrupted) return;
        const work = child!
          .produce(segment.runId, segment.startAtMs, segment.profile, shards)
          .then((results) => ({ runId: segment.runId, offered: expectedEventCount(segment.profile), results }));
        work.catch(() => undefined); // awaited below
        producing.push(work);
      }
    })();

    // The samples: memory of both processes, counters, CPU since the previous sample.
    const samples: SoakSample[] = [];
    let previousCpu = { at: performance.now(), sandbox: processCpuSeconds(sandboxPid), broker: processCpuSeconds(brokerPid), machine: machineBusy() };
    const takeSample = async (phase: SoakSample['phase']): Promise<SoakSample> => {
      const now = { at: performance.now(), sandbox: processCpuSeconds(sandboxPid), broker: processCpuSeconds(brokerPid), machine: machineBusy() };
      const seconds = (now.at - previousCpu.at) / 1000;
      const rate = (a: number | undefined, b: number | undefined) =>
        a === undefined || b === undefined || seconds <= 0 ? undefined : round((a - b) / seconds);
      const cpu: SoakSample['cpu'] = {
        sandbox: rate(now.sandbox, previousCpu.sandbox),
        broker: rate(now.broker, previousCpu.broker),
        machine: rate(now.machine, previousCpu.machine),
      };
      if (cpu.machine !== undefined) cpu.elsewhere = round(Math.max(0, cpu.machine - (cpu.sandbox ?? 0) - (cpu.broker ?? 0)));
      previousCpu = now;
      const [sandbox, broker] = await Promise.all([
        child!.sample(),
        sampleJvm(brokerPid).catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) })),
      ]);
      return {
        t: round((Date.now() - loadStartMs) / 1000, 1),
        phase,
        sandbox: {
          heapMb: toMb(sandbox.heapUsedBytes),
          heapTotalMb: toMb(sandbox.heapTotalBytes),
          rssMb: toMb(sandbox.rssBytes),
          rssAnonMb: toMb(sandbox.rssAnonBytes),
          rssFileMb: toMb(sandbox.rssFileBytes),
          externalMb: toMb(sandbox.externalBytes),
          gcMs: sandbox.gcMs,
        },
        lambda: {
          environments: sandbox.lambda.environments,
          heapMb: toMb(sandbox.lambda.heapUsedBytes),
          heapTotalMb: toMb(sandbox.lambda.heapTotalBytes),
          collected: sandbox.lambda.collected,
          byFunction: Object.fromEntries(
            Object.entries(sandbox.lambda.byFunction).map(([name, m]) => [name, { environments: m.environments, heapMb: toMb(m.heapUsedBytes) }]),
          ),
        },
        broker:
          'error' in broker
            ? broker
            : {
                heapMb: toMb(broker.heapUsedBytes),
                rssMb: toMb(broker.resident.rssBytes),
                rssAnonMb: toMb(broker.resident.anonBytes),
                rssFileMb: toMb(broker.resident.fileBytes),
                ...(broker.heapResidentBytes !== undefined
                  ? { rssHeapMb: toMb(broker.heapResidentBytes), rssOutsideHeapMb: toMb(broker.resident.rssBytes - broker.heapResidentBytes) }
                  : {}),
                heapCommittedMb: toMb(broker.heapCommittedBytes),
                jcmdMs: broker.jcmdMs,
              },
        published: sandbox.published,
        processed: sandbox.processed,
        offsetLag: sandbox.offsetLag,
        waiting: sandbox.waiting,
        pollers: sandbox.pollers,
        inFlight: sandbox.inFlight,
        stores: sandbox.stores,
        cpu,
      };
    };
    const describe = (x: SoakSample) => {
      const b =
        'error' in x.broker
          ? `broker ${x.broker.error}`
          : `broker heap ${x.broker.heapMb} MB rss ${x.broker.rssMb} MB (heap pages ${x.broker.rssHeapMb ?? '?'}, file ${x.broker.rssFileMb})`;
      return `  t=${String(Math.round(x.t)).padStart(4)} s  sandbox heap ${x.sandbox.heapMb} MB rss ${x.sandbox.rssMb} MB (anon ${x.sandbox.rssAnonMb}; V8 committed: main ${x.sandbox.heapTotalMb}, lambda ${x.lambda.heapTotalMb}) | ${b} | published ${x.published} processed ${x.processed} lag ${x.offsetLag} pollers ${x.pollers} | lambda ${Object.entries(
        x.lambda.byFunction,
      )
        .filter(([, m]) => m.environments > 0)
        .map(([name, m]) => `${name.replace(/^01-soak-/, '')} ${m.environments}:${m.heapMb}`)
        .join(' ')} MB | cores sandbox ${x.cpu.sandbox ?? '-'} broker ${x.cpu.broker ?? '-'} elsewhere ${x.cpu.elsewhere ?? '-'}`;
    };

    log(
      `\nLoad from ${new Date(loadStartMs).toISOString()} for ${loadSec} s (${segments.length} producer run${segments.length > 1 ? 's' : ''}, ${shards} shard${shards > 1 ? 's' : ''} each); warm-up ${warmUpSec} s:`,
    );
    await Promise.race([sleep(Math.max(0, loadStartMs - Date.now())), interruption]);
    for (let k = 0; k * SAMPLE_EVERY_SEC <= loadSec && !interrupted; k++) {
      await Promise.race([sleep(Math.max(0, loadStartMs + k * SAMPLE_EVERY_SEC * 1000 - Date.now())), interruption]);
      if (interrupted) break;
      const sample = await takeSample('load');
      samples.push(sample);
      log(describe(sample));
    }
    await producer;

    // Every producer run finished, then the pipeline catches up.
    const runs: SoakRun['runs'] = [];
    const failures: string[] = [];
    for (const work of producing) {
      try {
        const { runId, offered, results } = await Promise.race([work, interruption.then(() => Promise.reject(new Error('interrupted')))]);
        const delays = results.map((r) => r.sendDelayMs.p99);
        runs.push({
          runId,
          offered,
          published: results.reduce((n, r) => n + r.published, 0),
          failedToPublish: results.reduce((n, r) => n + r.failedToPublish, 0),
          sendDelayP99Ms: Math.max(0, ...delays),
        });
      } catch (error) {
        failures.push(`a producer run failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const publishedTotal = runs.reduce((n, r) => n + r.published, 0);
    const loadEnd = loadStartMs + loadSec * 1000;
    log(`\nLoad done: ${publishedTotal} events published in ${runs.length} runs; waiting for the pipeline to catch up...`);
    const processedUnique = () => [...child!.processed.values()].reduce((n, seqs) => n + new Set(seqs).size, 0);
    const drainDeadline = Date.now() + DRAIN_TIMEOUT_MS;
    let drained = false;
    while (!interrupted && Date.now() < drainDeadline) {
      const s = await child.sample();
      if (s.offsetLag === 0 && s.waiting === 0 && s.inFlight === 0 && processedUnique() >= publishedTotal) {
        drained = true;
        break;
      }
      await sleep(1_000);
    }
    const drainSec = round(Math.max(0, Date.now() - loadEnd) / 1000, 1);
    if (!interrupted) {
      const final = await takeSample('drain');
      samples.push(final);
      log(describe(final));
    }

    // Exact accounting by (runId, seq): the topic read back against every processing.
    const runIds = new Set(runs.map((r) => r.runId));
    let totals = {
      published: 0,
      processed: 0,
      filtered: 0,
      deadLettered: 0,
      dropped: 0,
      waiting: 0,
      lost: 0,
      duplicated: 0,
      unknown: 0,
      duplicateProcessings: 0,
    };
    const lostSeqs: number[] = [];
    const duplicatedSeqs: number[] = [];
    if (!interrupted) {
      log('Reading the topic back for the accounting...');
      const published = await readPublished({
        brokers: kafka.brokerList,
        topic,
        runIds,
        timeoutMs: 120_000 + publishedTotal / 5,
        what: `the ${publishedTotal} events published`,
      });
      for (const runId of runIds) {
        const processed = child.processed.get(runId) ?? [];
        const a = account({ published: (published.get(runId) ?? []).map((e) => e.seq), processed, filtered: [], deadLettered: [] });
        totals = {
          published: totals.published + a.published,
          processed: totals.processed + a.processed,
          filtered: totals.filtered + a.filtered,
          deadLettered: totals.deadLettered + a.deadLettered,
          dropped: totals.dropped + a.dropped,
          waiting: totals.waiting + a.waiting,
          lost: totals.lost + a.lost,
          duplicated: totals.duplicated + a.duplicated,
          unknown: totals.unknown + a.unknownSeqs.length,
          duplicateProcessings: totals.duplicateProcessings + (processed.length - new Set(processed).size),
        };
        lostSeqs.push(...a.lostSeqs.slice(0, 20 - lostSeqs.length));
        duplicatedSeqs.push(...a.duplicatedSeqs.slice(0, 20 - duplicatedSeqs.length));
        if (a.lost > 0) failures.push(`run ${runId}: ${a.lost} of ${a.published} events lost (first seqs ${a.lostSeqs.slice(0, 10).join(', ')})`);
      }
      const publishedByProducer = runs.reduce((n, r) => n + r.published, 0);
      if (totals.published !== publishedByProducer)
        failures.push(`the topic holds ${totals.published} events of the soak's runs but the producer reported ${publishedByProducer} published`);
      const notPublished = runs.reduce((n, r) => n + r.offered - r.published, 0);
      if (notPublished > 0) failures.push(`${notPublished} offered events were not published (producer send failures)`);
    }
    if (!drained && !interrupted) failures.push(`the pipeline did not catch up within ${DRAIN_TIMEOUT_MS / 1000} s after the load`);

    const series = seriesResults(samples, warmUpSec, SLOPE_LIMIT_MB_PER_MIN);
    for (const r of series.filter((x) => x.criterion)) {
      if (r.slopeMbPerMin === null) failures.push(`${r.name}: too few samples after the warm-up for a slope`);
      else if (!r.pass) failures.push(`${r.name} grew ${slopeWithError(r)} MB/min after the warm-up (limit ${SLOPE_LIMIT_MB_PER_MIN})`);
    }
    const notes: string[] = [];
    const uncertain = tooShortToTell(series, SLOPE_LIMIT_MB_PER_MIN);
    if (uncertain.length > 0) {
      notes.push(
        `Too short to tell: ${uncertain.map((r) => `${r.name} ${slopeWithError(r)}`).join(', ')} MB/min. The ${SLOPE_LIMIT_MB_PER_MIN} MB/min limit is within two standard errors of the slope, so the verdict could flip from run to run; run longer than ${args.minutes} minutes${args.minutes < DEFAULT_MINUTES ? ` (the default is ${DEFAULT_MINUTES})` : ''}.`,
      );
    }
    const jcmd = samples.flatMap((x) => ('error' in x.broker ? [] : [x.broker.jcmdMs]));
    if (jcmd.length > 0)
      notes.push(
        `Each broker sample runs jcmd (a short-lived JVM, about ${Math.round(summarize(jcmd).p50)} ms) and a full GC of the broker; that CPU is counted under "elsewhere".`,
      );
    const elsewhere = samples.map((x) => x.cpu.elsewhere).filter((v): v is number => v !== undefined);
    if (elsewhere.length > 0)
      notes.push(
        `Other processes used ${round(summarize(elsewhere.map((v) => v * 1000)).p50 / 1000)} cores (median of the sample intervals; max ${Math.max(...elsewhere)}).`,
      );
    if (retentionMs !== undefined)
      notes.push(
        `The sandbox ran with a ${retentionMs / 1000} s retention window for the Lambda runtime's stores (its default is 15 minutes), so that the windows are full by the end of the warm-up and whatever still grows is a leak; the store sizes are in the samples.`,
      );

    const run: SoakRun = {
      schema: 1,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      interrupted,
      machine,
      kafkaVersion: kafka.version,
      setup: {
        lab: ready.lab,
        topic,
        partitions: ready.partitions,
        pollers: ready.pollers,
        batchSize: ready.batchSize,
        environmentsStarted: ready.environments,
        processingMsPerRecord: ready.processingMsPerRecord,
        ratePerSec: args.rate,
        minutes: args.minutes,
        segmentSec: SEGMENT_SEC,
        producerShards: shards,
        sampleEverySec: SAMPLE_EVERY_SEC,
        warmUpSec,
        retentionMs: retentionMs ?? null,
        slopeLimitMbPerMin: SLOPE_LIMIT_MB_PER_MIN,
      },
      runs,
      accounting: { ...totals, lostSeqs, duplicatedSeqs },
      drained,
      drainSec,
      series,
      pass: failures.length === 0 && !interrupted,
      failures,
      samples,
      notes,
    };
    log(`\n${renderSoak(run, 'text', { samples: false })}`);
    if (interrupted) return 130;
    const files = saveSoak(run, RESULTS_DIR);
    log(`Results: ${files.map((f) => relative(process.cwd(), f)).join(', ')}`);
    return run.pass ? 0 : 1;
  } finally {
    log('Stopping the sandbox process and the broker...');
    await child?.stop().catch(() => undefined);
    await kafka?.stop().catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
