// The soak's results (bench/soak.ts): memory slopes, the verdict, tables (text and markdown) and
// the files under bench/results/ (soak-latest.json with every sample, soak-latest.md).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Accounting } from '../harness/accounting.ts';
import { round } from '../harness/stats.ts';
import { type MachineInfo, machineLines } from './machine.ts';
import { type Format, heading, table, writeAtomic } from './report.ts';
import type { ChildSample } from './soak-child.ts';

const MB = 1024 * 1024;

type SampleCounter = 'published' | 'processed' | 'offsetLag' | 'waiting' | 'pollers' | 'inFlight' | 'stores';

/** The child's counters as it reported them, with memory in MB and this process's CPU readings. */
export interface SoakSample extends Pick<ChildSample, SampleCounter> {
  /** Seconds since the load started. */
  t: number;
  /** 'load' samples make the slopes; the 'drain' sample is the state after the catch-up. */
  phase: 'load' | 'drain';
  sandbox: { heapMb: number; heapTotalMb: number; rssMb: number; rssAnonMb: number; rssFileMb: number; externalMb: number; gcMs: number };
  /** The execution environments (worker threads of the sandbox process): their V8 heaps after a GC each. */
  lambda: {
    environments: number;
    heapMb: number;
    heapTotalMb: number;
    collected: boolean;
    byFunction: Record<string, { environments: number; heapMb: number }>;
  };
  broker:
    | {
        heapMb: number;
        rssMb: number;
        rssAnonMb: number;
        rssFileMb: number;
        /** Resident pages of the Java heap's address range, and the RSS outside it. */
        rssHeapMb?: number;
        rssOutsideHeapMb?: number;
        heapCommittedMb: number;
        jcmdMs: number;
      }
    | { error: string };
  /** CPU since the previous sample, in cores. */
  cpu: { sandbox?: number; broker?: number; elsewhere?: number; machine?: number };
}

/** The pass criterion applies to these. */
const CRITERIA = ['sandbox heap', 'sandbox RSS', 'broker heap', 'broker RSS'] as const;
/** Shown beside them, to tell where a growth comes from. */
const DETAILS = [
  'lambda heaps',
  'sandbox V8 committed',
  'sandbox RSS outside V8',
  'broker RSS heap pages',
  'broker RSS outside heap',
  'broker RSS file',
] as const;
export type SeriesName = (typeof CRITERIA)[number] | (typeof DETAILS)[number];
const SERIES: readonly SeriesName[] = [...CRITERIA, ...DETAILS];

export interface SeriesResult {
  name: SeriesName;
  /** Least-squares slope over the samples after the warm-up, MB per minute. */
  slopeMbPerMin: number | null;
  /** Its standard error, MB per minute (slopeStandardError); null with too few samples. */
  slopeStdErrMbPerMin: number | null;
  startMb: number | null;
  /** The first sample after the warm-up. */
  warmMb: number | null;
  endMb: number | null;
  maxMb: number | null;
  /** Whether the pass criterion applies (false: shown to explain the others). */
  criterion: boolean;
  pass: boolean;
}

export interface SoakRun {
  schema: 1;
  startedAt: string;
  finishedAt: string;
  interrupted: boolean;
  machine: MachineInfo;
  kafkaVersion: string | undefined;
  setup: {
    lab: string;
    topic: string;
    partitions: number;
    /** Provisioned pollers, minimum = maximum. */
    pollers: number;
    batchSize: number;
    processingMsPerRecord: number;
    /** Execution environments started before the load (all functions). */
    environmentsStarted: number;
    ratePerSec: number;
    minutes: number;
    segmentSec: number;
    producerShards: number;
    sampleEverySec: number;
    warmUpSec: number;
    /** The Lambda runtime's store retention the sandbox ran with; null = the sandbox default. */
    retentionMs: number | null;
    slopeLimitMbPerMin: number;
  };
  runs: Array<{ runId: string; offered: number; published: number; failedToPublish: number; sendDelayP99Ms: number }>;
  accounting: Omit<Accounting, 'unknownSeqs'> & { unknown: number; duplicateProcessings: number };
  drained: boolean;
  drainSec: number;
  series: SeriesResult[];
  pass: boolean;
  failures: string[];
  samples: SoakSample[];
  notes: string[];
}

