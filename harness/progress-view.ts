// While a lab runs: elapsed and remaining time, events published and processed, current lag and
// p50 so far. cli-progress redraws a bar on a terminal and prints a line every few seconds when
// the output is a log (CI).
import cliProgress from 'cli-progress';
import type { Progress } from './run-lab.ts';
import type { LabRunResult } from './run-result.ts';

export interface ProgressView {
  update(progress: Progress): void;
  finish(result: LabRunResult): void;
  stop(): void;
}

const FORMAT = '{lab} |{bar}| {phase} {elapsed}/{total} s · published {published} · processed {processed} · lag {lag} · p50 {p50}';

export function createProgressView(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  const bar = new cliProgress.SingleBar(
    { format: FORMAT, barsize: 20, hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000, stream, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let active: string | undefined;
  return {
    update(p) {
      const payload = {
        lab: p.lab,
        phase: p.phase.padEnd(9),
        elapsed: Math.round(p.elapsedSec),
        total: p.totalSec,
        published: p.published,
        processed: p.processed,
        lag: p.offsetLag,
        p50: p.p50SoFar === undefined ? '-' : `${p.p50SoFar} ms`,
      };
      if (active !== p.lab) {
        if (active) bar.stop();
        bar.start(p.totalSec, 0, payload);
        active = p.lab;
      }
      bar.update(Math.min(p.totalSec, Math.round(p.elapsedSec)), payload);
    },
    finish() {
      if (active) bar.stop();
      active = undefined;
    },
    stop() {
      if (active) bar.stop();
      active = undefined;
    },
  };
}
