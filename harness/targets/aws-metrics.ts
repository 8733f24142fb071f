// CloudWatch for the AWS target: the live view while the load runs (sample), the run's summary
// statistics (readRunMetrics), and the Kafka ESM's FilteredOutEventCount (accounting).
//
// What is read, and under which dimensions:
// - The handlers' own metrics (handlers/shared/telemetry.ts): the participant's namespace as the
//   base stack deployed it (KafkaLambdaWorkshop, or KafkaLambdaWorkshop/<WORKSHOP_PREFIX>; labs/participant.ts),
//   Powertools Metrics with dimensions exactly {service, Lab}: service is the function's
//   POWERTOOLS_SERVICE_NAME (booking-processor, or sqs-processor behind lab 3's buffer; set in
//   labs/stacks.ts and modules/sqs-buffer.ts), Lab the lab id. The producer lives in the base stack
//   and has no LAB_ID, so its metrics (EventsPublished, SendDelay) carry {service: producer} only
//   and are scoped by time alone.
// - AWS/Lambda ConcurrentExecutions per function (dimension FunctionName), Maximum.
// - The ESM's metrics under EventSourceMappingUUID (monitoring-metrics-types.html#event-source-mapping-metrics,
//   https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html): FilteredOutEventCount
//   (the EventCount group, enabled by modules/kafka-consumer.ts MetricsConfig), ProvisionedPollers.
// - OffsetLag: its dimension set has changed over time (function; ESM UUID when ESM metrics are
//   on), so it is read three ways at once: exact metrics under {FunctionName} and under
//   {EventSourceMappingUUID}, and a SEARCH for either value (which finds any other dimension set,
//   but only once CloudWatch has indexed the metric: up to 15 minutes after its first data point,
//   as for ListMetrics, https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ListMetrics.html).
//   The same lag may come back under several dimension sets, so series are never added up: the
//   newest value wins. FilteredOutEventCount is read the same two ways (exact and SEARCH), and the
//   largest per-series total is the count.
//
// Every query is standard resolution (60 s periods): the handlers publish EMF without a storage
// resolution, and Lambda's own metrics are per minute. Data arrive about a minute late.
// GetMetricData pages with NextToken (results of one Id are concatenated across pages) and is
// retried while throttled: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
import {
  type CloudWatchClient,
  type Dimension,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { METRIC_NAMES } from '../../handlers/shared/telemetry.ts';
import { ESM_METRIC_DIMENSION, esmMetricStatistic, LAMBDA_NAMESPACE } from '../../labs/esm-metrics.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { type EsmMetricName, type EsmMetricTotals, esmMetricTotals } from '../esm-metric-totals.ts';
import { explainAwsErrors } from './aws-credentials.ts';
import type { AwsLabOutputs } from './aws-outputs.ts';
import { type RetryOptions, withThrottlingRetry } from './aws-retry.ts';

export const PERIOD_SECONDS = 60;
const MINUTE_MS = 60_000;

/** Who the metrics belong to. */
export interface MetricScope {
  namespace: string;
  labId: string;
  /** POWERTOOLS_SERVICE_NAME of the function writing EndToEndDuration/EventsProcessed. */
  processorService: string;
  processorFunctionName: string;
  kafkaConsumerFunctionName: string;
  kafkaEsmUuid: string;
  provisionedPollers: boolean;
  /** Lab 3: the SQS processor is a different function from the Kafka ESM's consumer. */
  buffered: boolean;
}

export const PRODUCER_SERVICE = 'producer';

/** The service name labs/stacks.ts gives the function that processes bookings. */
export function processorServiceName(lab: Pick<LabSpec, 'sqsBuffer'>): string {
  return lab.sqsBuffer ? 'sqs-processor' : 'booking-processor';
}

export function metricScope(lab: LabSpec, outputs: AwsLabOutputs): MetricScope {
  return {
    namespace: outputs.metricsNamespace,
    labId: lab.id,
    processorService: processorServiceName(lab),
    processorFunctionName: outputs.processorFunctionName,
    kafkaConsumerFunctionName: outputs.kafkaConsumerFunctionName,
    kafkaEsmUuid: outputs.kafkaEsmUuid,
    provisionedPollers: lab.kafkaEsm.provisionedPollers !== undefined,
    buffered: lab.sqsBuffer !== undefined,
  };
}

export function labDimensions(scope: MetricScope, service = scope.processorService): Dimension[] {
  return [
    { Name: 'service', Value: service },
    { Name: 'Lab', Value: scope.labId },
  ];
}

export const alignDown = (ms: number, step = MINUTE_MS): number => Math.floor(ms / step) * step;
export const alignUp = (ms: number, step = MINUTE_MS): number => Math.ceil(ms / step) * step;

/** Every page of one GetMetricData request, merged by query Id (and label, for SEARCH series). */
export async function getMetricDataAll(cloudwatch: CloudWatchClient, input: GetMetricDataCommandInput, retry: RetryOptions = {}): Promise<MetricDataResult[]> {
  const merged = new Map<string, MetricDataResult>();
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await explainAwsErrors('cloudwatch:GetMetricData', () =>
      withThrottlingRetry('CloudWatch GetMetricData', () => cloudwatch.send(new GetMetricDataCommand({ ...input, NextToken: nextToken })), retry),
    );
    for (const result of page.MetricDataResults ?? []) {
      const key = `${result.Id}\u0000${result.Label ?? ''}`;
      const known = merged.get(key);
      if (!known) {
        merged.set(key, { ...result, Timestamps: [...(result.Timestamps ?? [])], Values: [...(result.Values ?? [])] });
      } else {
        known.Timestamps!.push(...(result.Timestamps ?? []));
        known.Values!.push(...(result.Values ?? []));
        known.StatusCode = result.StatusCode;
      }
    }
    nextToken = page.NextToken || undefined;
    if (++pages > 1000) throw new Error('GetMetricData kept returning NextToken after 1000 pages: stopping.');
  } while (nextToken);
  return [...merged.values()];
}