/** Least-squares slope of y over x; null with fewer than 2 distinct x. */
export function leastSquaresSlope(points: ReadonlyArray<readonly [number, number]>): number | null {
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? null : sxy / sxx;
}

/**
 * The standard error of that slope, widened for lag-1 autocorrelation of the residuals: memory
 * samples 10 s apart are not independent (a V8 heap resized at one sample is often still that size
 * at the next), and the plain formula would claim a precision the run does not have. Uses
 * n_eff = n (1 - r) / (1 + r), r clamped to [0, 0.95]. Null with fewer than 4 points.
 */
export function slopeStandardError(points: ReadonlyArray<readonly [number, number]>): number | null {
  const slope = leastSquaresSlope(points);
  const n = points.length;
  if (slope === null || n < 4) return null;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const residuals = points.map(([x, y]) => y - (my + slope * (x - mx)));
  const sxx = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  const sse = residuals.reduce((sum, r) => sum + r * r, 0);
  if (sse === 0) return 0;
  let lagged = 0;
  for (let i = 1; i < n; i++) lagged += residuals[i] * residuals[i - 1];
  const r = Math.min(0.95, Math.max(0, lagged / sse));
  return Math.sqrt(sse / (n - 2) / sxx) * Math.sqrt((1 + r) / (1 - r));
}

function valueOf(sample: SoakSample, name: SeriesName): number | undefined {
  switch (name) {
    case 'sandbox heap':
      return sample.sandbox.heapMb;
    case 'sandbox RSS':
      return sample.sandbox.rssMb;
    case 'broker heap':
      return 'error' in sample.broker ? undefined : sample.broker.heapMb;
    case 'broker RSS':
      return 'error' in sample.broker ? undefined : sample.broker.rssMb;
    case 'lambda heaps':
      return sample.lambda.heapMb;
    case 'sandbox V8 committed':
      return round(sample.sandbox.heapTotalMb + sample.lambda.heapTotalMb, 1);
    case 'sandbox RSS outside V8':
      return round(sample.sandbox.rssAnonMb - sample.sandbox.heapTotalMb - sample.lambda.heapTotalMb, 1);
    case 'broker RSS heap pages':
      return 'error' in sample.broker ? undefined : sample.broker.rssHeapMb;
    case 'broker RSS outside heap':
      return 'error' in sample.broker ? undefined : sample.broker.rssOutsideHeapMb;
    case 'broker RSS file':
      return 'error' in sample.broker ? undefined : sample.broker.rssFileMb;
  }
}

export function seriesResults(samples: readonly SoakSample[], warmUpSec: number, limitMbPerMin: number): SeriesResult[] {
  const load = samples.filter((s) => s.phase === 'load');
  return SERIES.map((name) => {
    const all = load.map((s) => [s.t, valueOf(s, name)] as const).filter((p): p is readonly [number, number] => p[1] !== undefined);
    const warm = all.filter(([t]) => t >= warmUpSec);
    const perSec = leastSquaresSlope(warm);
    const slope = perSec === null ? null : round(perSec * 60, 2);
    const stdErrPerSec = slopeStandardError(warm);
    const criterion = (CRITERIA as readonly string[]).includes(name);
    return {
      name,
      slopeMbPerMin: slope,
      slopeStdErrMbPerMin: stdErrPerSec === null ? null : round(stdErrPerSec * 60, 2),
      startMb: all[0]?.[1] ?? null,
      warmMb: warm[0]?.[1] ?? null,
      endMb: all.at(-1)?.[1] ?? null,
      maxMb: all.length > 0 ? Math.max(...all.map(([, v]) => v)) : null,
      criterion,
      pass: !criterion || (slope !== null && slope < limitMbPerMin),
    };
  });
}

export const toMb = (bytes: number) => round(bytes / MB, 1);

const mb = (v: number | null) => (v === null ? 'n/a' : v.toFixed(1));
const slopeText = (v: number | null) => (v === null ? 'n/a' : `${v >= 0 ? '+' : ''}${v.toFixed(2)}`);
// Results saved before the standard error was recorded have none.
const stdErrText = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `±${v.toFixed(2)}`);

