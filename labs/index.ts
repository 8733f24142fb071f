import { lab as baseline } from './01-baseline/spec.ts';
import { lab as lowLatency } from './02-low-latency/spec.ts';
import { lab as sqsBuffer } from './03-sqs-buffer/spec.ts';
import { lab as bestPractices } from './04-best-practices/spec.ts';
import { lab as schemaRegistry } from './05-schema-registry/spec.ts';
import type { LabSpec } from './lab-spec.ts';

export const LABS: readonly LabSpec[] = [baseline, lowLatency, sqsBuffer, bestPractices, schemaRegistry];

/**
 * Labs that `run all` (and so `npm start`) leaves out unless asked with --with-optional: the
 * schema registry lab's first run downloads its registry server, 142 MB more than labs 1 to 4.
 */
const OPTIONAL_LABS: ReadonlySet<string> = new Set([schemaRegistry.id]);

/** The labs `run all` runs: every lab, or only those that are not optional. */
export function labsOfAll(withOptional: boolean): LabSpec[] {
  return LABS.filter((lab) => withOptional || !OPTIONAL_LABS.has(lab.id));
}

/** A lab by number (`2`), folder name (`02-low-latency`) or name without number (`low-latency`). */
export function findLab(idOrNumber: string | number): LabSpec | undefined {
  const key = String(idOrNumber).trim();
  return LABS.find((lab) => String(lab.number) === key || lab.id === key || lab.id.slice(3) === key);
}

export function labChoices(): string {
  return LABS.map((lab) => `${lab.number} (${lab.id})`).join(', ');
}
