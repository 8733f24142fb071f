// What the functions wrote to stdout/stderr, line by line, each attributed to the invocation that
// wrote it (the local stand-in for the /aws/lambda/<function> log groups). EMF lines are not kept
// here: they become metrics (metric-store.ts). Lines are kept for a retention window (default the
// last 15 minutes, retention.ts); onLine sees every line as it is written, whatever the window.

import { Listeners, type Unsubscribe } from './listeners.ts';
import { RetainedList, type RetentionOptions } from './retention.ts';

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
  readonly #lines: RetainedList<LogLine>;
  readonly #listeners = new Listeners<LogLine>();

  constructor(options: RetentionOptions = {}) {
    this.#lines = new RetainedList(options);
  }

  add(line: LogLine): void {
    this.#lines.push(line);
    this.#listeners.emit(line);
  }

  /** Called for every line as it is written. */
  onLine(callback: (line: LogLine) => void): Unsubscribe {
    return this.#listeners.add(callback);
  }

  /** Every line within the retention window, in arrival order. */
  all(): readonly LogLine[] {
    return this.#lines.all();
  }

  find(filter: { functionName?: string; requestId?: string } = {}): LogLine[] {
    return this.#lines
      .all()
      .filter(
        (line) =>
          (filter.functionName === undefined || line.functionName === filter.functionName) &&
          (filter.requestId === undefined || line.requestId === filter.requestId),
      );
  }

  /** Lines within the retention window. */
  get size(): number {
    return this.#lines.size;
  }

  clear(): void {
    this.#lines.clear();
  }
}
