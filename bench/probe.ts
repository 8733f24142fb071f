// Where the CPU went during a measurement, to tell a pipeline limit from a machine limit:
// - the main thread: event-loop utilization and delay, CPU, and time spent runnable but waiting for
//   a core (the ESM fetchers, the rule engine, the Lambda runtime's message passing and log
//   parsing all run on it);
// - this process's CPU (all threads: main + Lambda worker threads);
// - the CPU of watched processes (the broker JVM, the baseline consumer) and of the whole machine,
//   so that load from anything else running on it (another test run) is visible.
// Linux /proc; elsewhere the /proc-based fields are undefined.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { type EventLoopUtilization, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { round } from '../harness/stats.ts';

export interface ProbeResult {
  seconds: number;
  /** Share of wall time the main thread's event loop was busy, 0..1. */
  mainThreadElu: number;
  /** CPU of the main thread alone, in cores (1.0 = one core fully busy). */
  mainThreadCores: number | undefined;
  /** Share of wall time the main thread was runnable but waiting for a core, 0..1. */
  mainThreadCpuWait: number | undefined;
  /** Event-loop delay of the main thread, ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** CPU of this Node process (all threads), in cores. */
  nodeCores: number;
  /** CPU of each watched process, in cores. */
  others: Record<string, number | undefined>;
  /** CPU of the whole machine, in cores (of `cores`). */
  machineCores: number | undefined;
  /** machineCores minus this process and the watched ones: everything else running here. */
  elsewhereCores: number | undefined;
  cores: number;
}

/** The delay histogram records the whole interval between its timer's ticks: minus this is the delay. */
const LOOP_RESOLUTION_MS = 10;

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** utime + stime from a /proc/.../stat file, in seconds. */
function cpuSecondsOf(statFile: string): number | undefined {
  const stat = readText(statFile);
  if (stat === undefined) return undefined;
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
}

/** utime + stime of a process (all its threads), in seconds; undefined when it is gone. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  return pid === undefined ? undefined : cpuSecondsOf(`/proc/${pid}/stat`);
}

/** This process's main thread (its thread id is the process id). */
const MAIN_THREAD = `/proc/${process.pid}/task/${process.pid}`;

/** Seconds the main thread spent runnable but waiting on a run queue (schedstat field 2). */
function mainThreadWaitSeconds(): number | undefined {
  const text = readText(`${MAIN_THREAD}/schedstat`);
  const wait = text === undefined ? NaN : Number(text.trim().split(/\s+/)[1]);
  return Number.isFinite(wait) ? wait / 1e9 : undefined;
}

/** Busy CPU seconds of the whole machine (all cores), from the first line of /proc/stat. */
export function machineBusySeconds(): number | undefined {
  const line = readText('/proc/stat')?.split('\n')[0];
  if (!line?.startsWith('cpu ')) return undefined;
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + (steal || 0)) / ticksPerSecond();
}

const delta = (end: number | undefined, start: number | undefined, seconds: number) =>
  start === undefined || end === undefined || seconds <= 0 ? undefined : round((end - start) / seconds);

export class Probe {
  readonly #started = performance.now();
  readonly #elu: EventLoopUtilization = performance.eventLoopUtilization();
  readonly #cpu = process.cpuUsage();
  readonly #mainCpu = cpuSecondsOf(`${MAIN_THREAD}/stat`);
  readonly #mainWait = mainThreadWaitSeconds();
  readonly #machine = machineBusySeconds();
  readonly #delay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  readonly #others: Map<string, { pid: number | undefined; start: number | undefined }>;

  constructor(others: Record<string, number | undefined> = {}) {
    this.#delay.enable();
    this.#others = new Map(Object.entries(others).map(([name, pid]) => [name, { pid, start: processCpuSeconds(pid) }]));
  }

  stop(): ProbeResult {
    this.#delay.disable();
    const seconds = (performance.now() - this.#started) / 1000;
    const elu = performance.eventLoopUtilization(this.#elu);
    const cpu = process.cpuUsage(this.#cpu);
    const nodeCores = round((cpu.user + cpu.system) / 1e6 / seconds);
    const others: Record<string, number | undefined> = {};
    for (const [name, { pid, start }] of this.#others) others[name] = delta(processCpuSeconds(pid), start, seconds);
    const machineCores = delta(machineBusySeconds(), this.#machine, seconds);
    const watched = Object.values(others).reduce<number>((sum, v) => sum + (v ?? 0), 0);
    return {
      seconds: round(seconds, 1),
      mainThreadElu: round(elu.utilization),
      mainThreadCores: delta(cpuSecondsOf(`${MAIN_THREAD}/stat`), this.#mainCpu, seconds),
      mainThreadCpuWait: delta(mainThreadWaitSeconds(), this.#mainWait, seconds),
      loopDelayP99Ms: round(Math.max(0, this.#delay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS), 1),
      loopDelayMaxMs: round(Math.max(0, this.#delay.max / 1e6 - LOOP_RESOLUTION_MS), 1),
      nodeCores,
      others,
      machineCores,
      elsewhereCores: machineCores === undefined ? undefined : round(Math.max(0, machineCores - nodeCores - watched)),
      cores: availableParallelism(),
    };
  }
}
