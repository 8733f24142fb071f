// Where the CPU went during a measurement, to tell a pipeline limit from a machine limit:
// the main thread's event-loop utilization and delay (the ESM fetcher, the rule engine, the Lambda
// runtime's message passing and log parsing all run on it), this process's CPU (all threads:
// main + Lambda worker threads), and the CPU of other processes (the broker JVM, the baseline
// consumer) read from /proc.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import { round } from '../harness/stats.ts';

export interface ProbeResult {
  seconds: number;
  /** Share of wall time the main thread's event loop was busy, 0..1. */
  mainThreadElu: number;
  /** Event-loop delay of the main thread, ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** CPU of this Node process (all threads), in cores (1.0 = one core fully busy). */
  nodeCores: number;
  /** CPU of each watched process, in cores; undefined when /proc could not be read. */
  others: Record<string, number | undefined>;
}

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

/** utime + stime of a process, in seconds; undefined when it is gone or /proc is missing. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

export class Probe {
  readonly #started = performance.now();
  readonly #elu: EventLoopUtilization = performance.eventLoopUtilization();
  readonly #cpu = process.cpuUsage();
  readonly #delay = monitorEventLoopDelay({ resolution: 10 });
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
    const others: Record<string, number | undefined> = {};
    for (const [name, { pid, start }] of this.#others) {
      const end = processCpuSeconds(pid);
      others[name] = start === undefined || end === undefined || seconds <= 0 ? undefined : round((end - start) / seconds);
    }
    return {
      seconds: round(seconds, 1),
      mainThreadElu: round(elu.utilization),
      loopDelayP99Ms: round(this.#delay.percentile(99) / 1e6, 1),
      loopDelayMaxMs: round(this.#delay.max / 1e6, 1),
      nodeCores: round((cpu.user + cpu.system) / 1e6 / seconds),
      others,
    };
  }
}
