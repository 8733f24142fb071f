// The sandbox benchmarks of bench/cases.ts, all in one run on one Kafka broker (started by
// bench/run.ts, `npm run bench`, which documents the options). Prints the results as tables and
// keeps them under bench/results/: <date>_<time>Z.json and .md for this run, latest.json and
// latest.md overwritten (not by an interrupted run).
//
// Every server and process the bench starts is stopped in finally blocks, also when a case fails,
// and on Ctrl-C or when bench/run.ts goes away (the partial results are still written).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { round } from '../harness/stats.ts';
import { DEFAULT_TIME_SCALE } from '../sandbox/index.ts';
import { type KafkaSandbox, startKafka } from '../sandbox/kafka-broker.ts';
import { type BenchCase, CASES, quickCases, TIME_BUDGET_MS } from './cases.ts';
import { runContention } from './contention.ts';
import { findings } from './findings.ts';
import { runInstallSize } from './install-size.ts';
import { describeMachine, machineLines } from './machine.ts';
import { startMainThreadProfile, summarizeProfile } from './main-thread-profile.ts';
import { renderRun, runStamp, saveRun } from './report.ts';
import { Resources } from './resources.ts';
import { type BenchRun, type BrokerStart, type CaseResult, isFailed } from './results.ts';
import { runRoomLoad } from './room-load.ts';
import { type BenchContext, runLatency, runProducer, runStartup, runThroughput } from './run-cases.ts';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
/** Kept free at the end of the budget for stopping servers and writing files. */
const STOP_RESERVE_MS = 30_000;
/** After Ctrl-C, the bench exits at the latest this long after stopping began. */
const INTERRUPT_GRACE_MS = 25_000;
/** Signals this soon after the first are the same Ctrl-C, relayed. */
const REPEAT_SIGNAL_MS = 2_000;

const log = (message: string) => process.stdout.write(`${message}\n`);

