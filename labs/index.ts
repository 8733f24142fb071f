import { lab as baseline } from './01-baseline/spec.ts';
import { lab as lowLatency } from './02-low-latency/spec.ts';
import { lab as sqsBuffer } from './03-sqs-buffer/spec.ts';
import { lab as bestPractices } from './04-best-practices/spec.ts';
import type { LabSpec } from './lab-spec.ts';

export const LABS: readonly LabSpec[] = [baseline, lowLatency, sqsBuffer, bestPractices];

/** A lab by number (`2`), folder name (`02-low-latency`) or name without number (`low-latency`). */
export function findLab(idOrNumber: string | number): LabSpec | undefined {
  const key = String(idOrNumber).trim();
  return LABS.find((lab) => String(lab.number) === key || lab.id === key || lab.id.slice(3) === key);
}

export function labChoices(): string {
  return LABS.map((lab) => `${lab.number} (${lab.id})`).join(', ');
}
