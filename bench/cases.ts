// The benchmark cases, as data. bench/run.ts runs them in this order, in one process, on one
// Kafka broker, so every comparison below comes from the same run on the same machine.
//
// Method (OpenMessaging Benchmark style): open-loop load from the producer
// Lambda's schedule, end-to-end latency = completion time - intended send time, HdrHistogram
// percentiles (harness/stats.ts summarize), warm-up excluded, a bounded drain after the load,
// exact accounting by (runId, seq).

export interface StartupCase {
  kind: 'startup';
  id: string;
  title: string;
  /** LABS index + 1 of the lab whose sandbox is started on the running broker. */
  lab: number;
  /** startSandbox() calls on the running broker; the median is reported. */
  sandboxStarts: number;
}

export interface LatencyCase {
  kind: 'latency';
  id: string;
  title: string;
  /** Its configuration (ESM, processor) is used as is; only the topic and traffic change. */
  lab: number;
  ratePerSec: number;
  durationSec: number;
  /** Events intended in the first warmUpSec seconds are excluded from every statistic. */
  warmUpSec: number;
  drainTimeoutSec: number;
}

export interface ThroughputCase {
  kind: 'throughput';
  id: string;
  title: string;
  /** Its ESM (batch size, window, pollers) is used as is. */
  lab: number;
  processingMsPerRecord: number;
  /** Each event's size, in place of the lab's. */
  eventBytes: number;
  /** Offered rates, ascending; stepping stops after the first step that fails. */
  ratesPerSec: number[];
  stepSec: number;
  /** The first seconds of each step are excluded from its latency and throughput. */
  warmUpSec: number;
  drainTimeoutSec: number;
  /** A step keeps up when sustained throughput >= this share of the offered rate (and drains). */
  keepUpShare: number;
  /**
   * One producer execution environment publishes only so many events/s (the producer-ceiling
   * case measures it): above this rate per environment the
   * schedule is split into shards ({index, count}, the producer's own option), one concurrent
   * invocation each, so the offered load reaches the topic and the ESM is what is measured.
   */
  producerRatePerShard: number;
  /**
   * Before the steps: a topic filled with this many events is read by a plain kafkajs consumer,
   * then by the lab's ESM and function (bench/backlog-drain.ts), for the ratio of their rates.
   */
  backlogEvents: number;
  backlogTimeoutSec: number;
  /** What the workshop aims for; the report says whether the run met it. */
  goal: { zeroLossPerSec: number; shareOfPlainConsumer: number };
}

export interface ProducerCase {
  kind: 'producer';
  id: string;
  title: string;
  /** The sandbox whose producer Lambda is measured (its ESM consumes the events meanwhile). */
  lab: number;
  ratePerSec: number;
  durationSec: number;
  /** One run per entry: the schedule split into this many concurrent producer invocations. */
  shardCounts: number[];
  drainTimeoutSec: number;
}

export interface ContentionCase {
  kind: 'contention';
  id: string;
  title: string;
  /** Each runs as `npx workshop run <n> --quick`, quiet and then with the burner. */
  labs: number[];
  /** Cores another process keeps busy during the second run of each lab. */
  burnerCores: number;
  /** The most one run (start, load, drain, report) may take; checked against the time budget. */
  perRunBudgetSec: number;
}

export interface InstallCase {
  kind: 'install';
  id: string;
  title: string;
  /** Installs from the warm npm cache after the first one; the median is quoted. */
  warmInstalls: number;
  /** Issue 25's goals: a local-only learner downloads at most this much (npm and jars)... */
  goalLocalMB: number;
  /** ...and `npm install` from a warm cache takes less than this. */
  goalWarmSec: number;
}

export interface RoomCase {
  kind: 'room';
  id: string;
  title: string;
  /** Simulated participants, each posting a check's summary... */
  participants: number;
  /** ...every this many seconds... */
  everySec: number;
  /** ...for this long. */
  durationSec: number;
  /** A post must show on the page within this, at the 99th percentile. */
  goalUpdateP99Ms: number;
}

export type BenchCase = StartupCase | LatencyCase | ProducerCase | ThroughputCase | ContentionCase | RoomCase | InstallCase;

export const CASES: readonly BenchCase[] = [
  {
    kind: 'startup',
    id: 'startup',
    title: 'Sandbox start time',
    lab: 1,
    sandboxStarts: 3,
  },
  {
    kind: 'latency',
    id: 'latency-window-0',
    title: "End-to-end latency at window 0 (lab 2's configuration) vs a plain kafkajs consumer",
    lab: 2,
    ratePerSec: 100,
    durationSec: 20,
    warmUpSec: 5,
    drainTimeoutSec: 15,
  },
  {
    kind: 'producer',
    id: 'producer-ceiling',
    title: 'How fast the producer Lambda publishes: one execution environment vs the schedule in shards',
    lab: 1,
    ratePerSec: 6000,
    durationSec: 5,
    shardCounts: [1, 4],
    drainTimeoutSec: 20,
  },
  {
    kind: 'throughput',
    id: 'max-throughput-batch-100',
    title: "Highest rate sustained with zero loss at batch 100 (lab 1's ESM, 1 KB events, 0 ms/record)",
    lab: 1,
    processingMsPerRecord: 0,
    eventBytes: 1024,
    ratesPerSec: [500, 1000, 2000, 4000, 8000, 12000, 16000, 20000],
    stepSec: 10,
    warmUpSec: 2,
    drainTimeoutSec: 15,
    keepUpShare: 0.95,
    producerRatePerShard: 1500,
    backlogEvents: 100_000,
    backlogTimeoutSec: 40,
    goal: { zeroLossPerSec: 20_000, shareOfPlainConsumer: 0.5 },
  },
  {
    kind: 'contention',
    id: 'busy-laptop',
    title: 'Labs 2, 4 and 5 (--quick) on a quiet machine, then with another process keeping one core busy',
    labs: [2, 4, 5],
    burnerCores: 1,
    perRunBudgetSec: 90,
  },
  {
    kind: 'room',
    id: 'room-board',
    title: 'The room board with 100 participants checking every 5 s for 2 minutes',
    participants: 100,
    everySec: 5,
    durationSec: 120,
    goalUpdateP99Ms: 1000,
  },
  {
    kind: 'install',
    id: 'install',
    title: "What a learner downloads and waits for at set-up: npm install, the jars, and the AWS path's toolchain",
    warmInstalls: 3,
    goalLocalMB: 300,
    goalWarmSec: 60,
  },
];

/** `--quick`: the same cases, shortened, to try the bench itself (results are marked quick). */
export function quickCases(cases: readonly BenchCase[]): BenchCase[] {
  return cases.map((c) => {
    switch (c.kind) {
      case 'startup':
        return { ...c, sandboxStarts: 1 };
      case 'latency':
        return { ...c, durationSec: 8, warmUpSec: 2, drainTimeoutSec: 10 };
      case 'producer':
        return { ...c, durationSec: 3 };
      case 'throughput':
        return { ...c, ratesPerSec: c.ratesPerSec.slice(0, 3), stepSec: 5, warmUpSec: 1, drainTimeoutSec: 10, backlogEvents: 20_000 };
      case 'contention':
        return { ...c, labs: c.labs.slice(0, 1) };
      case 'room':
        return { ...c, durationSec: 20 };
      case 'install':
        return { ...c, warmInstalls: 1 };
    }
  });
}

/** The whole bench must finish within this; every loop checks it. */
export const TIME_BUDGET_MS = 10 * 60_000;
