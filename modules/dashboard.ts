// The talk's CloudWatch dashboard: end-to-end latency (average, maximum, minimum), events
// published, average messages per batch and events processed, plus the two numbers that
// explain them: the ESM's offset lag and the functions' concurrency; below them the ESM's own
// metrics under AWS's names (labs/esm-metrics.ts).
//
// It lives in the base stack and uses SEARCH expressions, so every lab's metrics appear (one
// line per Lab dimension) without the dashboard naming any lab's functions. A SEARCH schema
// matches metrics with exactly its dimensions: the lab functions write {Lab, service}, the
// producer, which lives in the base and serves every lab, writes {service} only.

import { CloudwatchDashboard } from '@cdktn/provider-aws/lib/cloudwatch-dashboard/index.js';
import { Construct } from 'constructs';
import { METRICS_BY_SERVICE } from '../handlers/shared/telemetry.ts';
import { ESM_METRIC_DIMENSION, esmMetricStatistic, KAFKA_ESM_METRICS, type KafkaEsmMetricName, LAMBDA_NAMESPACE } from '../labs/esm-metrics.ts';
import { metricsNamespaceOf, participantPrefixOf, resourceName } from './names.ts';

export interface DashboardProps {
  region: string;
  /** Default `<prefix>-dashboard`. */
  dashboardName?: string;
  /** Default: the participant's (labs/participant.ts metricsNamespace). */
  namespace?: string;
  /** Seconds per data point, default 60. */
  period?: number;
}

type Stat = 'Average' | 'Maximum' | 'Minimum' | 'Sum';

interface Widget {
  type: 'metric' | 'text';
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

export class Dashboard extends Construct {
  readonly dashboardName: string;
  /** The dashboard body as an object, for tests and for the README's screenshots. */
  readonly body: { widgets: Widget[] };

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    this.dashboardName = props.dashboardName ?? resourceName(this, 'dashboard');
    this.body = dashboardBody({
      region: props.region,
      namespace: props.namespace ?? metricsNamespaceOf(this),
      prefix: participantPrefixOf(this),
      period: props.period ?? 60,
    });
    new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: this.dashboardName,
      dashboardBody: JSON.stringify(this.body),
    });
  }
}

/** A namespace as a SEARCH schema takes it: quoted when it has more than letters and digits (a participant's has a slash). */
function schemaNamespace(namespace: string): string {
  return /^[A-Za-z0-9]+$/.test(namespace) ? namespace : `"${namespace}"`;
}

export function dashboardBody(opts: { region: string; namespace: string; prefix: string; period: number }): { widgets: Widget[] } {
  const { region, namespace, prefix, period } = opts;
  const fromBase = (metric: string) => METRICS_BY_SERVICE.producer.includes(metric);
  const workshop = (metric: string, stat: Stat, label: string) => ({
    expression: `SEARCH('{${schemaNamespace(namespace)},${fromBase(metric) ? 'service' : 'Lab,service'}} MetricName="${metric}"', '${stat}', ${period})`,
    label,
    id: `${metric.toLowerCase()}${stat.toLowerCase()}`,
  });
  // The free-text term `prefix` matches the participant's function names (<prefix>-...). ConcurrentExecutions
  // per function has exactly the FunctionName dimension; OffsetLag's dimension set (function,
  // and the ESM where metrics are enabled) has changed over time, so it is searched without a
  // schema.
  const lambda = (metric: string, stat: Stat, label: string, schema: string) => ({
    expression: `SEARCH('${schema}MetricName="${metric}" ${prefix}', '${stat}', ${period})`,
    label,
    id: `${metric.toLowerCase()}${stat.toLowerCase()}`,
  });
  // The ESM's own metrics (MetricsConfig) have exactly the EventSourceMappingUUID dimension: one
  // line per mapping, whichever lab created it.
  const esm = (metric: KafkaEsmMetricName) => ({
    expression: `SEARCH('{${LAMBDA_NAMESPACE},${ESM_METRIC_DIMENSION}} MetricName="${metric}"', '${esmMetricStatistic(metric)}', ${period})`,
    label: metric,
    id: `esm${metric.toLowerCase()}`,
  });
  const graph = (title: string, metrics: object[], x: number, y: number, unit?: string): Widget => ({
    type: 'metric',
    x,
    y,
    width: 12,
    height: 6,
    properties: {
      title,
      region,
      view: 'timeSeries',
      stacked: false,
      period,
      metrics: metrics.map((m) => [m]),
      ...(unit ? { yAxis: { left: { label: unit, showUnits: false } } } : {}),
    },
  });

  return {
    widgets: [
      {
        type: 'text',
        x: 0,
        y: 0,
        width: 24,
        height: 2,
        properties: {
          markdown:
            "## Optimizing Kafka workloads with AWS Lambda\nOne line per lab (dimension `Lab`); the producer's EventsPublished and SendDelay are one line for all labs. End-to-end duration = processing complete minus the intended send time.",
        },
      },
      graph(
        'EndToEndDuration (ms): average, maximum, minimum',
        [workshop('EndToEndDuration', 'Average', 'avg'), workshop('EndToEndDuration', 'Maximum', 'max'), workshop('EndToEndDuration', 'Minimum', 'min')],
        0,
        2,
        'ms',
      ),
      graph('EventsPublished (per period)', [workshop('EventsPublished', 'Sum', 'published')], 12, 2),
      graph('BatchSize: average messages in batch', [workshop('BatchSize', 'Average', 'avg batch')], 0, 8),
      graph('EventsProcessed (per period)', [workshop('EventsProcessed', 'Sum', 'processed')], 12, 8),
      graph('OffsetLag (records behind, per ESM)', [lambda('OffsetLag', 'Maximum', 'offset lag', '')], 0, 14),
      graph('ConcurrentExecutions per function', [lambda('ConcurrentExecutions', 'Maximum', 'concurrency', `{${LAMBDA_NAMESPACE},FunctionName} `)], 12, 14),
      graph('EventsFailed and SendDelay', [workshop('EventsFailed', 'Sum', 'failed'), workshop('SendDelay', 'Average', 'send delay ms')], 0, 20),
      graph('ESM EventCount metrics (per period, per mapping)', KAFKA_ESM_METRICS.EventCount.map(esm), 12, 20),
      graph('ESM ErrorCount metrics (only when an error happened)', KAFKA_ESM_METRICS.ErrorCount.map(esm), 0, 26),
      graph('ESM KafkaMetrics: MaxOffsetLag, SumOffsetLag', KAFKA_ESM_METRICS.KafkaMetrics.map(esm), 12, 26),
    ],
  };
}
