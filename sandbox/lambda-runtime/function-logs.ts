// What the functions wrote to stdout/stderr, line by line, each attributed to the invocation that
// wrote it (the local stand-in for the /aws/lambda/<function> log groups). EMF lines are not kept
// here: they become metrics (metric-store.ts).

import { Listeners, type Unsubscribe } from './listeners.ts';

export interface LogLine {
  functionName: string;
  requestId: string;
  /** The execution environment, named like its CloudWatch log stream. */
  logStreamName: string;
  stream: 'stdout' | 'stderr';
  text: string;
  /** Epoch ms when the line was written. */
  timestamp: number;
  /** The parsed line when it is a JSON object (Powertools Logger lines are). */
  json?: Record<string, unknown>;
}

/** Parses a line that looks like a JSON object; anything else gives undefined. */
export function parseJsonLine(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export class LogStore {
  readonly #lines: LogLine[] = [];
  readonly #listeners = new Listeners<LogLine>();

  add(line: LogLine): void {
    this.#lines.push(line);
    this.#listeners.emit(line);
  }

  /** Called for every line as it is written. */
  onLine(callback: (line: LogLine) => void): Unsubscribe {
    return this.#listeners.add(callback);
  }

  /** Every line, in arrival order. */
  all(): readonly LogLine[] {
    return this.#lines;
  }

  find(filter: { functionName?: string; requestId?: string } = {}): LogLine[] {
    return this.#lines.filter(
      (line) =>
        (filter.functionName === undefined || line.functionName === filter.functionName) &&
        (filter.requestId === undefined || line.requestId === filter.requestId),
    );
  }

  clear(): void {
    this.#lines.length = 0;
  }
}
