// The bench run as text (terminal) and markdown (bench/results/*.md), and the files it is kept in.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRODUCER_BATCHING } from '../handlers/producer.ts';
import type { ContentionResult, ContentionRun } from './contention.ts';
import { machineLines } from './machine.ts';
import type { ProbeResult } from './probe.ts';
import {
  type BenchRun,
  type CaseResult,
  type InstallResult,
  isFailed,
  type LatencyResult,
  type ProducerResult,
  type RoomResult,
  type StartupResult,
  type ThroughputResult,
} from './results.ts';

export type Format = 'text' | 'markdown';

/** Columns: the first left-aligned, the rest right-aligned. */
export function table(header: string[], rows: string[][], format: Format): string {
  if (format === 'markdown') {
    const esc = (c: string) => c.replace(/\|/g, '\\|');
    return [
      `| ${header.map(esc).join(' | ')} |`,
      `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
      ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
    ].join('\n');
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const ms = (v: number) => v.toFixed(Math.abs(v) >= 100 ? 0 : 1);
const ratio = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : 'n/a');
const signed = (v: number) => `${v >= 0 ? '+' : ''}${ms(v)}`;
const pct = (v: number) => `${Math.round(v * 100)}%`;
const cores = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(2));

const CPU_HEADER = [
  'main thread busy',
  'main thread cores',
  'main thread waiting for a core',
  'loop delay p99 ms',
  'node cores',
  'broker cores',
  'elsewhere cores',
  'machine cores',
];

function cpuCells(p: ProbeResult): string[] {
  return [
    pct(p.mainThreadElu),
    cores(p.mainThreadCores),
    p.mainThreadCpuWait === undefined ? 'n/a' : pct(p.mainThreadCpuWait),
    `${p.loopDelayP99Ms}`,
    cores(p.nodeCores),
    cores(p.others.broker),
    cores(p.elsewhereCores),
    `${cores(p.machineCores)} of ${p.cores}`,
  ];
}

const CPU_LEGEND =
  "main thread busy = event-loop utilization of the bench's main thread, which runs the ESM pollers and the Lambda runtime; main thread waiting for a core = share of the time it was runnable but not running (/proc schedstat); cores = CPU seconds per second; node = this process, all threads (Lambda workers included); elsewhere = every other process on the machine (another test run, say); machine = all of it.";

export function heading(text: string, format: Format, level = 2): string {
  return format === 'markdown' ? `${'#'.repeat(level)} ${text}` : `${text}\n${'='.repeat(Math.min(text.length, 100))}`;
}

function startup(r: StartupResult, f: Format): string[] {
  const samples = (xs: number[]) => xs.map((x) => `${x}`).join(', ');
  return [
    table(
      ['what', 'samples (ms)', 'median (ms)'],
      [
        [`cold broker start, startKafka() (launch to ready: ${r.broker.startMs} ms)`, `${r.broker.wallMs}`, `${r.broker.wallMs}`],
        [`startSandbox(lab ${r.case.lab}) on the running broker`, samples(r.sandboxStarts.map((s) => s.wallMs)), `${r.sandboxStartMedianMs}`],
        [`sandbox.stop()`, samples(r.sandboxStarts.map((s) => s.stopMs)), `${r.sandboxStopMedianMs}`],
      ],
      f,
    ),
    '',
    `Cold broker start: one sample, the broker this whole run uses (fresh data dir, storage format included${r.broker.external ? '; external broker, nothing started' : ''}).`,
  ];
}

function latency(r: LatencyResult, f: Format): string[] {
  const s = r.sandbox.endToEndMs;
  const p = r.plain.endToEndMs;
  const row = (name: string, a: number, b: number) => [name, ms(a), ms(b), signed(a - b), ratio(b > 0 ? a / b : NaN)];
  return [
    `Setup: ${r.setup.lab} on topic ${r.setup.topic} (${r.setup.partitions} partitions), batch ${r.setup.batchSize}, window ${r.setup.batchingWindowMs} ms, pollers ${r.setup.pollers}, ${r.setup.processingMsPerRecord} ms/record; baseline: ${r.setup.plainConsumer}.`,
    `Load: ${r.case.ratePerSec} events/s steady for ${r.case.durationSec} s (first ${r.case.warmUpSec} s excluded); offered ${r.offered}, published ${r.published}; producer send delay p50 ${ms(r.sendDelayMs.p50)} ms, p99 ${ms(r.sendDelayMs.p99)} ms.`,
    '',
    table(
      ['end-to-end (ms)', 'sandbox', 'plain kafkajs', 'overhead', 'ratio'],
      [
        row('p50', s.p50, p.p50),
        row('p90', s.p90, p.p90),
        row('p99', s.p99, p.p99),
        row('p99.9', s.p999, p.p999),
        row('max', s.max, p.max),
        ['events measured', `${s.count}`, `${p.count}`, '', ''],
        [
          'processed / lost / duplicates',
          `${r.sandbox.processed} / ${r.sandbox.lost} / ${r.sandbox.duplicates}`,
          `${r.plain.processed} / ${r.plain.lost} / ${r.plain.duplicates}`,
          '',
          '',
        ],
      ],
      f,
    ),
    '',
    `Sandbox overhead: p50 ${signed(r.overhead.p50DiffMs)} ms (${ratio(r.overhead.p50Ratio)}), p99 ${signed(r.overhead.p99DiffMs)} ms (${ratio(r.overhead.p99Ratio)}); sandbox average batch ${r.sandbox.avgBatchSize}.`,
    '',
    'CPU from the first intended send until both consumers were done:',
    '',
    table(['', ...CPU_HEADER, 'plain consumer cores'], [['latency run', ...cpuCells(r.probe), cores(r.probe.others.plainConsumer)]], f),
  ];
}

function throughput(r: ThroughputResult, f: Format): string[] {
  const verdict = r.steps.map((s) => [
    `${s.ratePerSec}`,
    `${s.offered}`,
    `${s.published}`,
    `${s.processed}`,
    `${s.lost}`,
    `${Math.round(s.throughputPerSec)}`,
    ms(s.endToEndMs.p50),
    ms(s.endToEndMs.p99),
    s.drained ? `${s.drainSec}` : `no (>${r.case.drainTimeoutSec})`,
    s.keptUp ? 'yes' : `NO: ${s.why}`,
  ]);
  const where = r.steps.map((s) => [
    `${s.ratePerSec}`,
    `${s.producerShards}`,
    `${Math.round(s.publishedPerSec)}`,
    `${ms(s.sendDelayMs.p50)} / ${ms(s.sendDelayMs.p99)}`,
    `${s.invocations.count}`,
    `${s.avgBatchSize}`,
    `${ms(s.invocations.handlerMs.p50)} / ${ms(s.invocations.invokeMs.p50)} / ${ms(s.invocations.invokeMs.p99)}`,
    `${s.peakOffsetLag}`,
    `${s.peakPollers} / ${s.peakConcurrency}`,
  ]);
  const cpu = r.steps.map((s) => [`${s.ratePerSec}`, ...cpuCells(s.probe)]);
  return [
    ...throughputGoals(r),
    '',
    ...backlog(r, f),
    '',
    `Setup: ${r.setup.lab} on topic ${r.setup.topic} (${r.setup.partitions} partitions), batch ${r.setup.batchSize}, window ${r.setup.batchingWindowMs} ms, pollers ${r.setup.pollers}, ${r.setup.eventBytes}-byte events, ${r.setup.processingMsPerRecord} ms/record; each step ${r.case.stepSec} s of steady load (first ${r.case.warmUpSec} s excluded) plus up to ${r.case.drainTimeoutSec} s of drain, all steps on one sandbox.`,
    '',
    table(['offered/s', 'offered', 'published', 'processed', 'lost', 'sustained/s', 'p50 ms', 'p99 ms', 'drain s', 'kept up'], verdict, f),
    '',
    r.highestSustainedPerSec === null
      ? `Highest rate sustained with zero loss: none of the steps (${r.stoppedBecause}).`
      : `Highest rate sustained with zero loss: ${r.highestSustainedPerSec} events/s (${r.stoppedBecause}).`,
    '',
    'Where the time went, per step:',
    '',
    table(
      [
        'offered/s',
        'producers',
        'published/s',
        'send delay p50/p99 ms',
        'invocations',
        'avg batch',
        'handler p50 / invoke p50 / p99 ms',
        'peak lag',
        'peak pollers / in flight',
      ],
      where,
      f,
    ),
    '',
    'CPU per step, while the load ran (not the drain):',
    '',
    table(['offered/s', ...CPU_HEADER], cpu, f),
    '',
    `Kept up = sustained >= ${pct(r.case.keepUpShare)} of offered, every published event processed and the offset lag 0 within the drain timeout, nothing lost. Sustained = completions in the measured window (warm-up excluded, shifted by the median latency, as harness/stats.ts sustainedThroughput) per second. drain s = seconds after the load ended until caught up. producers = concurrent producer Lambda environments, each publishing its shard of the schedule; published/s = events published from the first intended send until the producers returned; send delay = actual minus intended send time. handler = time in the processor's handler; invoke = from the ESM's invoke call to its result (handler plus the local runtime's round trip).`,
  ];
}

/** The case's goals, each with the figure that meets or misses it. */
function throughputGoals(r: ThroughputResult): string[] {
  const { zeroLossPerSec, shareOfPlainConsumer } = r.case.goal;
  const reached = r.highestSustainedPerSec ?? 0;
  const lines = [`Goal: zero-loss throughput >= ${zeroLossPerSec} events/s: ${reached} events/s, ${reached >= zeroLossPerSec ? 'met' : 'NOT met'}.`];
  if ('error' in r.backlog) {
    lines.push(`Goal: >= ${pct(shareOfPlainConsumer)} of a plain kafkajs consumer's rate: not measured (${r.backlog.error}).`);
  } else {
    const plain = r.backlog.plain.perSec;
    const share = plain > 0 ? reached / plain : NaN;
    lines.push(
      `Goal: >= ${pct(shareOfPlainConsumer)} of a plain kafkajs consumer's rate (${Math.round(plain)} events/s reading the backlog below): zero-loss ${reached} events/s is ${Number.isFinite(share) ? pct(share) : 'n/a'}, ${share >= shareOfPlainConsumer ? 'met' : 'NOT met'}; the ESM reading the same backlog, ${pct(r.backlog.ratio)}.`,
    );
  }
  return lines;
}

function backlog(r: ThroughputResult, f: Format): string[] {
  if ('error' in r.backlog) return [`Backlog: could not be measured: ${r.backlog.error}`];
  const b = r.backlog;
  const row = (name: string, run: typeof b.plain, extraCores: number | undefined) => [
    name,
    run.complete ? `${run.events}` : `${Math.round(run.perSec * run.seconds)} of ${run.events} (timed out)`,
    `${Math.round(run.perSec)}`,
    `${run.seconds}`,
    pct(run.probe.mainThreadElu),
    cores(run.probe.nodeCores),
    cores(extraCores),
    cores(run.probe.others.broker),
    `${cores(run.probe.machineCores)} of ${run.probe.cores}`,
  ];
  return [
    `The same backlog read by each consumer in turn: ${b.events} events of ${b.eventBytes} bytes in ${r.setup.partitions} partitions (filled in ${b.fillSeconds} s, not measured); the rate counts from the first completion to the last, so joining the group is not in it.`,
    '',
    table(
      [
        'consumer',
        'events read',
        'events/s',
        'seconds',
        'bench main thread busy',
        'bench process cores',
        'plain consumer cores',
        'broker cores',
        'machine cores',
      ],
      [
        row('plain kafkajs, eachBatch, own process, JSON.parse per record', b.plain, b.plain.probe.others.plainConsumer),
        row(`sandbox: ${r.setup.lab}'s ESM (pollers ${b.sandbox.pollers}, TRIM_HORIZON) and function`, b.sandbox, undefined),
      ],
      f,
    ),
    '',
    `Sandbox / plain kafkajs: ${ratio(b.ratio)}.`,
  ];
}

function producer(r: ProducerResult, f: Format): string[] {
  return [
    `The producer Lambda batches as a load generator does: the events due within ${PRODUCER_BATCHING.lingerMs} ms (at most ${PRODUCER_BATCHING.maxMessages}) leave in one request, several requests in flight (kafkajs, acks all, one connection per execution environment). Offered: ${r.case.ratePerSec} events/s for ${r.case.durationSec} s; the ESM of lab ${r.case.lab} (0 ms/record) consumes meanwhile.`,
    '',
    table(
      ['producer environments', 'offered', 'published', 'published/s', 'send delay p50 ms', 'send delay p99 ms'],
      r.runs.map((x) => [`${x.shards}`, `${x.offered}`, `${x.published}`, `${Math.round(x.publishedPerSec)}`, ms(x.sendDelayMs.p50), ms(x.sendDelayMs.p99)]),
      f,
    ),
    '',
    'CPU while publishing:',
    '',
    table(
      ['producer environments', ...CPU_HEADER],
      r.runs.map((x) => [`${x.shards}`, ...cpuCells(x.probe)]),
      f,
    ),
  ];
}

function profileSection(p: NonNullable<BenchRun['mainThreadProfile']>, f: Format): string[] {
  return [
    heading("Where the main thread's time went (--profile)", f, 2),
    '',
    `A V8 CPU profile of the bench's main thread over the ${p.seconds} s of the cases (self time; the profiler slows the run, so these results do not replace latest.*). Full profile: ${p.file} (Chrome DevTools, Performance panel, or speedscope).`,
    '',
    table(
      ['area', 'share'],
      p.byArea.map((a) => [a.area, pct(a.share)]),
      f,
    ),
    '',
    table(
      ['function', 'area', 'share'],
      p.byFunction.map((x) => [x.fn, x.area, pct(x.share)]),
      f,
    ),
  ];
}

/** CPU of the burner processes, summed. */
function burnerCores(p: ProbeResult): number | undefined {
  const values = Object.entries(p.others)
    .filter(([name]) => name.startsWith('burner'))
    .map(([, v]) => v);
  return values.length === 0 || values.some((v) => v === undefined) ? undefined : values.reduce((a, b) => a! + b!, 0);
}

function contention(r: ContentionResult, f: Format): string[] {
  const p50Target = (run: ContentionRun) => run.targets.find((t) => t.name.toLowerCase().includes('p50'));
  const rows = r.runs.map((run) => [
    run.lab,
    run.burnerCores === 0 ? 'quiet' : `${run.burnerCores} core${run.burnerCores > 1 ? 's' : ''} busy`,
    ms(run.endToEndMs.p50),
    p50Target(run)?.expected ?? 'n/a',
    ms(run.endToEndMs.p99),
    `${run.throughputPerSec}`,
    `${run.lost}`,
    run.passed
      ? 'yes'
      : `NO: ${run.targets
          .filter((t) => !t.pass)
          .map((t) => `${t.name} ${t.actual}`)
          .join('; ')}`,
  ]);
  const cpu = r.runs.map((run) => [
    `${run.lab}, ${run.burnerCores === 0 ? 'quiet' : `${run.burnerCores} busy`}`,
    ...cpuCells(run.probe),
    cores(burnerCores(run.probe)),
  ]);
  return [
    `Each lab runs as \`npx workshop run <n> --quick\` does (the harness, the lab's traffic and local targets), first on the quiet machine, then while ${r.case.burnerCores} other process${r.case.burnerCores > 1 ? 'es spin' : ' spins'} a core at the same priority (a browser, an editor, a video call).`,
    '',
    table(['lab', 'machine', 'p50 ms', 'p50 target', 'p99 ms', 'events/s', 'lost', 'local targets met'], rows, f),
    '',
    'CPU during each run:',
    '',
    table(['run', ...CPU_HEADER, 'burner cores'], cpu, f),
  ];
}

function roomBoard(r: RoomResult, f: Format): string[] {
  const c = r.case;
  return [
    `${c.participants} simulated participants each post a check's summary every ${c.everySec} s for ${c.durationSec} s (open loop, spread over the period), while a listener follows the page's /events. Update = from a post being sent to the page's event that shows it (the board batches events every 200 ms). Goal: nothing lost, update p99 under ${c.goalUpdateP99Ms} ms.`,
    '',
    table(
      ['posts sent', 'answered 200', 'counted', 'lost', 'last report shown', 'update p50 ms', 'update p99 ms', 'update max ms', 'post p99 ms', 'goal met'],
      [
        [
          `${r.sent}`,
          `${r.answered200}`,
          `${r.accepted}`,
          `${r.lost}`,
          `${r.shownLast} of ${c.participants}`,
          ms(r.updateMs.p50),
          ms(r.updateMs.p99),
          ms(r.updateMs.max),
          ms(r.postMs.p99),
          r.metGoal ? 'yes' : 'NO',
        ],
      ],
      f,
    ),
  ];
}

function install(r: InstallResult, f: Format): string[] {
  const c = r.case;
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
  const sec = (s: number) => `${s.toFixed(1)} s`;
  return [
    `A fresh folder with the project's package.json, lock and .npmrc: \`npm install\` into an empty npm cache (download = what the cache holds after), ${c.warmInstalls} more from that warm cache, the jars into an empty jar cache, then \`npm run aws:setup\`. Goals: the local path downloads at most ${c.goalLocalMB} MB; a warm \`npm install\` takes under ${c.goalWarmSec} s.`,
    '',
    table(
      [
        'path',
        'npm download',
        'jars download',
        'total download',
        'npm install (empty cache)',
        'npm install (warm, median)',
        'jar fetch',
        'node_modules',
        'goal met',
      ],
      [
        [
          'local',
          mb(r.npmBytes),
          mb(r.jarBytes),
          mb(r.npmBytes + r.jarBytes),
          sec(r.coldSec),
          sec(r.warmMedianSec),
          sec(r.jarsSec),
          mb(r.nodeModulesBytes),
          r.metGoal ? 'yes' : 'NO',
        ],
        ['+ AWS path (npm run aws:setup)', mb(r.awsBytes), '-', mb(r.npmBytes + r.jarBytes + r.awsBytes), sec(r.awsSec), '-', '-', '-', '-'],
        ...(r.registryBytes === undefined
          ? []
          : [["+ the schema registry lab's server", '-', mb(r.registryBytes), mb(r.npmBytes + r.jarBytes + r.registryBytes), '-', '-', '-', '-', '-']]),
      ],
      f,
    ),
  ];
}

function section(result: CaseResult, format: Format): string[] {
  const title = heading(`${result.case.title} [${result.case.id}]`, format, 2);
  if (isFailed(result)) return [title, '', `FAILED: ${result.error}`];
  const body =
    result.kind === 'startup'
      ? startup(result, format)
      : result.kind === 'latency'
        ? latency(result, format)
        : result.kind === 'producer'
          ? producer(result, format)
          : result.kind === 'throughput'
            ? throughput(result, format)
            : result.kind === 'room'
              ? roomBoard(result, format)
              : result.kind === 'install'
                ? install(result, format)
                : contention(result, format);
  return [title, '', ...body];
}

export function renderRun(run: BenchRun, format: Format): string {
  const lines = [
    heading(
      `Sandbox benchmarks, ${run.startedAt}${run.quick ? ' (QUICK: shortened cases, not comparable)' : ''}${run.interrupted ? ' (INTERRUPTED)' : ''}`,
      format,
      1,
    ),
    '',
    ...machineLines(run.machine, run.kafkaVersion).map((l) => (format === 'markdown' ? `- ${l}` : l)),
    format === 'markdown'
      ? `- Wall time ${run.wallSeconds} s; timeScale ${run.timeScale}; HdrHistogram percentiles; one run, one broker.`
      : `Wall time ${run.wallSeconds} s; timeScale ${run.timeScale}; HdrHistogram percentiles; one run, one broker.`,
  ];
  for (const result of run.results) lines.push('', ...section(result, format));
  if (run.mainThreadProfile) lines.push('', ...profileSection(run.mainThreadProfile, format));
  lines.push('', `CPU columns: ${CPU_LEGEND}`);
  if (run.notes.length > 0) lines.push('', heading('Notes', format, 2), '', ...run.notes.map((n) => (format === 'markdown' ? `- ${n}` : `- ${n}`)));
  return `${lines.join('\n')}\n`;
}

/** `2025-11-26_16-55-03Z`: sorts by time, safe in file names. */
export function runStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '_')
    .replace(/:/g, '-');
}

/** Writes through a temporary file, so an interrupted run never leaves a half-written result. */
export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`; // bench/results/*.tmp is git-ignored
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * Writes <stamp>.json and <stamp>.md, and overwrites latest.json and latest.md, except for an
 * interrupted or profiled run: its results get the stamped files only.
 */
export function saveRun(run: BenchRun, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const stamp = runStamp(new Date(run.startedAt));
  const json = `${JSON.stringify(run, null, 1)}\n`;
  const md = renderRun(run, 'markdown');
  const names = [`${stamp}.json`, `${stamp}.md`, ...(run.interrupted || run.mainThreadProfile ? [] : ['latest.json', 'latest.md'])];
  const files = names.map((name) => join(dir, name));
  files.forEach((file) => writeAtomic(file, file.endsWith('.json') ? json : md));
  return files;
}
