// Labs on a busy laptop: each lab of the case runs as `npx workshop run <n> --quick` does (the
// harness, the lab's own traffic and local targets), once on the quiet machine and once while
// another process keeps cores busy, as a browser, an editor or a video call would. The burner is
// a separate process at the same priority as the sandbox: it takes its share of the machine, and
// the scheduler, not the bench, decides who waits.
import { type ChildProcess, spawn } from 'node:child_process';
import { runLab } from '../harness/run-lab.ts';
import type { LabRunResult, LatencySummary, TargetCheck } from '../harness/run-result.ts';
import { LocalTarget } from '../harness/targets/local.ts';
import { LABS } from '../labs/index.ts';
import type { ContentionCase } from './cases.ts';
import { Probe, type ProbeResult } from './probe.ts';
import type { BenchContext } from './run-cases.ts';

export interface ContentionRun {
  lab: string;
  /** Cores kept busy by the burner during the run (0: the quiet run). */
  burnerCores: number;
  endToEndMs: LatencySummary;
  throughputPerSec: number;
  published: number;
  lost: number;
  passed: boolean;
  targets: TargetCheck[];
  probe: ProbeResult;
}

export interface ContentionResult {
  kind: 'contention';
  case: ContentionCase;
  runs: ContentionRun[];
}

/** Processes that each spin one core until killed. */
function startBurner(cores: number): { pids: number[]; stop(): Promise<void> } {
  const children: ChildProcess[] = Array.from({ length: cores }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  return {
    pids: children.flatMap((c) => (c.pid === undefined ? [] : [c.pid])),
    async stop() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGKILL');
            }),
        ),
      );
    },
  };
}

async function runOnce(ctx: BenchContext, labNumber: number, burnerCores: number): Promise<ContentionRun> {
  const lab = LABS[labNumber - 1];
  const target = new LocalTarget({ kafka: ctx.kafka, timeScale: ctx.timeScale });
  const stopTarget = ctx.resources.track(`lab ${lab.id} (contention)`, () => target.close());
  const burner = burnerCores > 0 ? startBurner(burnerCores) : undefined;
  const stopBurner = burner ? ctx.resources.track('CPU burner', () => burner.stop()) : async () => undefined;
  try {
    const others: Record<string, number | undefined> = { broker: ctx.kafka.pid };
    burner?.pids.forEach((pid, i) => (others[`burner${i}`] = pid));
    const probe = new Probe(others);
    const result: LabRunResult = await Promise.race([runLab(lab, target, { quick: true }), ctx.interruption]);
    return {
      lab: lab.id,
      burnerCores,
      endToEndMs: result.endToEndMs,
      throughputPerSec: result.throughputPerSec,
      published: result.published,
      lost: result.lost,
      passed: result.passed,
      targets: result.targets,
      probe: probe.stop(),
    };
  } finally {
    await stopBurner();
    await stopTarget();
  }
}

export async function runContention(c: ContentionCase, ctx: BenchContext): Promise<ContentionResult> {
  const runs: ContentionRun[] = [];
  for (const labNumber of c.labs) {
    for (const burnerCores of [0, c.burnerCores]) {
      if (ctx.interrupted()) break;
      if (Date.now() + c.perRunBudgetSec * 1000 > ctx.deadline)
        throw new Error(`the time budget ran out before lab ${labNumber} with ${burnerCores} busy cores`);
      ctx.log(
        `  lab ${labNumber} --quick, ${burnerCores === 0 ? 'quiet machine' : `${burnerCores} core${burnerCores > 1 ? 's' : ''} kept busy by another process`}...`,
      );
      const run = await runOnce(ctx, labNumber, burnerCores);
      runs.push(run);
      ctx.log(
        `  ${run.lab}: p50 ${Math.round(run.endToEndMs.p50)} ms, p99 ${Math.round(run.endToEndMs.p99)} ms, ${run.throughputPerSec}/s, lost ${run.lost}: targets ${run.passed ? 'met' : 'NOT met'}`,
      );
    }
  }
  return { kind: 'contention', case: c, runs };
}