/** "+0.22 ± 0.28" */
export const slopeWithError = (r: Pick<SeriesResult, 'slopeMbPerMin' | 'slopeStdErrMbPerMin'>) =>
  `${slopeText(r.slopeMbPerMin)} ${stdErrText(r.slopeStdErrMbPerMin)}`;

/** Judged series whose verdict could flip from run to run: the limit lies within two standard errors of the slope. */
export function tooShortToTell(series: readonly SeriesResult[], limitMbPerMin: number): SeriesResult[] {
  return series.filter(
    (r) => r.criterion && r.slopeMbPerMin !== null && r.slopeStdErrMbPerMin !== null && Math.abs(r.slopeMbPerMin - limitMbPerMin) < 2 * r.slopeStdErrMbPerMin,
  );
}

export function renderSoak(run: SoakRun, format: Format, options: { samples?: boolean } = {}): string {
  const s = run.setup;
  const a = run.accounting;
  const bullet = (l: string) => (format === 'markdown' ? `- ${l}` : l);
  const retention = s.retentionMs === null ? 'the sandbox default' : `${round(s.retentionMs / 1000, 1)} s`;
  const load = run.samples.filter((x) => x.phase === 'load');
  const warm = load.find((x) => x.t >= s.warmUpSec);
  const last = load.at(-1);
  const median = (values: number[]) => {
    const sorted = [...values].sort((x, y) => x - y);
    return sorted.length === 0 ? undefined : sorted[Math.floor(sorted.length / 2)];
  };
  const cores = (pick: (x: SoakSample) => number | undefined) => {
    const m = median(
      load
        .slice(1)
        .map(pick)
        .filter((v): v is number => v !== undefined),
    );
    return m === undefined ? 'n/a' : m.toFixed(2);
  };
  const stores = (x: SoakSample | undefined) =>
    x ? `${x.stores.metrics} / ${x.stores.logLines} / ${x.stores.invocations} / ${x.stores.concurrencySamples}` : 'n/a';
  const lines = [
    heading(`Sandbox soak, ${run.startedAt}: ${run.pass ? 'PASS' : 'FAIL'}${run.interrupted ? ' (INTERRUPTED)' : ''}`, format, 1),
    '',
    ...machineLines(run.machine, run.kafkaVersion).map(bullet),
    bullet(
      `Load: ${s.lab} on topic ${s.topic} (${s.partitions} partitions, ${s.pollers} provisioned pollers, batch ${s.batchSize}, ${s.processingMsPerRecord} ms/record; ${s.environmentsStarted} execution environments started before the load), ${s.ratePerSec} events/s for ${s.minutes} min from the producer Lambda (${s.producerShards} shard${s.producerShards > 1 ? 's' : ''}, one run per ${s.segmentSec} s); a sample every ${s.sampleEverySec} s; slopes over the samples after ${round(s.warmUpSec / 60, 1)} min; Lambda runtime store retention ${retention}.`,
    ),
    '',
    table(
      ['what', 'value'],
      [
        ['offered rate (events/s)', `${s.ratePerSec}`],
        ['published / offered', `${a.published} / ${run.runs.reduce((n, r) => n + r.offered, 0)}`],
        ['processed (unique)', `${a.processed}`],
        ['lost', `${a.lost}`],
        ['duplicates (seqs processed more than once)', `${a.duplicated} (${a.duplicateProcessings} extra processings)`],
        ['unknown seqs', `${a.unknown}`],
        ['drained after the load', run.drained ? `yes, in ${run.drainSec} s` : `NO (${run.drainSec} s)`],
        ['peak offset lag during the load', `${Math.max(0, ...load.map((x) => x.offsetLag))}`],
        ['Lambda execution environments (after the warm-up / at the end)', `${warm?.lambda.environments ?? 'n/a'} / ${last?.lambda.environments ?? 'n/a'}`],
        ['store entries after the warm-up: metrics / log lines / invocations / concurrency samples', stores(warm)],
        ['store entries at the end', stores(last)],
        [
          'cores, median per interval: sandbox / broker / elsewhere',
          `${cores((x) => x.cpu.sandbox)} / ${cores((x) => x.cpu.broker)} / ${cores((x) => x.cpu.elsewhere)}`,
        ],
      ],
      format,
    ),
    '',
    table(
      [
        'memory',
        `slope MB/min (after ${round(s.warmUpSec / 60, 1)} min)`,
        '± std. error',
        'start MB',
        'after warm-up MB',
        'end MB',
        'max MB',
        `< ${s.slopeLimitMbPerMin} MB/min`,
      ],
      run.series.map((r) => [
        r.criterion ? r.name : `(${r.name})`,
        slopeText(r.slopeMbPerMin),
        stdErrText(r.slopeStdErrMbPerMin),
        mb(r.startMb),
        mb(r.warmMb),
        mb(r.endMb),
        mb(r.maxMb),
        r.criterion ? (r.pass ? 'yes' : 'NO') : '',
      ]),
      format,
    ),
    '',
    "Sandbox heap = heapUsed of the sandbox process's main isolate (ESM pollers, Lambda runtime, kafkajs) after global.gc() (node --expose-gc); sandbox RSS = VmRSS of that process: the main isolate, every Lambda execution environment (a worker thread with its own V8 heap), tsx, native buffers. Broker heap = the JVM heap used right after a full GC (jcmd GC.class_histogram, then GC.heap_info); broker RSS = VmRSS of the JVM. In parentheses, not judged: lambda heaps = the V8 heaps of all execution environments, each after its own GC; sandbox V8 committed = heap space V8 holds in the main isolate and the environments together (it grows and shrinks with V8's own sizing of each isolate's young and old generation, whatever they retain); sandbox RSS outside V8 = its anonymous RSS minus that (stacks, malloc, native buffers: where a native leak would show); broker RSS heap pages = resident pages of the Java heap's address range (the JVM touches its committed heap region by region, so these grow towards the committed size whatever the live set), outside heap = the rest of its RSS (where a native leak would show); broker RSS file = mapped files (jars, Kafka's index files, which grow with the log).",
  ];
  if (run.failures.length > 0) lines.push('', heading('Why it failed', format, 2), '', ...run.failures.map((f) => `- ${f}`));
  if (run.notes.length > 0) lines.push('', heading('Notes', format, 2), '', ...run.notes.map((n) => `- ${n}`));
  if (options.samples !== false) {
    const cores = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(2));
    lines.push(
      '',
      heading('Samples', format, 2),
      '',
      table(
        [
          't s',
          'sandbox heap MB',
          'sandbox RSS MB',
          'broker heap MB',
          'broker RSS MB',
          'lambda envs',
          'lambda heaps MB',
          'published',
          'processed',
          'offset lag',
          'pollers',
          'metrics',
          'log lines',
          'invocations',
          'sandbox cores',
          'broker cores',
          'elsewhere cores',
        ],
        run.samples.map((x) => [
          `${x.t}${x.phase === 'drain' ? ' (drained)' : ''}`,
          x.sandbox.heapMb.toFixed(1),
          x.sandbox.rssMb.toFixed(1),
          'error' in x.broker ? 'n/a' : x.broker.heapMb.toFixed(1),
          'error' in x.broker ? 'n/a' : x.broker.rssMb.toFixed(1),
          `${x.lambda.environments}`,
          x.lambda.heapMb.toFixed(1),
          `${x.published}`,
          `${x.processed}`,
          `${x.offsetLag}`,
          `${x.pollers}`,
          `${x.stores.metrics}`,
          `${x.stores.logLines}`,
          `${x.stores.invocations}`,
          cores(x.cpu.sandbox),
          cores(x.cpu.broker),
          cores(x.cpu.elsewhere),
        ]),
        format,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** soak-latest.json (every sample) and soak-latest.md, overwritten by each complete soak. */
export function saveSoak(run: SoakRun, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, 'soak-latest.json'), join(dir, 'soak-latest.md')];
  writeAtomic(files[0], `${JSON.stringify(run, null, 1)}\n`);
  writeAtomic(files[1], renderSoak(run, 'markdown'));
  return files;
}
