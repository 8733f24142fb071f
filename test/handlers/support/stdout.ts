// Captures what handlers write to stdout (Powertools logs and EMF metrics) and reads it back.

export interface Captured<T> {
  result?: T;
  error?: unknown;
  lines: string[];
}

export async function captureStdout<T>(fn: () => Promise<T>): Promise<Captured<T>> {
  const original = process.stdout.write.bind(process.stdout);
  let buffer = '';
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    buffer += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  const captured: Captured<T> = { lines: [] };
  try {
    captured.result = await fn();
  } catch (error) {
    captured.error = error;
  } finally {
    process.stdout.write = original;
  }
  captured.lines = buffer.split('\n').filter((line) => line.trim().length > 0);
  return captured;
}

export function jsonLines(lines: readonly string[]): Array<Record<string, any>> {
  return lines.flatMap((line) => {
    try {
      const value = JSON.parse(line);
      return typeof value === 'object' && value !== null ? [value] : [];
    } catch {
      return [];
    }
  });
}

/** CloudWatch EMF documents. */
export function emfDocuments(lines: readonly string[]): Array<Record<string, any>> {
  return jsonLines(lines).filter((doc) => doc._aws?.CloudWatchMetrics);
}

/** Every value emitted for a metric, across all EMF documents. */
export function metricValues(lines: readonly string[], name: string): number[] {
  return emfDocuments(lines).flatMap((doc) => {
    const declared = doc._aws.CloudWatchMetrics.some((m: any) => m.Metrics.some((d: any) => d.Name === name));
    if (!declared) return [];
    const value = doc[name];
    return Array.isArray(value) ? value : [value];
  });
}

export function metricUnit(lines: readonly string[], name: string): string | undefined {
  for (const doc of emfDocuments(lines)) {
    for (const group of doc._aws.CloudWatchMetrics) {
      const metric = group.Metrics.find((m: any) => m.Name === name);
      if (metric) return metric.Unit;
    }
  }
  return undefined;
}

export function logLines(lines: readonly string[], message: string): Array<Record<string, any>> {
  return jsonLines(lines).filter((doc) => doc.message === message);
}
