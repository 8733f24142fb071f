// How `workshop` ends, and the one line it prints when it cannot finish. A person reads one
// line: what failed, and for anything not caused by their input, where the full log (stack
// and causes) was written. Never a stack trace on the terminal.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { EXIT, WorkshopError } from '../labs/workshop-error.ts';
import { cacheRoot } from '../sandbox/jars.ts';
import { isTransientKafkaError } from '../sandbox/transient-kafka.ts';

export { EXIT } from '../labs/workshop-error.ts';

/** kafkajs exports its errors from CommonJS by spreading, which ESM named imports cannot see. */
const { KafkaJSError } = kafkajs;

/** A server or the machine failed under the workshop: a library's error, named as such. */
export class ServerError extends WorkshopError {
  override name = 'ServerError';
  constructor(error: Error, transient: boolean) {
    super(`A server the workshop needs failed: ${firstLine(error)}`, { category: 'environment', transient, cause: error });
  }
}

/** An error the workshop did not expect: a bug, reported with the log. */
export class UnexpectedError extends WorkshopError {
  override name = 'UnexpectedError';
  constructor(error: unknown) {
    super(`Unexpected error: ${firstLine(error)}.`, { category: 'unexpected', cause: error });
  }
}

/**
 * The project's error as thrown; another library's error by what that library documents about it:
 * kafkajs's KafkaJSError (and its `retriable`), Node's system errors (`syscall`), and the broker
 * errors the sandbox's retries treat as passing. Anything else is unexpected.
 */
export function asWorkshopError(error: unknown): WorkshopError {
  if (error instanceof WorkshopError) return error;
  const transient = isTransientKafkaError(error);
  if (error instanceof KafkaJSError) return new ServerError(error, error.retriable || transient);
  if (error instanceof Error && (transient || typeof (error as { syscall?: unknown }).syscall === 'string')) return new ServerError(error, transient);
  return new UnexpectedError(error);
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

/** The exit code (the error's own) and the one line (for bad input, the whole message) for an error that ended a command. */
export function exitFor(error: unknown, log: (error: unknown) => string | undefined = writeErrorLog): { code: number; message: string } {
  const ended = asWorkshopError(error);
  if (ended.category === 'badInput') return { code: ended.exitCode, message: ended.message };
  // A sandbox error with no cause says all there is to say: the log would repeat it.
  const file = ended.category === 'environment' && ended.cause === undefined ? undefined : log(error);
  const where = file ? ` Full log: ${file}` : '';
  const report = ended.category === 'unexpected' ? ' (If it happens again, report it with that file.)' : '';
  return { code: ended.exitCode, message: `${ended.message}${where}${report}` };
}

/** README's table of exit codes, as the code defines them (a test keeps README's copy equal). */
export function exitCodeTable(): string {
  return ['| exit code | meaning |', '|---|---|', ...Object.values(EXIT).map((e) => `| ${e.code} | ${e.meaning} |`)].join('\n');
}
