// The measured figures of docs/MEASURED.md and bench/README.md, generated from the result files
// committed under bench/results/ and from the soak's own constants, so neither page can quote a
// figure no file holds or a default the code no longer has. Each generated block sits between
// `<!-- generated:<name> -->` and `<!-- /generated:<name> -->`, as in the lab READMEs;
// `npm run figures` rewrites the blocks and test/docs/measured.test.ts fails when a committed
// page differs from what this script would write.
//
//   bench/results/latest.json       the latest complete `npm run bench` (a profiled or
//                                   interrupted run never replaces it: bench/report.ts saveRun)
//   bench/results/<stamp>.json      the newest of them with a main-thread profile (--profile)
//   bench/results/soak-latest.json  the latest `npm run soak`
//   LONG_SOAK                       a 25-minute soak whose samples show why the defaults are 20 and 4
//   bench/soak-plan.ts              the soak's defaults
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { ContentionResult, ContentionRun } from '../bench/contention.ts';
import type { BenchRun, CaseResult, InstallResult, RoomResult, ThroughputResult } from '../bench/results.ts';
import { DEFAULT_MINUTES, DEFAULT_RATE, MAX_AUTO_RETENTION_SECONDS, SAMPLE_EVERY_SEC, SLOPE_LIMIT_MB_PER_MIN, warmUpSeconds } from '../bench/soak-plan.ts';
import { type SoakRun, seriesResults, slopeWithError } from '../bench/soak-report.ts';
import { runsAsScript } from '../labs/entry-point.ts';
import { DEFAULT_RETENTION_MS } from '../sandbox/lambda-runtime/retention.ts';
import { REPO_ROOT } from './markdown.ts';

export const RESULTS_DIR = 'bench/results';
export const LATEST_BENCH = `${RESULTS_DIR}/latest.json`;
export const LATEST_SOAK = `${RESULTS_DIR}/soak-latest.json`;
/** The 25-minute soak bench/soak-plan.ts cites for its defaults. */
export const LONG_SOAK = `${RESULTS_DIR}/soak-2026-11-26_21-40-56Z-25min.json`;

/** Every file with generated blocks, and the blocks each must have. */
export const GENERATED: Record<string, readonly BlockName[]> = {
  'docs/MEASURED.md': ['bench-goals', 'bench-throughput-note', 'bench-profile', 'room-board', 'soak-defaults', 'soak-warm-up', 'soak-latest'],
  'bench/README.md': ['soak-defaults'],
  'README.md': ['install-size'],
};

export interface Results {
  bench: BenchRun;
  /** The newest stamped bench run with a main-thread profile, and its file. */
  profiled?: { run: BenchRun; file: string };
  soak: SoakRun;
  longSoak: SoakRun;
  /** The newest stamped bench run with the install case (`npm run bench -- --only install`), and its file. */
  install?: Stamped<InstallResult>;
  /** The newest full-length (not --quick) stamped run with the room board case. */
  room?: Stamped<RoomResult>;
  /** The newest full-length stamped run with the busy-laptop case (`npm run bench -- --only busy-laptop`). */
  contention?: Stamped<ContentionResult>;
}

/** One case's result and the stamped run file that holds it. */
export interface Stamped<T> {
  result: T;
  file: string;
  at: string;
}

const readJson = <T>(root: string, file: string): T => JSON.parse(readFileSync(join(root, file), 'utf8')) as T;

export function readResults(root = REPO_ROOT): Results {
  const stamped = readdirSync(join(root, RESULTS_DIR))
    .filter((name) => /^\d{4}-\d\d-\d\d_[\d-]+Z\.json$/.test(name))
    .sort()
    .map((name) => ({ file: `${RESULTS_DIR}/${name}`, run: readJson<BenchRun>(root, `${RESULTS_DIR}/${name}`) }));
  return {
    bench: readJson<BenchRun>(root, LATEST_BENCH),
    profiled: stamped.filter((s) => s.run.mainThreadProfile).at(-1),
    soak: readJson<SoakRun>(root, LATEST_SOAK),
    longSoak: readJson<SoakRun>(root, LONG_SOAK),
    install: newest(stamped, (r): r is InstallResult => r.kind === 'install'),
    room: newest(
      stamped.filter((s) => !s.run.quick),
      (r): r is RoomResult => r.kind === 'room',
    ),
    contention: newest(
      stamped.filter((s) => !s.run.quick),
      (r): r is ContentionResult => r.kind === 'contention' && !('error' in r),
    ),
  };
}

