// A command-line number, checked against its allowed range before anything starts.
import { UsageError } from './errors.ts';

/** The range `--time-scale` accepts, for `run` and `check` alike. */
const TIME_SCALE_RANGE = { min: 1, max: 600 } as const;

export function numberOption(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`${flag} ${value} is not valid: use a number from ${min} to ${max}.`);
  return n;
}

export function timeScaleOption(value: string | undefined): number | undefined {
  return numberOption(value, '--time-scale', TIME_SCALE_RANGE.min, TIME_SCALE_RANGE.max);
}
