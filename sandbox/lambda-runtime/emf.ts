// CloudWatch Embedded Metric Format: a JSON log line with an `_aws.CloudWatchMetrics` directive
// becomes metrics, as CloudWatch Logs extracts them from a Lambda log group.
// Spec: AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
// - _aws.Timestamp: epoch ms; CloudWatchMetrics: [{Namespace, Dimensions: [[key, ...], ...],
//   Metrics: [{Name, Unit?, StorageResolution?}]}]
// - a metric's value is the root member with its name: a number or an array of numbers (one
//   datum per value, which Powertools uses when a metric is added several times).
// - every dimension set makes its own metric; the dimension values are root members.

export interface EmfMetric {
  namespace: string;
  name: string;
  unit: string;
  dimensions: Record<string, string>;
  values: number[];
  /** Epoch ms (the document's _aws.Timestamp). */
  timestamp: number;
  /** 1 (high resolution) or 60 seconds. */
  storageResolution: number;
}

interface Directive {
  Namespace?: unknown;
  Dimensions?: unknown;
  Metrics?: unknown;
}

/** True when the object carries an EMF directive (so it is a metric document, not a log line). */
export function isEmfDocument(doc: unknown): doc is Record<string, unknown> {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return false;
  const aws = (doc as { _aws?: unknown })._aws;
  return typeof aws === 'object' && aws !== null && Array.isArray((aws as { CloudWatchMetrics?: unknown }).CloudWatchMetrics);
}

/** The metrics of an EMF document; members that are not valid metric values are skipped. */
export function emfMetrics(doc: Record<string, unknown>, receivedAt = Date.now()): EmfMetric[] {
  const aws = doc._aws as { Timestamp?: unknown; CloudWatchMetrics: Directive[] };
  const timestamp = typeof aws.Timestamp === 'number' && Number.isFinite(aws.Timestamp) ? aws.Timestamp : receivedAt;
  const metrics: EmfMetric[] = [];
  for (const directive of aws.CloudWatchMetrics) {
    if (typeof directive !== 'object' || directive === null || typeof directive.Namespace !== 'string') continue;
    const dimensionSets = Array.isArray(directive.Dimensions)
      ? directive.Dimensions.filter((set): set is string[] => Array.isArray(set) && set.every((key) => typeof key === 'string'))
      : [];
    const sets = dimensionSets.length > 0 ? dimensionSets : [[]];
    for (const definition of Array.isArray(directive.Metrics) ? directive.Metrics : []) {
      const { Name, Unit, StorageResolution } = (definition ?? {}) as { Name?: unknown; Unit?: unknown; StorageResolution?: unknown };
      if (typeof Name !== 'string') continue;
      const values = metricValues(doc[Name]);
      if (values.length === 0) continue;
      for (const set of sets) {
        const dimensions: Record<string, string> = {};
        for (const key of set) dimensions[key] = String(doc[key] ?? '');
        metrics.push({
          namespace: directive.Namespace,
          name: Name,
          unit: typeof Unit === 'string' ? Unit : 'None',
          dimensions,
          values,
          timestamp,
          storageResolution: StorageResolution === 1 ? 1 : 60,
        });
      }
    }
  }
  return metrics;
}

function metricValues(member: unknown): number[] {
  const candidates = Array.isArray(member) ? member : [member];
  return candidates.filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
}
