// The pipeline diagram (labs/diagram.ts) drawn from a LabSpec: labels in the spec's own values,
// one drawing per spec, every optional part of a spec drawn, a layout where nothing overlaps,
// and text that stays text. Parsing it as XML and measuring its text with real fonts is
// test/browser/pipeline-diagram.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { escapeXml, pipelineAlt, pipelineSvg } from '../../labs/diagram.ts';
import { diagramImage } from '../../labs/diagram-files.ts';
import { LABS } from '../../labs/index.ts';
import type { LabSpec, OnFailureDestination } from '../../labs/lab-spec.ts';
import { describeFilter, pipelineParts } from '../../labs/pipeline-parts.ts';
import { everyPart } from './every-part-spec.ts';

const [baseline, lowLatency, sqsBuffer, bestPractices] = LABS;

/** The text of every <text> element, unescaped. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&'),
  );
}

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The boxes: every rect but the background. */
function boxes(svg: string): Rect[] {
  return [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    width: Number(m[3]),
    height: Number(m[4]),
  }));
}

/** The straight segments of every arrow (paths made of M, H and V only). */
function segments(svg: string): Array<[number, number, number, number]> {
  const found: Array<[number, number, number, number]> = [];
  for (const [, d] of svg.matchAll(/<path d="(M[^"]*)" fill="none"/g)) {
    let x = 0;
    let y = 0;
    for (const [, command, a, b] of d.matchAll(/([MHV])(-?[\d.]+)(?: (-?[\d.]+))?/g)) {
      const from: [number, number] = [x, y];
      if (command === 'M') [x, y] = [Number(a), Number(b)];
      else if (command === 'H') x = Number(a);
      else y = Number(a);
      if (command !== 'M') found.push([...from, x, y]);
    }
  }
  return found;
}

