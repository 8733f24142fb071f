// The bench's pure parts: cases, tables, the rendered run, the result files, findings, the probe.
// No broker is started here; `npm run bench` itself is run by hand.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CASES,
  type ContentionCase,
  type InstallCase,
  type LatencyCase,
  type ProducerCase,
  quickCases,
  type RoomCase,
  type StartupCase,
  type ThroughputCase,
} from '../../bench/cases.ts';
import { findings } from '../../bench/findings.ts';
import { median } from '../../bench/pipeline.ts';
import { Probe, type ProbeResult } from '../../bench/probe.ts';
import { renderRun, runStamp, saveRun, table } from '../../bench/report.ts';
import type { BenchRun, ThroughputResult, ThroughputStep } from '../../bench/results.ts';
import { summarize } from '../../harness/stats.ts';

const probe: ProbeResult = {
  seconds: 10,
  mainThreadElu: 0.5,
  mainThreadCores: 0.4,
  mainThreadCpuWait: 0.1,
  loopDelayP99Ms: 3,
  loopDelayMaxMs: 9,
  nodeCores: 0.8,
  others: { broker: 0.5 },
  machineCores: 1.4,
  elsewhereCores: 0.1,
  cores: 2,
};
const byKind = <K extends string>(kind: K) => CASES.find((c) => c.kind === kind)!;
const latencySummary = summarize([10, 12, 14, 20, 50]);

function step(rate: number, keptUp: boolean, publishedPerSec = rate): ThroughputStep {
  return {
    ratePerSec: rate,
    offered: rate * 10,
    published: rate * 10,
    processed: rate * 10,
    lost: 0,
    duplicates: 0,
    throughputPerSec: keptUp ? rate : rate * 0.7,
    endToEndMs: latencySummary,
    sendDelayMs: summarize([0, 1, 2]),
    producerShards: 1,
    publishedPerSec,
    avgBatchSize: 100,
    invocations: { count: 10, handlerMs: summarize([2]), invokeMs: summarize([5]) },
    peakOffsetLag: 100,
    peakPollers: 1,
    peakConcurrency: 1,
    drained: true,
    drainSec: 0.1,
    keptUp,
    why: keptUp ? '' : 'sustained too low',
    probe,
  };
}