function metricQuery(id: string, namespace: string, metricName: string, dimensions: Dimension[], stat: string, periodSeconds: number): MetricDataQuery {
  return {
    Id: id,
    MetricStat: { Metric: { Namespace: namespace, MetricName: metricName, Dimensions: dimensions }, Period: periodSeconds, Stat: stat },
    ReturnData: true,
  };
}

export interface Point {
  at: number;
  value: number;
}

function points(results: MetricDataResult[], id: string): Point[][] {
  return results
    .filter((r) => r.Id === id)
    .map((r) =>
      (r.Timestamps ?? [])
        .map((t, i) => ({ at: new Date(t).getTime(), value: (r.Values ?? [])[i] }))
        .filter((p) => Number.isFinite(p.value))
        .sort((a, b) => a.at - b.at),
    );
}

function latest(series: Point[][]): Point | undefined {
  let best: Point | undefined;
  for (const s of series) {
    const last = s[s.length - 1];
    if (last && (!best || last.at > best.at || (last.at === best.at && last.value > best.value))) best = last;
  }
  return best;
}

// ---------------------------------------------------------------- live view

export interface LiveMetrics {
  /** Sum of EventsProcessed since the window's start. */
  processedSoFar: number;
  offsetLag: number;
  pollers: number;
  concurrency: number;
  sqsConcurrency?: number;
  /** The newest minute's EndToEndDuration p50, if any. */
  latestEndToEndP50?: Point;
}

/** The live view's queries: one request, six metrics. */
export function liveQueries(scope: MetricScope): MetricDataQuery[] {
  const p = PERIOD_SECONDS;
  const queries: MetricDataQuery[] = [
    metricQuery('processed', scope.namespace, METRIC_NAMES.eventsProcessed, labDimensions(scope), 'Sum', p),
    metricQuery('e2ep50', scope.namespace, METRIC_NAMES.endToEndDuration, labDimensions(scope), 'p50', p),
    metricQuery('concurrency', LAMBDA_NAMESPACE, 'ConcurrentExecutions', [{ Name: 'FunctionName', Value: scope.kafkaConsumerFunctionName }], 'Maximum', p),
    {
      Id: 'offsetlag',
      Expression: `SEARCH('Namespace="${LAMBDA_NAMESPACE}" MetricName="OffsetLag" ("${scope.kafkaEsmUuid}" OR "${scope.kafkaConsumerFunctionName}")', 'Maximum', ${p})`,
      ReturnData: true,
    },
    metricQuery('offsetlagfn', LAMBDA_NAMESPACE, 'OffsetLag', [{ Name: 'FunctionName', Value: scope.kafkaConsumerFunctionName }], 'Maximum', p),
    metricQuery('offsetlagesm', LAMBDA_NAMESPACE, 'OffsetLag', [{ Name: 'EventSourceMappingUUID', Value: scope.kafkaEsmUuid }], 'Maximum', p),
  ];
  if (scope.provisionedPollers) {
    queries.push(metricQuery('pollers', LAMBDA_NAMESPACE, 'ProvisionedPollers', [{ Name: 'EventSourceMappingUUID', Value: scope.kafkaEsmUuid }], 'Maximum', p));
  }
  if (scope.buffered) {
    queries.push(
      metricQuery('sqsconcurrency', LAMBDA_NAMESPACE, 'ConcurrentExecutions', [{ Name: 'FunctionName', Value: scope.processorFunctionName }], 'Maximum', p),
    );
  }
  return queries;
}

