// Processor knobs, read from the function's environment (set by modules/function from the LabSpec).
// Read per invocation: cheap, and a misconfiguration fails loudly with the fix in the message.

import { PROCESSING_MODES, type ProcessingMode } from './processing.ts';

export interface ProcessorSettings {
  processingMsPerRecord: number;
  mode: ProcessingMode;
  /** Return partial batch responses instead of failing the whole batch. */
  reportBatchItemFailures: boolean;
}

type Env = Record<string, string | undefined>;

export function readProcessorSettings(env: Env, defaults: { reportBatchItemFailures: boolean }): ProcessorSettings {
  return {
    processingMsPerRecord: readNumber(env, 'PROCESSING_MS_PER_RECORD', 0, 0, 900_000),
    mode: readMode(env.PROCESSING_MODE),
    reportBatchItemFailures: readBoolean(env, 'REPORT_BATCH_ITEM_FAILURES', defaults.reportBatchItemFailures),
  };
}

export function readNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name}=${JSON.stringify(raw)} is not valid: use a number from ${min} to ${max}.`);
  }
  return value;
}

export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const normalized = raw.trim().toLowerCase();
  if (normalized === 'true') return true;
  if (normalized === 'false') return false;
  throw new Error(`${name}=${JSON.stringify(raw)} is not valid: use "true" or "false".`);
}

function readMode(raw: string | undefined): ProcessingMode {
  if (raw === undefined || raw.trim() === '') return 'sequential';
  const mode = raw.trim() as ProcessingMode;
  if (!PROCESSING_MODES.includes(mode)) {
    throw new Error(`PROCESSING_MODE=${JSON.stringify(raw)} is not valid: use one of ${PROCESSING_MODES.join(', ')}.`);
  }
  return mode;
}