function sampleRun(): BenchRun {
  return {
    schema: 1,
    startedAt: '2026-01-02T03:04:05.678Z',
    finishedAt: '2026-01-02T03:08:05.678Z',
    wallSeconds: 240,
    quick: false,
    interrupted: false,
    machine: {
      cores: 2,
      cpuModel: 'Test CPU',
      memoryGb: 8,
      os: 'Linux',
      node: 'v20.0.0',
      java: 'openjdk version "17"',
      kafkajs: '2.2.4',
      loadAverageAtStart: 0.2,
    },
    kafkaVersion: '4.4.0',
    timeScale: 20,
    notes: [],
    results: [
      {
        kind: 'startup',
        case: byKind('startup') as StartupCase,
        broker: { wallMs: 1800, startMs: 1790, version: '4.4.0', external: false },
        sandboxStarts: [{ wallMs: 500, startMs: 499, stopMs: 150 }],
        sandboxStartMedianMs: 500,
        sandboxStopMedianMs: 150,
      },
      {
        kind: 'latency',
        case: byKind('latency') as LatencyCase,
        setup: {
          lab: '02-low-latency',
          topic: 't',
          partitions: 12,
          batchSize: 10,
          batchingWindowMs: 0,
          pollers: 'provisioned 2-2',
          processingMsPerRecord: 10,
          plainConsumer: 'kafkajs',
        },
        offered: 2000,
        published: 2000,
        sendDelayMs: summarize([0, 1]),
        sandbox: { processed: 2000, lost: 0, duplicates: 0, endToEndMs: summarize([14, 15, 16]), avgBatchSize: 1 },
        plain: { processed: 2000, lost: 0, duplicates: 0, endToEndMs: summarize([20, 21, 22]) },
        overhead: { p50DiffMs: -6, p99DiffMs: -6, p50Ratio: 0.7, p99Ratio: 0.72 },
        probe: { ...probe, others: { broker: 0.3, plainConsumer: 0.1 } },
      },
      {
        kind: 'producer',
        case: byKind('producer') as ProducerCase,
        runs: [
          { shards: 1, offered: 30000, published: 30000, publishedPerSec: 2100, sendDelayMs: summarize([4000]), probe },
          { shards: 4, offered: 30000, published: 30000, publishedPerSec: 5000, sendDelayMs: summarize([100]), probe },
        ],
      },
      {
        kind: 'throughput',
        case: byKind('throughput') as ThroughputCase,
        setup: {
          lab: '01-baseline',
          topic: 't',
          partitions: 12,
          batchSize: 100,
          batchingWindowMs: 500,
          pollers: 'on-demand',
          processingMsPerRecord: 0,
          eventBytes: 1024,
        },
        steps: [step(500, true), step(1000, true), step(2000, false, 1500)],
        backlog: {
          events: 100000,
          eventBytes: 1024,
          fillSeconds: 3,
          plain: { events: 100000, perSec: 40000, seconds: 2.5, complete: true, probe: { ...probe, others: { broker: 0.5, plainConsumer: 0.9 } } },
          sandbox: { events: 100000, perSec: 10000, seconds: 10, complete: true, probe, pollers: 'provisioned 12-12' },
          ratio: 0.25,
        },
        highestSustainedPerSec: 1000,
        stoppedBecause: 'stepping stopped after 2000/s did not keep up',
      },
      {
        kind: 'contention',
        case: byKind('contention') as ContentionCase,
        runs: [
          {
            lab: '02-low-latency',
            burnerCores: 0,
            endToEndMs: summarize([20, 30, 40]),
            throughputPerSec: 150,
            published: 3000,
            lost: 0,
            passed: true,
            targets: [{ name: 'end-to-end p50', expected: '≤ 100 ms', actual: '30 ms', pass: true, reason: '' }],
            probe,
          },
          {
            lab: '02-low-latency',
            burnerCores: 1,
            endToEndMs: summarize([200, 300, 400]),
            throughputPerSec: 150,
            published: 3000,
            lost: 0,
            passed: false,
            targets: [{ name: 'end-to-end p50', expected: '≤ 100 ms', actual: '300 ms', pass: false, reason: '' }],
            probe: { ...probe, others: { broker: 0.3, burner0: 0.98 } },
          },
        ],
      },
      {
        kind: 'room',
        case: byKind('room') as RoomCase,
        sent: 2400,
        answered200: 2400,
        accepted: 2400,
        lost: 0,
        shownLast: 100,
        updateMs: summarize([100, 110, 230]),
        postMs: summarize([3, 4, 12]),
        wallSec: 121,
        metGoal: true,
      },
      {
        kind: 'install',
        case: byKind('install') as InstallCase,
        npmBytes: 104e6,
        jarBytes: 83e6,
        awsBytes: 48e6,
        nodeModulesBytes: 420e6,
        coldSec: 21.4,
        warmSec: [8.2, 7.9, 8.4],
        warmMedianSec: 8.2,
        jarsSec: 12.5,
        awsSec: 9.9,
        metGoal: true,
      },
    ],
  };
}

test('the cases: one of each kind, rates ascending, quick mode shortens them', () => {
  assert.equal(
    CASES.map((c) => c.kind),
    ['startup', 'latency', 'producer', 'throughput', 'contention', 'room', 'install'],
  );
  const tp = byKind('throughput') as ThroughputCase;
  assert.equal(
    tp.ratesPerSec,
    [...tp.ratesPerSec].sort((a, b) => a - b),
  );
  const quick = quickCases(CASES);
  assert.equal(
    quick.map((c) => c.id),
    CASES.map((c) => c.id),
  );
  const quickTp = quick.find((c) => c.kind === 'throughput') as ThroughputCase;
  assert.ok(quickTp.stepSec < tp.stepSec && quickTp.ratesPerSec.length < tp.ratesPerSec.length);
});

