// The soak's pure parts: arguments, plan, slopes and verdict per series, the rendered report and
// the JVM/proc parsing. `npm run soak` itself (20 minutes) is run by hand.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseHeapInfo, parseHistogramTotal, parseStatus, residentInRange } from '../../bench/jvm-memory.ts';
import { DEFAULT_RATE, parseSoakArgs, planSoak, segments } from '../../bench/soak-plan.ts';
import {
  leastSquaresSlope,
  renderSoak,
  type SeriesResult,
  type SoakRun,
  type SoakSample,
  saveSoak,
  seriesResults,
  slopeStandardError,
  tooShortToTell,
} from '../../bench/soak-report.ts';

test('parseSoakArgs: defaults, flags, and a clear message for anything else', () => {
  assert.equal(parseSoakArgs([]), { minutes: 20, rate: DEFAULT_RATE });
  assert.equal(parseSoakArgs(['--minutes', '2', '--rate', '500']), { minutes: 2, rate: 500 });
  assert.equal(parseSoakArgs(['--retention-seconds', 'default']), { minutes: 20, rate: DEFAULT_RATE, retentionSeconds: null });
  assert.equal(parseSoakArgs(['--retention-seconds', '900']).retentionSeconds, 900);
  assert.throws(() => parseSoakArgs(['--rate']), /--rate needs events per second from 1 to 20000, got nothing/);
  assert.throws(() => parseSoakArgs(['--minutes', 'ten']), /--minutes needs a number of minutes/);
  assert.throws(() => parseSoakArgs(['--fast']), /Unknown argument --fast/);
});

test('planSoak: warm-up 4 min (40% of a short run), retention at most 60 s and within the warm-up, shards above 1,500/s', () => {
  assert.equal(planSoak({ minutes: 10, rate: 1000 }), { loadSec: 600, warmUpSec: 240, shards: 1, retentionMs: 60_000 });
  assert.equal(planSoak({ minutes: 2, rate: 2000 }), { loadSec: 120, warmUpSec: 48, shards: 2, retentionMs: 48_000 });
  assert.equal(planSoak({ minutes: 10, rate: 1000, retentionSeconds: null }).retentionMs, undefined);
  assert.equal(planSoak({ minutes: 10, rate: 1000, retentionSeconds: 900 }).retentionMs, 900_000);
});

test('segments: one producer run per minute, back to back, the last one shorter', () => {
  const list = segments('soak-x', 1_000_000, 150, 1000);
  assert.equal(
    list.map((s) => s.runId),
    ['soak-x-000', 'soak-x-001', 'soak-x-002'],
  );
  assert.equal(
    list.map((s) => s.startAtMs),
    [1_000_000, 1_060_000, 1_120_000],
  );
  assert.equal(
    list.map((s) => s.profile.durationSec),
    [60, 60, 30],
  );
  assert.ok(list.every((s) => s.profile.ratePerSec === 1000 && s.profile.poisonShare === 0 && s.profile.shape === 'steady'));
});

test('leastSquaresSlope', () => {
  assert.is(
    leastSquaresSlope([
      [0, 1],
      [1, 3],
      [2, 5],
    ]),
    2,
  );
  assert.is(
    leastSquaresSlope([
      [0, 5],
      [10, 5],
      [20, 5],
    ]),
    0,
  );
  assert.is(leastSquaresSlope([[0, 1]]), null);
  assert.is(
    leastSquaresSlope([
      [3, 1],
      [3, 2],
    ]),
    null,
  );
  // Noise around a flat line gives a slope near 0.
  const noisy = Array.from({ length: 50 }, (_, i) => [i * 10, 100 + (i % 2 === 0 ? 5 : -5)] as const);
  assert.ok(Math.abs(leastSquaresSlope(noisy)!) < 0.01);
});

function sample(t: number, sandboxHeapMb: number, brokerRssMb: number, phase: SoakSample['phase'] = 'load'): SoakSample {
  return {
    t,
    phase,
    sandbox: { heapMb: sandboxHeapMb, heapTotalMb: 40, rssMb: 400, rssAnonMb: 380, rssFileMb: 20, externalMb: 5, gcMs: 20 },
    lambda: {
      environments: 12,
      heapMb: 120,
      heapTotalMb: 150,
      collected: true,
      byFunction: { '01-soak-booking-processor': { environments: 10, heapMb: 100 } },
    },
    broker: {
      heapMb: 40,
      rssMb: brokerRssMb,
      rssAnonMb: brokerRssMb - 30,
      rssFileMb: 30,
      rssHeapMb: 200,
      rssOutsideHeapMb: brokerRssMb - 200,
      heapCommittedMb: 256,
      jcmdMs: 400,
    },
    published: t * 1000,
    processed: t * 1000,
    offsetLag: 100,
    waiting: 0,
    pollers: 9,
    inFlight: 2,
    stores: { metrics: 8500, logLines: 1100, invocations: 1050, concurrencySamples: 2100 },
    cpu: { sandbox: 0.7, broker: 0.5, elsewhere: 0.1, machine: 1.3 },
  };
}

