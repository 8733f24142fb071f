// Each dashboard widget searches CloudWatch for a metric under the dimensions its emitter really
// writes. A SEARCH schema `{namespace,dim1,dim2}` matches only metrics with exactly those
// dimensions, so a schema that names one too many is an empty widget on AWS. The emitters'
// dimensions come from their synthesized environment (metricDimensionNames), the emitters from
// METRICS_BY_SERVICE.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { METRICS_BY_SERVICE, DEFAULT_METRICS_NAMESPACE as METRICS_NAMESPACE, metricDimensionNames } from '../../handlers/shared/telemetry.ts';
import { realStacks } from '../policy/real-stacks.ts';
import { resources, type TfJson } from './synth-once.ts';

const REAL = realStacks();

interface Search {
  widget: string;
  metric: string;
  dimensions: string[];
}

/** The workshop-namespace SEARCH expressions of a dashboard body. */
function searches(body: { widgets: { properties: { title?: string; metrics?: { expression?: string }[][] } }[] }): Search[] {
  return body.widgets.flatMap((w) =>
    (w.properties.metrics ?? []).flatMap(([m]) => {
      const found = /^SEARCH\('\{([^}]*)\} MetricName="([^"]+)"/.exec(m.expression ?? '');
      if (!found) return [];
      const [namespace, ...dimensions] = found[1].split(',');
      return namespace === METRICS_NAMESPACE ? [{ widget: w.properties.title ?? '', metric: found[2], dimensions: dimensions.sort() }] : [];
    }),
  );
}

/** Every function of every stack: its service and the dimensions its metrics carry. */
function emitters(stacks: { name: string; tf: TfJson }[]) {
  return stacks.flatMap((s) =>
    resources(s.tf, 'aws_lambda_function').map((fn) => {
      const env = fn.environment?.variables ?? {};
      return { where: `${s.name} ${fn.function_name}`, service: env.POWERTOOLS_SERVICE_NAME as string, dimensions: metricDimensionNames(env) };
    }),
  );
}

function mismatches(body: any, stacks: { name: string; tf: TfJson }[]): string[] {
  const out: string[] = [];
  const all = emitters(stacks);
  for (const search of searches(body)) {
    const writers = all.filter((e) => METRICS_BY_SERVICE[e.service]?.includes(search.metric));
    if (writers.length === 0) out.push(`${search.widget}: no function writes ${search.metric}`);
    for (const w of writers) {
      if (w.dimensions.join(',') !== search.dimensions.join(',')) {
        out.push(`${search.widget}: ${search.metric} is searched under {${search.dimensions}} but ${w.where} writes it with {${w.dimensions}}`);
      }
    }
  }
  return out;
}

const dashboardOf = (tf: TfJson) => JSON.parse(resources(tf, 'aws_cloudwatch_dashboard')[0].dashboard_body);

test("every workshop metric on the dashboard is searched under its emitters' dimensions", () => {
  const body = dashboardOf(REAL.find((s) => s.name === 'base')!.tf);
  const found = searches(body);
  assert.equal([...new Set(found.map((s) => s.metric))].sort(), [
    'BatchSize',
    'EndToEndDuration',
    'EventsFailed',
    'EventsProcessed',
    'EventsPublished',
    'SendDelay',
  ]);
  assert.equal(mismatches(body, REAL), []);
});

test('broken: EventsPublished searched under {Lab, service} (what the dashboard had) is caught', () => {
  const body = dashboardOf(REAL.find((s) => s.name === 'base')!.tf);
  const text = JSON.stringify(body).replace(
    `{${METRICS_NAMESPACE},service} MetricName=\\"EventsPublished\\"`,
    `{${METRICS_NAMESPACE},Lab,service} MetricName=\\"EventsPublished\\"`,
  );
  assert.equal(mismatches(JSON.parse(text), REAL), [
    'EventsPublished (per period): EventsPublished is searched under {Lab,service} but base klw-producer writes it with {service}',
    'EventsPublished (per period): EventsPublished is searched under {Lab,service} but base (provisioned cluster) klw-producer writes it with {service}',
  ]);
});

test.run();