function parseArgs(argv: string[]): { quick: boolean; profile: boolean; only?: string } {
  const quick = argv.includes('--quick');
  const profile = argv.includes('--profile');
  const at = argv.indexOf('--only');
  const only = at >= 0 ? argv[at + 1] : undefined;
  const unknown = argv.filter((a, i) => a !== '--quick' && a !== '--profile' && a !== '--only' && !(i > 0 && argv[i - 1] === '--only'));
  if (unknown.length > 0 || (at >= 0 && !only)) {
    throw new Error(
      `Unknown arguments ${unknown.join(' ') || '--only without a case id'}; use --quick, --profile and/or --only <${CASES.map((c) => c.id).join('|')}>.`,
    );
  }
  if (only && !CASES.some((c) => c.id === only)) throw new Error(`There is no case ${only}; the cases are ${CASES.map((c) => c.id).join(', ')}.`);
  return { quick, profile, only };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const cases: BenchCase[] = (args.quick ? quickCases(CASES) : [...CASES]).filter((c) => !args.only || c.id === args.only);
  const started = new Date();
  const resources = new Resources();
  let interrupted = false;
  let interrupt: (error: Error) => void = () => undefined;
  const interruption = new Promise<never>((_, reject) => (interrupt = reject));
  interruption.catch(() => undefined); // raced by the cases; nobody else waits for it
  let watchdog: NodeJS.Timeout | undefined;
  let interruptedAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      // npm and tsx relay the terminal's Ctrl-C, so one press can arrive twice: only a later one quits.
      if (Date.now() - interruptedAt < REPEAT_SIGNAL_MS) return;
      log(`${signal} again: quitting now (the exit hooks of sandbox/process.ts still stop the servers).`);
      process.exit(130);
    }
    interrupted = true;
    interruptedAt = Date.now();
    log(`\n${signal}: stopping everything the bench started, then writing the partial results (Ctrl-C again to quit at once)...`);
    watchdog = setTimeout(() => process.exit(130), INTERRUPT_GRACE_MS);
    watchdog.unref();
    interrupt(new Error('interrupted'));
    void resources.stopAll(log);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Started by bench/run.ts: if it goes away, stop as if interrupted.
  if (process.connected) process.once('disconnect', () => onSignal('SIGHUP'));

  const machine = describeMachine();
  log(`Sandbox benchmarks${args.quick ? ' (QUICK)' : ''}: ${cases.map((c) => c.id).join(', ')}`);
  for (const line of machineLines(machine, undefined)) log(line);

  const results: CaseResult[] = [];
  const notes: string[] = [];
  let kafka: KafkaSandbox | undefined;
  let fatal: string | undefined;
  let profiler: Awaited<ReturnType<typeof startMainThreadProfile>> | undefined;
  let mainThreadProfile: BenchRun['mainThreadProfile'];
  try {
    log('\nStarting the Kafka broker (cold: new JVM, fresh data dir)...');
    const t0 = Date.now();
    kafka = await startKafka();
    const broker: BrokerStart = { wallMs: Date.now() - t0, startMs: kafka.startMs, version: kafka.version, external: kafka.external };
    const running = kafka;
    resources.track('kafka broker', () => running.stop());
    log(`  ready on ${kafka.brokers} in ${broker.wallMs} ms (Kafka ${kafka.version ?? 'external'}, pid ${kafka.pid ?? '-'})`);

    const ctx: BenchContext = {
      kafka,
      timeScale: DEFAULT_TIME_SCALE,
      deadline: started.getTime() + TIME_BUDGET_MS - STOP_RESERVE_MS,
      resources,
      log,
      interrupted: () => interrupted,
      interruption,
    };
    profiler = args.profile ? await startMainThreadProfile() : undefined;
    for (const c of cases) {
      if (interrupted) break;
      log(`\n> ${c.title} [${c.id}]`);
      const t = Date.now();
      try {
        results.push(await runCase(c, ctx, broker));
      } catch (error) {
        const message = interrupted ? 'interrupted' : error instanceof Error ? error.message : String(error);
        results.push({ kind: c.kind, case: c, error: message });
        log(`  FAILED: ${message}`);
      }
      log(`  (${round((Date.now() - t) / 1000, 1)} s)`);
    }
  } catch (error) {
    fatal = error instanceof Error ? error.message : String(error);
    log(`\nThe bench could not run: ${fatal}`);
    notes.push(`The bench stopped early: ${fatal}`);
  } finally {
    const profile = await profiler?.stop();
    if (profile) {
      const file = join(RESULTS_DIR, `${runStamp(started)}-main-thread.cpuprofile`);
      mkdirSync(RESULTS_DIR, { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
      mainThreadProfile = { ...summarizeProfile(profile), file: relative(process.cwd(), file) };
    }
    log('\nStopping the broker and everything else the bench started...');
    await resources.stopAll(log);
  }

  notes.push(...findings(results));
  const run: BenchRun = {
    schema: 1,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    wallSeconds: round((Date.now() - started.getTime()) / 1000, 1),
    quick: args.quick,
    interrupted,
    machine,
    kafkaVersion: kafka?.version,
    timeScale: DEFAULT_TIME_SCALE,
    results,
    notes,
    mainThreadProfile,
  };
  log(`\n${renderRun(run, 'text')}`);
  const files = saveRun(run, RESULTS_DIR);
  log(`Results: ${files.map((f) => relative(process.cwd(), f)).join(', ')}`);
  clearTimeout(watchdog);
  if (interrupted) return 130;
  return fatal || results.some(isFailed) ? 1 : 0;
}

function runCase(c: BenchCase, ctx: BenchContext, broker: BrokerStart): Promise<CaseResult> {
  switch (c.kind) {
    case 'startup':
      return runStartup(c, ctx, broker);
    case 'latency':
      return runLatency(c, ctx);
    case 'producer':
      return runProducer(c, ctx);
    case 'throughput':
      return runThroughput(c, ctx);
    case 'contention':
      return runContention(c, ctx);
    case 'room':
      return runRoomLoad(c);
    case 'install':
      return runInstallSize(c);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
