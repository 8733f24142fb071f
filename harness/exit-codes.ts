// How `workshop` ends, and the one line it prints when it cannot finish. A person reads one
// line: what failed, and for anything not caused by their input, where the full log (stack
// and causes) was written. Never a stack trace on the terminal.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabSpecError } from '../labs/lab-spec.ts';
import { cacheRoot } from '../sandbox/jars.ts';
import { SandboxError } from '../sandbox/errors.ts';
import { isTransientKafkaError } from '../sandbox/transient-kafka.ts';
import { UsageError } from './errors.ts';

export const EXIT = {
  /** Every target passed. */
  passed: 0,
  /** A lab ran and missed a target. */
  targetFailed: 1,
  /** Bad input or a missing deployment: the message says what to change. */
  badInput: 2,
  /** The machine or a server: Java, ports, the broker, ElasticMQ, the network. */
  environment: 3,
  /** Anything else: a bug in the workshop; the log holds what is needed to report it. */
  unexpected: 4,
} as const;

/** A broker, socket or kafkajs error that escaped every retry: the environment, not the input. */
function isEnvironmentError(error: unknown): boolean {
  if (error instanceof SandboxError || isTransientKafkaError(error)) return true;
  const e = error as { name?: unknown; code?: unknown } | null;
  return (typeof e?.name === 'string' && e.name.startsWith('KafkaJS')) || (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code));
}

/** The error with its stack and every cause, as the log file holds it. */
export function fullText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    parts.push(current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current));
    current = current instanceof Error ? (current.cause ?? (current as { originalError?: unknown }).originalError) : undefined;
    if (current !== undefined && current !== null) parts.push('Caused by:');
  }
  return parts.join('\n');
}

/** Writes the full text of an error under the cache folder; the file's path. */
export function writeErrorLog(error: unknown, dir = join(cacheRoot(), 'logs'), now = new Date()): string | undefined {
  try {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `workshop-error-${now.toISOString().replace(/[:.]/g, '-')}.log`);
    writeFileSync(file, `${now.toISOString()} ${process.argv.slice(2).join(' ')}\n${fullText(error)}\n`);
    return file;
  } catch {
    return undefined;
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].trim() || (error instanceof Error ? error.name : 'unknown error');
}

/** The exit code and the one line (or, for input errors, the message) for an error that ended a command. */
export function exitFor(error: unknown, log: (error: unknown) => string | undefined = writeErrorLog): { code: number; message: string } {
  if (error instanceof UsageError || error instanceof LabSpecError) return { code: EXIT.badInput, message: error.message };
  const environment = isEnvironmentError(error);
  const file = environment && error instanceof SandboxError && !error.cause ? undefined : log(error);
  const where = file ? ` Full log: ${file}` : '';
  if (environment) return { code: EXIT.environment, message: `${error instanceof SandboxError ? error.message : `A server the workshop needs failed: ${firstLine(error)}`}${where}` };
  return { code: EXIT.unexpected, message: `Unexpected error: ${firstLine(error)}.${where} (If it happens again, report it with that file.)` };
}