test('table: text columns aligned, markdown with right-aligned numbers', () => {
  const text = table(
    ['name', 'ms'],
    [
      ['a', '1'],
      ['longer', '100'],
    ],
    'text',
  ).split('\n');
  assert.equal(text, ['name     ms', '------  ---', 'a         1', 'longer  100']);
  const md = table(['name', 'ms'], [['a|b', '1']], 'markdown').split('\n');
  assert.equal(md, ['| name | ms |', '| --- | ---: |', '| a\\|b | 1 |']);
});

test('median of an odd and an even count', () => {
  assert.is(median([3, 1, 2]), 2);
  assert.is(median([4, 1, 3, 2]), 2.5);
  assert.is(median([]), 0);
});

test('runStamp sorts by time and is safe in file names', () => {
  assert.is(runStamp(new Date('2026-01-02T03:04:05.678Z')), '2026-01-02_03-04-05Z');
});

test('the rendered run has every section and its key figures', () => {
  for (const format of ['text', 'markdown'] as const) {
    const out = renderRun(sampleRun(), format);
    assert.match(out, '2-core machine');
    assert.match(out, 'startSandbox(lab 1)');
    assert.match(out, 'plain kafkajs');
    assert.match(out, 'Highest rate sustained with zero loss: 1000 events/s');
    assert.match(out, 'NO: sustained too low');
    assert.match(out, 'producer environments');
    assert.match(out, 'room-board');
    assert.match(out, /2400 +2400 +2400 +0 +100 of 100|\| 2400 \| 2400 \| 2400 \| 0 \| 100 of 100/);
    assert.match(
      out,
      /local +104 MB +83 MB +187 MB +21\.4 s +8\.2 s +12\.5 s +420 MB +yes|\| local \| 104 MB \| 83 MB \| 187 MB \| 21\.4 s \| 8\.2 s \| 12\.5 s \| 420 MB \| yes \|/,
    );
    assert.match(out, /\+ AWS path \(npm run aws:setup\) +48 MB +- +235 MB|\| \+ AWS path \(npm run aws:setup\) \| 48 MB \| - \| 235 MB/);
  }
});

test('the throughput section states each goal with the figure that meets or misses it', () => {
  const out = renderRun(sampleRun(), 'text');
  assert.match(out, 'Goal: zero-loss throughput >= 20000 events/s: 1000 events/s, NOT met.');
  // 1000/s zero-loss against a plain consumer reading 40000/s is 3%; the ESM on the backlog read 25%.
  assert.match(
    out,
    "Goal: >= 50% of a plain kafkajs consumer's rate (40000 events/s reading the backlog below): zero-loss 1000 events/s is 3%, NOT met; the ESM reading the same backlog, 25%.",
  );
  assert.match(out, 'Sandbox / plain kafkajs: 0.25×.');
  const failedBacklog = sampleRun();
  const tp = failedBacklog.results.find((r) => r.kind === 'throughput') as ThroughputResult;
  tp.backlog = { error: 'the broker went away' };
  assert.match(renderRun(failedBacklog, 'text'), 'not measured (the broker went away)');
});

test("the busy-laptop case: each lab quiet and busy, its p50 against the target, the burner's CPU", () => {
  const out = renderRun(sampleRun(), 'text');
  assert.match(out, /02-low-latency\s+quiet\s+30\.0\s+≤ 100 ms/);
  assert.match(out, /02-low-latency\s+1 core busy\s+300\s+≤ 100 ms.*NO: end-to-end p50 300 ms/);
  assert.match(out, /0\.98\n/);
  const notes = findings(sampleRun().results).join('\n');
  assert.match(notes, 'Busy laptop, 02-low-latency: p50 30 ms quiet, 300 ms with 1 core busy');
  assert.match(notes, 'did NOT hold: end-to-end p50 300 ms (target ≤ 100 ms)');
});