export async function readLiveMetrics(
  cloudwatch: CloudWatchClient,
  scope: MetricScope,
  window: { fromMs: number; toMs: number },
  retry: RetryOptions = {},
): Promise<LiveMetrics> {
  const results = await getMetricDataAll(
    cloudwatch,
    {
      MetricDataQueries: liveQueries(scope),
      StartTime: new Date(alignDown(window.fromMs)),
      EndTime: new Date(Math.max(alignUp(window.toMs), alignDown(window.fromMs) + MINUTE_MS)),
      ScanBy: 'TimestampAscending',
    },
    retry,
  );
  const value = (id: string) => latest(points(results, id))?.value ?? 0;
  const live: LiveMetrics = {
    processedSoFar: points(results, 'processed')
      .flat()
      .reduce((sum, p) => sum + p.value, 0),
    offsetLag: latest([...points(results, 'offsetlag'), ...points(results, 'offsetlagfn'), ...points(results, 'offsetlagesm')])?.value ?? 0,
    pollers: scope.provisionedPollers ? value('pollers') : 0,
    concurrency: value('concurrency'),
  };
  if (scope.buffered) live.sqsConcurrency = value('sqsconcurrency');
  const p50 = latest(points(results, 'e2ep50'));
  if (p50) live.latestEndToEndP50 = p50;
  return live;
}

// ---------------------------------------------------------------- the run's summary

export const RUN_STATS = ['p50', 'p99', 'Average', 'Minimum', 'Maximum', 'Sum'] as const;
export type RunStat = (typeof RUN_STATS)[number];

export interface MetricSummary {
  p50?: number;
  p99?: number;
  avg?: number;
  min?: number;
  max?: number;
  sum?: number;
}

const STAT_KEYS: Record<RunStat, keyof MetricSummary> = { p50: 'p50', p99: 'p99', Average: 'avg', Minimum: 'min', Maximum: 'max', Sum: 'sum' };

/** The metrics the summary reads, by the name the result uses. */
export function runMetricDefinitions(scope: MetricScope): Record<string, { namespace: string; metricName: string; dimensions: Dimension[] }> {
  const workshop = (metricName: string, service = scope.processorService) => ({
    namespace: scope.namespace,
    metricName,
    dimensions: labDimensions(scope, service),
  });
  const lambda = (metricName: string, dimensions: Dimension[]) => ({ namespace: LAMBDA_NAMESPACE, metricName, dimensions });
  const definitions: Record<string, { namespace: string; metricName: string; dimensions: Dimension[] }> = {
    EndToEndDuration: workshop(METRIC_NAMES.endToEndDuration),
    EventsProcessed: workshop(METRIC_NAMES.eventsProcessed),
    EventsFailed: workshop(METRIC_NAMES.eventsFailed),
    BatchSize: workshop(METRIC_NAMES.batchSize),
    EventsPublished: { namespace: scope.namespace, metricName: METRIC_NAMES.eventsPublished, dimensions: [{ Name: 'service', Value: PRODUCER_SERVICE }] },
    SendDelay: { namespace: scope.namespace, metricName: METRIC_NAMES.sendDelay, dimensions: [{ Name: 'service', Value: PRODUCER_SERVICE }] },
    ConcurrentExecutions: lambda('ConcurrentExecutions', [{ Name: 'FunctionName', Value: scope.kafkaConsumerFunctionName }]),
    FilteredOutEventCount: lambda('FilteredOutEventCount', [{ Name: 'EventSourceMappingUUID', Value: scope.kafkaEsmUuid }]),
  };
  if (scope.buffered)
    definitions.SqsProcessorConcurrentExecutions = lambda('ConcurrentExecutions', [{ Name: 'FunctionName', Value: scope.processorFunctionName }]);
  return definitions;
}

/** One period spanning the whole (minute-aligned) window, so each statistic is the run's own. */
export function runWindow(fromMs: number, toMs: number): { start: Date; end: Date; periodSeconds: number } {
  const start = alignDown(fromMs);
  const end = Math.max(alignUp(toMs), start + MINUTE_MS);
  return { start: new Date(start), end: new Date(end), periodSeconds: (end - start) / 1000 };
}

/**
 * p50, p99, average, minimum, maximum and sum of every run metric over [fromMs, toMs], each
 * computed by CloudWatch over the whole window. A metric without data in the window is {}.
 */
