// The metrics the functions emitted (EMF lines from their logs), plus Lambda's own per-invocation
// metrics in the AWS/Lambda namespace (Invocations, Errors, Throttles, Duration, FunctionName
// dimension), the way CloudWatch would hold them. Query by namespace, name and dimensions.
// Data are kept for a retention window (default the last 15 minutes, retention.ts); onMetric sees
// every datum as it arrives, whatever the window.

import type { EmfMetric } from './emf.ts';
import { Listeners, type Unsubscribe } from './listeners.ts';
import { RetainedList, type RetentionOptions } from './retention.ts';

export interface MetricDatum extends EmfMetric {
  /** The function that emitted it. */
  functionName: string;
  /** The invocation that emitted it. */
  requestId: string;
}

export interface MetricFilter {
  namespace?: string;
  name?: string;
  /** Every given dimension must match; a datum may have more. */
  dimensions?: Record<string, string>;
  functionName?: string;
  requestId?: string;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
}

export class MetricStore {
  readonly #data: RetainedList<MetricDatum>;
  readonly #listeners = new Listeners<MetricDatum>();

  constructor(options: RetentionOptions = {}) {
    this.#data = new RetainedList(options);
  }

  /** How long data are kept, ms (Infinity: forever). */
  get retentionMs(): number {
    return this.#data.retentionMs;
  }

  add(datum: MetricDatum): void {
    this.#data.push(datum);
    this.#listeners.emit(datum);
  }

  /** Called for every datum as it is stored. */
  onMetric(callback: (datum: MetricDatum) => void): Unsubscribe {
    return this.#listeners.add(callback);
  }

  /** Every datum within the retention window, in arrival order. */
  all(): readonly MetricDatum[] {
    return this.#data.all();
  }

  find(filter: MetricFilter = {}): MetricDatum[] {
    return this.#data.all().filter((datum) => matches(datum, filter));
  }

  /** All values of the matching data, flattened (EMF arrays count value by value). */
  values(filter: MetricFilter = {}): number[] {
    return this.find(filter).flatMap((datum) => datum.values);
  }

  sum(filter: MetricFilter = {}): number {
    return this.values(filter).reduce((total, value) => total + value, 0);
  }

  /** Data within the retention window. */
  get size(): number {
    return this.#data.size;
  }

  clear(): void {
    this.#data.clear();
  }
}

function matches(datum: MetricDatum, filter: MetricFilter): boolean {
  if (filter.namespace !== undefined && datum.namespace !== filter.namespace) return false;
  if (filter.name !== undefined && datum.name !== filter.name) return false;
  if (filter.functionName !== undefined && datum.functionName !== filter.functionName) return false;
  if (filter.requestId !== undefined && datum.requestId !== filter.requestId) return false;
  if (filter.since !== undefined && datum.timestamp < filter.since) return false;
  if (filter.until !== undefined && datum.timestamp >= filter.until) return false;
  for (const [key, value] of Object.entries(filter.dimensions ?? {})) {
    if (datum.dimensions[key] !== value) return false;
  }
  return true;
}