test("a missed throughput goal is explained with the run's own CPU figures", () => {
  const run = sampleRun();
  const tp = run.results.find((r) => r.kind === 'throughput') as ThroughputResult;
  if ('error' in tp.backlog) throw new Error('the sample has a backlog');
  tp.backlog.sandbox.probe = { ...probe, nodeCores: 1.6 };
  const note = findings(run.results).find((x) => x.startsWith('Throughput goal'));
  // 1.6 cores for 10,000 events/s: 160 µs an event, 3.2 cores for 20,000/s; plain: 0.9 cores for 40,000/s, 23 µs.
  assert.ok(note, 'a note on the missed goal');
  assert.match(note!, 'used 1.6 cores for 10000 events/s (160 µs of CPU per event), so 20000 events/s of consumption alone needs about 3.2 of the 2 cores');
  assert.match(note!, 'at 40000 events/s on 0.9 cores (23 µs per event): per event the ESM path costs 7× the CPU');
});

test('a failed case is shown as failed, the rest still rendered', () => {
  const run = sampleRun();
  run.results[1] = { kind: 'latency', case: run.results[1].case, error: 'the broker went away' };
  const out = renderRun(run, 'text');
  assert.match(out, 'FAILED: the broker went away');
  assert.match(out, 'startSandbox(lab 1)');
});

test('findings name the producer when it could not publish the offered rate', () => {
  const notes = findings(sampleRun().results);
  assert.ok(notes.some((n) => n.includes('at 2000/s the producers published 1500/s') && n.includes('did not reach the topic')));
  assert.ok(notes.some((n) => n.startsWith('Producer: one producer Lambda environment published 2100 events/s')));
});

test('saveRun writes the run and overwrites latest.*', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
  try {
    const files = saveRun(sampleRun(), dir);
    assert.equal(readdirSync(dir).sort(), ['2026-01-02_03-04-05Z.json', '2026-01-02_03-04-05Z.md', 'latest.json', 'latest.md']);
    assert.is(files.length, 4);
    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as BenchRun;
    assert.is(latest.results.length, sampleRun().results.length);
    assert.ok(readFileSync(join(dir, 'latest.md'), 'utf8').startsWith('# Sandbox benchmarks'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a profiled run keeps its own files and its profile section, and leaves latest.* alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
  try {
    const run = sampleRun();
    run.mainThreadProfile = {
      seconds: 80,
      byArea: [{ area: 'kafkajs', share: 0.09 }],
      byFunction: [{ fn: 'recordJson sandbox/kafka-esm/msk-event.ts', area: 'sandbox/kafka-esm', share: 0.04 }],
      file: 'bench/results/x-main-thread.cpuprofile',
    };
    saveRun(run, dir);
    assert.equal(readdirSync(dir).sort(), ['2026-01-02_03-04-05Z.json', '2026-01-02_03-04-05Z.md']);
    const md = readFileSync(join(dir, '2026-01-02_03-04-05Z.md'), 'utf8');
    assert.match(md, "## Where the main thread's time went (--profile)");
    assert.match(md, '| recordJson sandbox/kafka-esm/msk-event.ts | sandbox/kafka-esm | 4% |');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the probe measures something sane', async () => {
  const p = new Probe({ self: process.pid });
  const until = Date.now() + 120;
  while (Date.now() < until); // keep the main thread busy
  await new Promise((r) => setTimeout(r, 30));
  const result = p.stop();
  assert.ok(result.seconds >= 0);
  assert.ok(result.mainThreadElu > 0.3 && result.mainThreadElu <= 1, `elu ${result.mainThreadElu}`);
  assert.ok(result.nodeCores > 0);
});

test.run();