export async function readRunMetrics(
  cloudwatch: CloudWatchClient,
  scope: MetricScope,
  window: { fromMs: number; toMs: number },
  retry: RetryOptions = {},
): Promise<Record<string, MetricSummary>> {
  const definitions = runMetricDefinitions(scope);
  const { start, end, periodSeconds } = runWindow(window.fromMs, window.toMs);
  const queries: MetricDataQuery[] = [];
  const meaning = new Map<string, { name: string; stat: RunStat }>();
  Object.entries(definitions).forEach(([name, d], m) => {
    RUN_STATS.forEach((stat, s) => {
      const id = `m${m}s${s}`;
      meaning.set(id, { name, stat });
      queries.push(metricQuery(id, d.namespace, d.metricName, d.dimensions, stat, periodSeconds));
    });
  });
  const results = await getMetricDataAll(cloudwatch, { MetricDataQueries: queries, StartTime: start, EndTime: end, ScanBy: 'TimestampAscending' }, retry);
  const summary: Record<string, MetricSummary> = Object.fromEntries(Object.keys(definitions).map((name) => [name, {}]));
  for (const result of results) {
    const what = meaning.get(result.Id ?? '');
    const values = (result.Values ?? []).filter(Number.isFinite);
    if (!what || values.length === 0) continue;
    // One period covers the window, so one value is expected; should the window straddle more,
    // sums add up and the other statistics keep their most pessimistic value.
    const combined =
      what.stat === 'Sum'
        ? values.reduce((a, b) => a + b, 0)
        : what.stat === 'Minimum'
          ? Math.min(...values)
          : values.length === 1
            ? values[0]
            : Math.max(...values);
    summary[what.name][STAT_KEYS[what.stat]] = combined;
  }
  return summary;
}

// ---------------------------------------------------------------- filtering

/** FilteredOutEventCount of the Kafka ESM over the window; undefined when CloudWatch has no data yet. */
export async function readFilteredOutCount(
  cloudwatch: CloudWatchClient,
  scope: Pick<MetricScope, 'kafkaEsmUuid'>,
  window: { fromMs: number; toMs: number },
  retry: RetryOptions = {},
): Promise<number | undefined> {
  const results = await getMetricDataAll(
    cloudwatch,
    {
      MetricDataQueries: [
        metricQuery(
          'filtered',
          LAMBDA_NAMESPACE,
          'FilteredOutEventCount',
          [{ Name: 'EventSourceMappingUUID', Value: scope.kafkaEsmUuid }],
          'Sum',
          PERIOD_SECONDS,
        ),
        {
          Id: 'filteredsearch',
          Expression: `SEARCH('Namespace="${LAMBDA_NAMESPACE}" MetricName="FilteredOutEventCount" "${scope.kafkaEsmUuid}"', 'Sum', ${PERIOD_SECONDS})`,
          ReturnData: true,
        },
      ],
      StartTime: new Date(alignDown(window.fromMs)),
      EndTime: new Date(Math.max(alignUp(window.toMs), alignDown(window.fromMs) + MINUTE_MS)),
      ScanBy: 'TimestampAscending',
    },
    retry,
  );
  const totals = [...points(results, 'filtered'), ...points(results, 'filteredsearch')]
    .filter((series) => series.length > 0)
    .map((series) => series.reduce((sum, p) => sum + p.value, 0));
  return totals.length === 0 ? undefined : Math.max(...totals);
}

/**
 * A mapping's own metrics over [fromMs, toMs] (the names it publishes: labs/esm-metrics.ts'
 * publishedEsmMetrics for the Kafka mapping, publishedSqsEsmMetrics for lab 3's SQS mapping), each
 * with the statistic CloudWatch shows it with, under exactly the EventSourceMappingUUID dimension.
 * A metric with no data point is left out.
 */
export async function readEsmMetrics(
  cloudwatch: CloudWatchClient,
  esmUuid: string,
  names: readonly EsmMetricName[],
  window: { fromMs: number; toMs: number },
  retry: RetryOptions = {},
): Promise<EsmMetricTotals> {
  if (names.length === 0) return {};
  const { start, end } = runWindow(window.fromMs, window.toMs);
  const dimensions = [{ Name: ESM_METRIC_DIMENSION, Value: esmUuid }];
  const queries = names.map((name, i) => metricQuery(`esm${i}`, LAMBDA_NAMESPACE, name, dimensions, esmMetricStatistic(name), PERIOD_SECONDS));
  const results = await getMetricDataAll(cloudwatch, { MetricDataQueries: queries, StartTime: start, EndTime: end, ScanBy: 'TimestampAscending' }, retry);
  const datums = names.flatMap((name, i) =>
    points(results, `esm${i}`)
      .flat()
      .map((p) => ({ name, values: [p.value] })),
  );
  return esmMetricTotals(datums);
}