test('seriesResults: slopes in MB/min after the warm-up only; the criterion applies to the four memory series', () => {
  // Sandbox heap: grows 10 MB/min during the first 2 minutes, then flat; broker RSS grows 2 MB/min throughout.
  const samples = Array.from({ length: 61 }, (_, i) => i * 10).map((t) => sample(t, t < 120 ? 10 + t / 6 : 30, 300 + t / 30));
  samples.push(sample(605, 80, 900, 'drain')); // not part of any slope
  const results = seriesResults(samples, 120, 1);
  const byName = new Map(results.map((r) => [r.name, r]));
  assert.is(byName.get('sandbox heap')!.slopeMbPerMin, 0);
  assert.is(byName.get('sandbox heap')!.pass, true);
  assert.is(byName.get('sandbox heap')!.startMb, 10);
  assert.is(byName.get('sandbox heap')!.warmMb, 30);
  assert.is(byName.get('sandbox heap')!.maxMb, 30);
  assert.is(byName.get('broker RSS')!.slopeMbPerMin, 2);
  assert.is(byName.get('broker RSS')!.pass, false);
  assert.is(byName.get('lambda heaps')!.criterion, false);
  assert.is(byName.get('lambda heaps')!.pass, true);
  assert.equal(
    results.filter((r) => r.criterion).map((r) => r.name),
    ['sandbox heap', 'sandbox RSS', 'broker heap', 'broker RSS'],
  );
});

test('slopeStandardError: 0 on a straight line; the plain formula for independent noise; wider when the noise persists', () => {
  assert.is(
    slopeStandardError([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]),
    0,
  );
  assert.is(
    slopeStandardError([
      [0, 0],
      [1, 1],
      [2, 2],
    ]),
    null,
    'too few points',
  );
  const plain = (points: Array<[number, number]>) => {
    const n = points.length;
    const slope = leastSquaresSlope(points)!;
    const mx = points.reduce((s, [x]) => s + x, 0) / n;
    const my = points.reduce((s, [, y]) => s + y, 0) / n;
    const sse = points.reduce((s, [x, y]) => s + (y - my - slope * (x - mx)) ** 2, 0);
    return Math.sqrt(sse / (n - 2) / points.reduce((s, [x]) => s + (x - mx) ** 2, 0));
  };
  // Noise that flips sign every sample: no positive autocorrelation, so nothing is widened.
  const alternating = Array.from({ length: 12 }, (_, i): [number, number] => [i, i + (i % 2 === 0 ? 1 : -1)]);
  assert.ok(Math.abs(slopeStandardError(alternating)! - plain(alternating)) < 1e-12);
  // The same amount of noise in runs of three samples: fewer independent points, a wider error.
  const persistent = Array.from({ length: 12 }, (_, i): [number, number] => [i, i + (Math.floor(i / 3) % 2 === 0 ? 1 : -1)]);
  assert.ok(slopeStandardError(persistent)! > 1.3 * plain(persistent), `${slopeStandardError(persistent)} vs ${plain(persistent)}`);
});

test('tooShortToTell: a judged series whose slope is within two standard errors of the limit', () => {
  const series = (name: SeriesResult['name'], slope: number, stdErr: number | null, criterion = true): SeriesResult => ({
    name,
    slopeMbPerMin: slope,
    slopeStdErrMbPerMin: stdErr,
    startMb: 1,
    warmMb: 1,
    endMb: 1,
    maxMb: 1,
    criterion,
    pass: slope < 1,
  });
  const found = tooShortToTell(
    [
      series('sandbox RSS', 1.79, 1.31), // a 10-minute run: could be anything from -0.8 to 4.4
      series('broker RSS', 0.03, 0.36), // 20 minutes: well below the limit
      series('broker heap', 1.5, 0.1), // clearly above: a real failure, not noise
      series('sandbox heap', 0.5, null),
      series('sandbox V8 committed', 1, 5, false),
    ],
    1,
  );
  assert.equal(
    found.map((r) => r.name),
    ['sandbox RSS'],
  );
});