function newest<T extends CaseResult>(stamped: { file: string; run: BenchRun }[], is: (r: CaseResult) => r is T): Stamped<T> | undefined {
  return stamped.flatMap((s) => s.run.results.filter(is).map((result) => ({ result, file: s.file, at: s.run.startedAt }))).at(-1);
}

// ---------------------------------------------------------------- formatting

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (v: number) => `${Math.round(v * 100)}%`;
const ms = (v: number) => `${Math.round(v)} ms`;
const minutes = (seconds: number) => {
  const m = seconds / 60;
  return `${Number.isInteger(m) ? m : m.toFixed(1)} minute${m === 1 ? '' : 's'}`;
};
const yesNo = (ok: boolean) => (ok ? 'yes' : 'no');
/** "2 and 4", "2, 4 and 5". */
const listOf = (items: readonly (string | number)[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

/** A markdown link from the page `from` to the repo file `to`. */
function link(from: string, to: string, text = to): string {
  return `[${text}](${posix.relative(posix.dirname(from), to)})`;
}

function machine(run: Pick<BenchRun, 'machine' | 'kafkaVersion'>): string {
  return `${run.machine.cores} cores (${run.machine.cpuModel}), Node.js ${run.machine.node}, Kafka ${run.kafkaVersion ?? 'n/a'}`;
}

function throughputOf(run: BenchRun): ThroughputResult | undefined {
  return run.results.find((r): r is ThroughputResult => r.kind === 'throughput' && !('error' in r));
}

// ---------------------------------------------------------------- blocks

export type BlockName =
  | 'bench-goals'
  | 'bench-throughput-note'
  | 'bench-profile'
  | 'room-board'
  | 'soak-defaults'
  | 'soak-warm-up'
  | 'soak-latest'
  | 'install-size';

function benchGoals(r: Results, from: string): string {
  const run = r.bench;
  const lines = [
    `From ${link(from, `${RESULTS_DIR}/latest.md`)} (its figures as JSON: ${link(from, LATEST_BENCH)}): one run started ${run.startedAt} on ${machine(run)}, ${run.wallSeconds} s in all${run.quick ? '; a QUICK run (shortened cases), not comparable' : ''}${run.interrupted ? '; INTERRUPTED' : ''}.`,
    '',
    '| goal | measured | met? |',
    '|---|---|---|',
  ];
  const tp = throughputOf(run);
  if (tp) {
    const { zeroLossPerSec, shareOfPlainConsumer } = tp.case.goal;
    const reached = tp.highestSustainedPerSec ?? 0;
    const best = tp.steps.find((s) => s.ratePerSec === tp.highestSustainedPerSec);
    const missed = tp.steps.find((s) => !s.keptUp);
    const measured = [
      best ? `${int(reached)} events/s with zero loss (p50 ${ms(best.endToEndMs.p50)})` : 'no step kept up with zero loss',
      missed
        ? `at ${int(missed.ratePerSec)}/s it processed ${int(missed.throughputPerSec)}/s, ${missed.probe.machineCores} of ${missed.probe.cores} cores busy`
        : '',
    ].filter(Boolean);
    lines.push(
      `| lab ${tp.case.lab}'s pipeline (${int(tp.setup.eventBytes)}-byte events, batch ${tp.setup.batchSize}, ${tp.setup.partitions} partitions) sustains ${int(zeroLossPerSec)} events/s with zero loss | ${measured.join('; ')} | ${yesNo(reached >= zeroLossPerSec)} |`,
    );
    if (!('error' in tp.backlog)) {
      const b = tp.backlog;
      const share = b.plain.perSec > 0 ? reached / b.plain.perSec : 0;
      lines.push(
        `| that rate is at least ${pct(shareOfPlainConsumer)} of a plain kafkajs consumer's on the same broker | the same ${int(b.events)}-event backlog: plain kafkajs \`eachBatch\` ${int(b.plain.perSec)} events/s on ${b.plain.probe.others.plainConsumer ?? 'n/a'} cores, the ESM and lab ${tp.case.lab}'s function ${int(b.sandbox.perSec)}/s on ${b.sandbox.probe.nodeCores} cores (${pct(b.ratio)}); the pipeline's ${int(reached)}/s is ${pct(share)} | ${yesNo(share >= shareOfPlainConsumer)} |`,
      );
    }
  }
  // A later run of the busy-laptop case alone (say, after a lab joined it) supersedes the full run's.
  const inLatest = run.results.find((x): x is ContentionResult => x.kind === 'contention' && !('error' in x));
  const newer = r.contention && r.contention.at > run.startedAt ? r.contention : undefined;
  const contention = newer?.result ?? inLatest;
  if (contention) {
    const labs = [...new Set(contention.runs.map((x) => x.lab))];
    const p50 = (x: ContentionRun) => x.targets.find((t) => t.name.toLowerCase().includes('p50'));
    const target = [...new Set(contention.runs.map((x) => p50(x)?.expected).filter(Boolean))].join(', ');
    const perLab = labs.map((lab) => {
      const quiet = contention.runs.find((x) => x.lab === lab && x.burnerCores === 0);
      const busy = contention.runs.find((x) => x.lab === lab && x.burnerCores > 0);
      if (!quiet || !busy) return `${lab}: incomplete`;
      return `${lab}: p50 ${ms(quiet.endToEndMs.p50)} quiet, ${ms(busy.endToEndMs.p50)} busy (p99 ${ms(quiet.endToEndMs.p99)} → ${ms(busy.endToEndMs.p99)})`;
    });
    const all = contention.runs.every((x) => x.passed);
    const busyCores = Math.max(...contention.runs.map((x) => x.burnerCores));
    lines.push(
      `| labs ${listOf(contention.case.labs)} (\`--quick\`) meet their local targets (p50 ${target}) with ${busyCores} core${busyCores === 1 ? '' : 's'} busy | ${perLab.join('; ')}; ${all ? 'all targets met' : 'a target failed'}${newer ? ` (${link(from, newer.file.replace(/\.json$/, '.md'))}, run ${newer.at})` : ''} | ${yesNo(all)} |`,
    );
  }
  return lines.join('\n');
}

function benchThroughputNote(r: Results): string {
  const note = r.bench.notes.find((n) => n.startsWith('Throughput goal'));
  return note ? `> ${note}` : '> (The latest run has no note on the throughput goal.)';
}

function benchProfile(r: Results, from: string): string {
  if (!r.profiled) return `No committed run in ${RESULTS_DIR}/ has a main-thread profile yet.`;
  const { run, file } = r.profiled;
  const p = run.mainThreadProfile!;
  const tp = throughputOf(run);
  const backlog =
    tp && !('error' in tp.backlog) ? ` The ESM read the backlog at ${int(tp.backlog.sandbox.perSec)} events/s in that run (the profiler slows it).` : '';
  const top = p.byArea.filter((a) => a.area !== '(idle)').slice(0, 6);
  return [
    `The newest profiled run, ${link(from, file.replace(/\.json$/, '.md'))} (started ${run.startedAt}, ${p.seconds} s profiled): the main thread's self time by area, idle ${pct(p.byArea.find((a) => a.area === '(idle)')?.share ?? 0)} of it.${backlog}`,
    '',
    '| area | share of the profiled time |',
    '|---|---|',
    ...top.map((a) => `| ${a.area} | ${pct(a.share)} |`),
  ].join('\n');
}

/** The soak's defaults, from bench/soak-plan.ts and the Lambda runtime's retention. */
export function soakDefaults(from: string): string {
  const longest = warmUpSeconds(Number.MAX_SAFE_INTEGER);
  const share = warmUpSeconds(1);
  const planFile = link(from, 'bench/soak-plan.ts');
  return (
    `\`npm run soak\` with no arguments runs **${DEFAULT_MINUTES} minutes at ${int(DEFAULT_RATE)} events/s** and samples every ${SAMPLE_EVERY_SEC} s; ` +
    `the slopes are fitted over the samples after a warm-up of ${minutes(longest)} (${pct(share)} of a run shorter than ${minutes(longest / share)}); ` +
    `a slope passes below ${SLOPE_LIMIT_MB_PER_MIN} MB/min; the Lambda runtime's stores keep ${MAX_AUTO_RETENTION_SECONDS} s (the warm-up, if shorter) instead of their default ${minutes(DEFAULT_RETENTION_MS / 1000)}. ` +
    `(${planFile}: \`DEFAULT_MINUTES\`, \`DEFAULT_RATE\`, \`SAMPLE_EVERY_SEC\`, \`warmUpSeconds\`, \`SLOPE_LIMIT_MB_PER_MIN\`, \`MAX_AUTO_RETENTION_SECONDS\`.)`
  );
}

function soakWarmUp(r: Results, from: string): string {
  const run = r.longSoak;
  const warm = warmUpSeconds(Number.MAX_SAFE_INTEGER);
  const limit = run.setup.slopeLimitMbPerMin;
  const rss = (cutSec: number, warmUpSec: number) =>
    seriesResults(
      run.samples.filter((s) => s.t <= cutSec),
      warmUpSec,
      limit,
    ).find((s) => s.name === 'sandbox RSS')!;
  const cuts = [10, DEFAULT_MINUTES].filter((m) => m * 60 <= run.setup.minutes * 60);
  return [
    `The sandbox's RSS, fitted by \`seriesResults\` (bench/soak-report.ts) over the samples of ${link(from, LONG_SOAK.replace(/\.json$/, '.md'), `a ${run.setup.minutes}-minute run`)} (${int(run.setup.ratePerSec)} events/s; its own report, written when the warm-up was shorter, fitted after ${minutes(run.setup.warmUpSec)}):`,
    '',
    '| samples used | warm-up | sandbox RSS slope, MB/min ± standard error |',
    '|---|---|---|',
    ...cuts.map((m) => `| the first ${m} minutes | ${minutes(warm)} | ${slopeWithError(rss(m * 60, warm))} |`),
    `| all ${run.setup.minutes} minutes | ${minutes(warm)} | ${slopeWithError(rss(Infinity, warm))} |`,
    `| all ${run.setup.minutes} minutes | ${minutes(run.setup.warmUpSec)} | ${slopeWithError(rss(Infinity, run.setup.warmUpSec))} |`,
  ].join('\n');
}

function soakLatest(r: Results, from: string): string {
  const run = r.soak;
  const a = run.accounting;
  const judged = run.series.filter((s) => s.criterion);
  return [
    `From ${link(from, `${RESULTS_DIR}/soak-latest.md`)}: started ${run.startedAt} on ${machine(run)}; ${run.setup.minutes} minutes at ${int(run.setup.ratePerSec)} events/s, ${run.setup.pollers} provisioned pollers, slopes after ${minutes(run.setup.warmUpSec)}: **${run.pass ? 'PASS' : 'FAIL'}**${run.interrupted ? ' (INTERRUPTED)' : ''}.`,
    '',
    `${int(a.published)} published, ${int(a.processed)} processed, ${int(a.lost)} lost, ${int(a.duplicated)} duplicated; drained ${run.drained ? `in ${run.drainSec} s` : 'no'}.`,
    '',
    `| memory | slope, MB/min ± standard error | below ${run.setup.slopeLimitMbPerMin} MB/min |`,
    '|---|---|---|',
    ...judged.map((s) => `| ${s.name} | ${slopeWithError(s)} | ${yesNo(s.pass)} |`),
  ].join('\n');
}

/** What set-up downloads and how long it takes, for the local path and the AWS path on top. */
function installSize(r: Results, from: string): string {
  if (!r.install) throw new Error('bench/results/ has no run with the install case: run npm run bench -- --only install.');
  const { result: i, file, at } = r.install;
  const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;
  const sec = (s: number) => `${s.toFixed(1)} s`;
  const local = i.npmBytes + i.jarBytes;
  return [
    `Measured by \`npm run bench -- --only install\` on ${at.slice(0, 10)} (${link(from, file)}): the project's package.json, lock and .npmrc in a fresh folder, empty caches.`,
    '',
    `| path | npm | jars | total download | \`npm install\`, empty cache | \`npm install\`, warm cache (median of ${i.warmSec.length}) | jar fetch |`,
    '|---|---:|---:|---:|---:|---:|---:|',
    `| local labs (\`npm install\`, the first run's jars) | ${mb(i.npmBytes)} | ${mb(i.jarBytes)} | ${mb(local)} | ${sec(i.coldSec)} | ${sec(i.warmMedianSec)} | ${sec(i.jarsSec)} |`,
    `| + AWS path (\`npm run aws:setup\`) | ${mb(i.awsBytes)} | - | ${mb(local + i.awsBytes)} | ${sec(i.awsSec)} | - | - |`,
    ...(i.registryBytes === undefined
      ? []
      : [`| + the schema registry lab's server (its first run) | - | ${mb(i.registryBytes)} | ${mb(local + i.registryBytes)} | - | - | - |`]),
    '',
    `Goals: the local path downloads at most ${i.case.goalLocalMB} MB and a warm \`npm install\` takes under ${i.case.goalWarmSec} s: ${yesNo(i.metGoal)}.`,
  ].join('\n');
}

/** The room board under a room's load (bench case room-board, full length). */
function roomBoard(r: Results, from: string): string {
  if (!r.room) return `No committed full-length run in ${RESULTS_DIR}/ has the room-board case yet: run npm run bench -- --only room-board.`;
  const { result: b, file, at } = r.room;
  const c = b.case;
  return [
    `The newest full-length run of the room board, ${link(from, file.replace(/\.json$/, '.md'))} (${at.slice(0, 10)}): ${c.participants} simulated participants each post a check's summary every ${c.everySec} s for ${c.durationSec} s, while a listener follows the page's events.`,
    '',
    '| posts sent | counted by the board | lost | last report shown | page update p50 | p99 | max | goal: nothing lost, p99 under ' +
      `${c.goalUpdateP99Ms} ms |`,
    '|---:|---:|---:|---:|---:|---:|---:|---|',
    `| ${int(b.sent)} | ${int(b.accepted)} | ${int(b.lost)} | ${b.shownLast} of ${c.participants} | ${ms(b.updateMs.p50)} | ${ms(b.updateMs.p99)} | ${ms(b.updateMs.max)} | ${b.metGoal ? 'met' : 'NOT met'} |`,
  ].join('\n');
}

const BLOCKS: Record<BlockName, (r: Results, from: string) => string> = {
  'install-size': installSize,
  'room-board': roomBoard,
  'bench-goals': benchGoals,
  'bench-throughput-note': benchThroughputNote,
  'bench-profile': benchProfile,
  'soak-defaults': (_r, from) => soakDefaults(from),
  'soak-warm-up': soakWarmUp,
  'soak-latest': soakLatest,
};

/** A measured figure in prose: a rate, a slope, a CPU time, a share or a core count. */
export const FIGURE = /\d[\d,.]*(?:\s?(?:events\/s|\/s\b|MB\/min|µs|cores?\b|%)|-core\b)/g;

/** The text without its generated blocks: the prose, which must state no figure (FIGURE). */
export const withoutBlocks = (text: string): string => text.replace(/<!-- generated:([\w-]+) -->[\s\S]*?<!-- \/generated:\1 -->/g, '');

const withMarkers = (name: string, body: string): string => `<!-- generated:${name} -->\n${body}\n<!-- /generated:${name} -->`;

/** `text` (the repo file `file`) with each of its generated blocks replaced by its current content. */
export function regenerate(file: string, text: string, results: Results): string {
  let out = text;
  for (const name of GENERATED[file] ?? []) {
    const pattern = new RegExp(`<!-- generated:${name} -->[\\s\\S]*?<!-- /generated:${name} -->`);
    if (!pattern.test(out)) throw new Error(`${file} has no <!-- generated:${name} --> block.`);
    out = out.replace(pattern, () => withMarkers(name, BLOCKS[name](results, file)));
  }
  return out;
}

if (runsAsScript(import.meta.url)) {
  // `npm run figures`
  const results = readResults();
  for (const file of Object.keys(GENERATED)) {
    const path = join(REPO_ROOT, file);
    const before = readFileSync(path, 'utf8');
    const after = regenerate(file, before, results);
    if (after !== before) writeFileSync(path, after);
    console.log(`${after === before ? 'up to date' : 'updated   '}  ${file}`);
  }
}