const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test('each lab is one SVG, the same bytes every time, titled and described by its alt text', () => {
  for (const lab of LABS) {
    const svg = pipelineSvg(lab);
    assert.is(pipelineSvg(structuredClone(lab)), svg, `${lab.id}: deterministic`);
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" '), lab.id);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    const labelled = /role="img" aria-labelledby="([^ "]+) ([^"]+)"/.exec(svg);
    assert.ok(labelled, `${lab.id}: an image labelled by its title and description`);
    assert.match(svg, `<title id="${labelled![1]}">`);
    assert.match(svg, `<desc id="${labelled![2]}">${escapeXml(pipelineAlt(lab))}</desc>`);
    assert.match(pipelineAlt(lab), `Lab ${lab.number} pipeline`);
    assert.not.match(svg, /<script|<image|href="http|@import|<foreignObject/, `${lab.id}: nothing to run or fetch`);
    assert.match(svg, /<rect width="\d+" height="\d+" rx="8" fill="#ffffff"/, `${lab.id}: its own white background, for dark pages`);
  }
});

test("the labels are the spec's own values", () => {
  const labels = (lab: LabSpec) => texts(pipelineSvg(lab));
  const one = labels(baseline);
  assert.ok(one.includes(`batch ${baseline.kafkaEsm.batchSize} · window 0.5 s (default)`), one.join('\n'));
  assert.ok(one.includes('pollers: on-demand'));
  assert.ok(one.includes(`${baseline.topic.partitions} partitions`));
  assert.ok(one.includes(`${baseline.processor.memoryMb} MB · timeout ${baseline.processor.timeoutSeconds} s`));

  const pollers = lowLatency.kafkaEsm.provisionedPollers!;
  assert.ok(labels(lowLatency).includes(`pollers: provisioned ${pollers.minimum} (min = max)`));
  assert.ok(labels(lowLatency).includes(`batch ${lowLatency.kafkaEsm.batchSize} · window ${lowLatency.kafkaEsm.batchingWindowSeconds} s`));

  const buffer = sqsBuffer.sqsBuffer!;
  const three = labels(sqsBuffer);
  for (const label of [
    'SQS forwarder',
    'SQS queue',
    `visibility timeout ${buffer.visibilityTimeoutSeconds} s`,
    'SQS event source mapping',
    `batch ${buffer.batchSize} · window ${buffer.batchingWindowSeconds} s`,
    `max concurrency ${buffer.maximumConcurrency}`,
    'Dead-letter queue',
    `after ${buffer.maxReceiveCount} receives`,
  ])
    assert.ok(three.includes(label), `lab 3 shows "${label}":\n${three.join('\n')}`);

  const esm = bestPractices.kafkaEsm;
  const four = labels(bestPractices);
  assert.ok(four.includes(`pollers: provisioned ${esm.provisionedPollers!.minimum} to ${esm.provisionedPollers!.maximum}`));
  assert.ok(four.includes('filter: status is CONFIRMED'));
  assert.ok(four.includes(`retries ${esm.maximumRetryAttempts} · max age ${esm.maximumRecordAgeSeconds} s`));
  assert.ok(four.includes('bisect on error') && four.includes('partial batch failures'));
  assert.ok(four.includes('On-failure destination') && four.includes(`SQS queue ${esm.onFailure?.kind === 'sqs' && esm.onFailure.queueName}`));
  assert.ok(four.includes(bestPractices.processor.mode) && four.includes(`${bestPractices.processor.processingMsPerRecord} ms io work per booking`));
  assert.ok(four.includes('on failure'));
});

test('changing a spec value changes the drawing and its description', () => {
  const before = pipelineSvg(baseline);
  const changed = { ...baseline, kafkaEsm: { ...baseline.kafkaEsm, batchSize: 250 } };
  const after = pipelineSvg(changed);
  assert.is.not(after, before);
  assert.ok(texts(after).includes('batch 250 · window 0.5 s (default)'));
  assert.not.ok(texts(after).includes(`batch ${baseline.kafkaEsm.batchSize} · window 0.5 s (default)`));
  assert.match(pipelineAlt(changed), 'batch 250, window 0.5 s (default)');
  const windowSet = pipelineSvg({ ...baseline, kafkaEsm: { ...baseline.kafkaEsm, batchingWindowSeconds: 2 } });
  assert.ok(texts(windowSet).includes(`batch ${baseline.kafkaEsm.batchSize} · window 2 s`), 'a window set is no default');
});

test('every optional part of a spec is drawn: poller group, filters, retries, each destination kind, SQS pollers, reserved concurrency', () => {
  const destinations: Array<[OnFailureDestination, string]> = [
    [{ kind: 'sqs', queueName: 'failed-q' }, 'SQS queue failed-q'],
    [{ kind: 'sns', topicName: 'failed-t' }, 'SNS topic failed-t'],
    [{ kind: 's3', bucketName: 'klw-failed-bucket' }, 'S3 bucket klw-failed-bucket'],
    [{ kind: 'kafka', topic: 'bookings-dlq' }, 'Kafka topic bookings-dlq'],
  ];
  for (const [destination, label] of destinations) {
    const lab = everyPart(destination);
    const shown = texts(pipelineSvg(lab));
    for (const expected of [
      label,
      'pollers: provisioned 1 to 3',
      'poller group bookings-group',
      'filter: status is CONFIRMED or PENDING',
      'or: amount is numeric > 100',
      'retries unlimited · max age 600 s',
      'bisect on error',
      'pollers: provisioned 2 to 10',
      'batch 10 · window 0 s (default)',
      'reserved concurrency 50',
    ])
      assert.ok(shown.includes(expected), `${destination.kind}: "${expected}" in\n${shown.join('\n')}`);
    assert.match(pipelineAlt(lab), `the Kafka event source mapping sends to the on-failure destination (${label})`);
    const { chain, branches } = pipelineParts(lab);
    assert.is(chain.length, 7, 'producer, topic, Kafka mapping, forwarder, queue, SQS mapping, processor');
    assert.equal(
      branches.map((b) => chain[b.from].title),
      ['Kafka event source mapping', 'SQS queue'],
    );
  }
  const standard = { ...sqsBuffer, sqsBuffer: { ...sqsBuffer.sqsBuffer!, maximumConcurrency: undefined } };
  assert.ok(texts(pipelineSvg(standard)).includes('standard scaling'));
});

test('no box overlaps another or leaves the picture, and no arrow crosses a box', () => {
  for (const lab of [...LABS, everyPart(), everyPart({ kind: 'kafka', topic: 'a-rather-long-dead-letter-topic-name-for-bookings' })]) {
    const svg = pipelineSvg(lab);
    const [, width, height] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
    const drawn = boxes(svg);
    const { chain, branches } = pipelineParts(lab);
    assert.is(drawn.length, chain.length + branches.length, `${lab.id}: a box per part`);
    drawn.forEach((a, i) => {
      assert.ok(a.x >= 0 && a.y >= 0 && a.x + a.width <= width && a.y + a.height <= height, `${lab.id}: box ${i} inside ${width}×${height}`);
      drawn.slice(i + 1).forEach((b, j) => assert.not.ok(overlaps(a, b), `${lab.id}: boxes ${i} and ${i + 1 + j} overlap`));
    });
    for (const [x1, y1, x2, y2] of segments(svg)) {
      // A segment may end on a box's edge; it must not run through one.
      const line = {
        x: Math.min(x1, x2) + 0.5,
        y: Math.min(y1, y2) + 0.5,
        width: Math.max(Math.abs(x2 - x1) - 1, 0.01),
        height: Math.max(Math.abs(y2 - y1) - 1, 0.01),
      };
      const shrunk = drawn.map((b) => ({ x: b.x + 1, y: b.y + 1, width: b.width - 2, height: b.height - 2 }));
      assert.not.ok(
        shrunk.some((b) => overlaps(line, b)),
        `${lab.id}: the arrow segment ${x1},${y1} → ${x2},${y2} crosses a box`,
      );
    }
    assert.ok(segments(svg).length >= chain.length - 1 + branches.length, `${lab.id}: an arrow into every part but the first`);
  }
  // Lab 3's seven parts wrap: two rows.
  assert.is(new Set(boxes(pipelineSvg(sqsBuffer)).map((b) => b.y)).size, 3, 'two rows of the main path and the dead-letter queue below');
});

test('names from a spec stay text: markup in them is escaped', () => {
  const lab = {
    ...bestPractices,
    topic: { ...bestPractices.topic, name: 'a<b>&"c"' },
    kafkaEsm: { ...bestPractices.kafkaEsm, onFailure: { kind: 'sqs' as const, queueName: "</text><script>x</script>'" } },
  };
  const svg = pipelineSvg(lab);
  assert.not.match(svg, '<script');
  assert.not.match(svg, 'a<b>');
  assert.match(svg, 'a&lt;b&gt;&amp;&quot;c&quot;');
  assert.ok(texts(svg).includes('a<b>&"c"'));
  assert.ok(texts(svg).includes(`SQS queue </text><script>x</script>'`));
});

test('a filter pattern in words', () => {
  assert.is(describeFilter({ value: { status: ['CONFIRMED'] } }), 'status is CONFIRMED');
  assert.is(
    describeFilter({ value: { status: ['CONFIRMED', 'PENDING'], seats: [{ numeric: ['>=', 2, '<', 9] }] } }),
    'status is CONFIRMED or PENDING and seats is numeric >= 2 < 9',
  );
  assert.is(describeFilter({ value: { customer: { tier: [{ prefix: 'gold' }] } } }), 'customer.tier is prefix gold');
  assert.is(
    describeFilter({ value: { status: [{ 'anything-but': ['CANCELLED'] }], id: [{ exists: true }] } }),
    'status is anything-but CANCELLED and id is exists true',
  );
  assert.is(describeFilter({ value: [{ prefix: '{' }] }), 'value is prefix {');
});

test('the markdown image: its alt text has no bracket to end it early, its path is relative to the document', () => {
  const lab = { ...bestPractices, kafkaEsm: { ...bestPractices.kafkaEsm, filters: [{ value: { status: ['[x]'] } }] } };
  const image = diagramImage(lab, `labs/${lab.id}/README.md`);
  assert.match(image, /^!\[[^[\]\n]+\]\(pipeline\.svg\)$/);
  assert.match(diagramImage(baseline, 'WORKSHOP.md'), /\]\(labs\/01-baseline\/pipeline\.svg\)$/);
});

test.run();