test('renderSoak and saveSoak: the verdict, the accounting, the slopes and the samples', () => {
  const samples = [0, 60, 120, 180, 240].map((t) => sample(t, 30, 320));
  const run: SoakRun = {
    schema: 1,
    startedAt: '2026-11-26T18:00:00.000Z',
    finishedAt: '2026-11-26T18:11:00.000Z',
    interrupted: false,
    machine: { cores: 2, cpuModel: 'Test CPU', memoryGb: 8, os: 'Linux', node: 'v20', java: 'openjdk 17', kafkajs: '2.2.4', loadAverageAtStart: 0.5 },
    kafkaVersion: '4.4.0',
    setup: {
      lab: '01-soak',
      topic: 'soak-t',
      partitions: 12,
      pollers: 12,
      batchSize: 100,
      environmentsStarted: 15,
      processingMsPerRecord: 2,
      ratePerSec: 1000,
      minutes: 4,
      segmentSec: 60,
      producerShards: 1,
      sampleEverySec: 10,
      warmUpSec: 48,
      retentionMs: 48_000,
      slopeLimitMbPerMin: 1,
    },
    runs: [{ runId: 'soak-t-000', offered: 240_000, published: 240_000, failedToPublish: 0, sendDelayP99Ms: 3 }],
    accounting: {
      published: 240_000,
      processed: 240_000,
      filtered: 0,
      deadLettered: 0,
      dropped: 0,
      waiting: 0,
      lost: 0,
      duplicated: 0,
      lostSeqs: [],
      duplicatedSeqs: [],
      unknown: 0,
      duplicateProcessings: 0,
    },
    drained: true,
    drainSec: 0.8,
    series: seriesResults(samples, 48, 1),
    pass: true,
    failures: [],
    samples,
    notes: ['a note'],
  };
  const text = renderSoak(run, 'text');
  assert.match(text, /Sandbox soak, 2026-11-26T18:00:00.000Z: PASS/);
  assert.match(text, /lost\s+0/);
  assert.match(text, /sandbox heap\s+\+0\.00\s+±0\.00\s+30\.0/);
  assert.match(text, /\(lambda heaps\)/);
  assert.match(text, /retention 48 s/);
  const md = renderSoak(run, 'markdown');
  assert.match(md, /^# Sandbox soak/);
  assert.match(md, /\| sandbox heap \| \+0\.00 \| ±0\.00 \|/);
  assert.match(md, /## Samples/);
  const dir = mkdtempSync(join(tmpdir(), 'soak-report-'));
  try {
    const files = saveSoak(run, dir);
    assert.equal(
      files.map((f) => f.slice(dir.length + 1)),
      ['soak-latest.json', 'soak-latest.md'],
    );
    const saved = JSON.parse(readFileSync(files[0], 'utf8')) as SoakRun;
    assert.is(saved.samples.length, 5);
    assert.is(readFileSync(files[1], 'utf8'), md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.match(
    renderSoak({ ...run, pass: false, failures: ['sandbox RSS grew 3 MB/min'] }, 'text'),
    /FAIL[\s\S]*Why it failed[\s\S]*sandbox RSS grew 3 MB\/min/,
  );
});

test('jvm-memory parsing: GC.heap_info, the class histogram total, /proc status', () => {
  const heapInfo =
    '8969:\n garbage-first heap   total 262144K, used 32986K [0x00000000e0000000, 0x0000000100000000)\n  region size 1024K, 1 young (1024K), 0 survivors (0K)\n';
  assert.equal(parseHeapInfo(heapInfo), { committedBytes: 262144 * 1024, usedBytes: 32986 * 1024, range: [0xe0000000n, 0x100000000n] });
  const smaps = [
    'e0000000-f0000000 rw-p 00000000 00:00 0',
    'Size:             262144 kB',
    'Rss:               85716 kB',
    'f0000000-100000000 ---p 00000000 00:00 0',
    'Rss:                   0 kB',
    '7f7fac000000-7f7facbc7000 r--p 00000000 08:01 123   /usr/lib/jvm/lib/server/classes.jsa',
    'Rss:               11988 kB',
  ].join('\n');
  assert.is(residentInRange(smaps, [0xe0000000n, 0x100000000n]), 85716 * 1024);
  assert.is(parseHeapInfo('nothing here'), undefined);
  assert.is(
    parseHistogramTotal(' num     #instances         #bytes  class name\n   1:   10   160  java.lang.String\nTotal        398262       30885536\n'),
    30885536,
  );
  assert.equal(parseStatus('Name:\tjava\nVmRSS:\t  159864 kB\nRssAnon:\t  120000 kB\nRssFile:\t   39864 kB\n'), {
    rssBytes: 159864 * 1024,
    anonBytes: 120000 * 1024,
    fileBytes: 39864 * 1024,
  });
  assert.is(parseStatus('Name:\tjava\n'), undefined);
});

test.run();
