// The generated parts of each lab README: what changed in the synthesized event source
// mapping since the previous lab, the lab's capacity model and its pipeline diagram. Generated
// from the stacks and the spec, so a README can never disagree with the code; `npm run docs:labs`
// rewrites them, the diagrams (labs/<lab>/pipeline.svg) and WORKSHOP.md's diagram blocks, and a
// test fails when one is stale.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from '../modules/cdk-terrain.ts';
import { capacityModel } from './capacity-model.ts';
import { postApplySettings } from './deploy/plan.ts';
import { pipelineSvg } from './diagram.ts';
import { diagramFile, diagramImage, regenerateGuide } from './diagram-files.ts';
import { runsAsScript } from './entry-point.ts';
import { type BlockWrap, replaceBlock, withMarkers } from './generated-block.ts';
import { LABS } from './index.ts';
import type { LabSpec } from './lab-spec.ts';
import { DEFAULT_PREFIX } from './participant.ts';
import { REPO_ROOT } from './stack-contract.ts';
import { buildWorkshopApp } from './stacks.ts';

type Attributes = Record<string, unknown>;

/** The arguments a lab's mappings are synthesized with, keyed "kafka" and "sqs". */
export function synthesizedMappings(labs: readonly LabSpec[] = LABS): Map<string, Record<string, Attributes>> {
  const dir = mkdtempSync(join(tmpdir(), 'klw-readme-'));
  // The mappings' settings are the same for every participant: the default prefix keeps the
  // generated READMEs independent of the machine's WORKSHOP_PREFIX.
  const workshop = buildWorkshopApp({ labs, outdir: join(dir, 'out'), stateDir: join(dir, 'state'), region: 'us-east-1', prefix: DEFAULT_PREFIX });
  const result = new Map<string, Record<string, Attributes>>();
  for (const stack of workshop.labs) {
    const tf = JSON.parse(Testing.synth(stack)) as { resource?: Record<string, Record<string, Attributes>> };
    const mappings: Record<string, Attributes> = {};
    for (const block of Object.values(tf.resource?.aws_lambda_event_source_mapping ?? {})) {
      const kind = 'topics' in block ? 'kafka' : 'sqs';
      mappings[kind] = Object.fromEntries(Object.entries(block).filter(([key]) => !IGNORED.has(key)));
    }
    result.set(stack.lab.id, mappings);
  }
  return result;
}

/** Arguments that are references to other resources, not settings a participant tunes. */
const IGNORED = new Set(['//', 'function_name', 'event_source_arn', 'depends_on', 'provider', 'topics']);

function show(value: unknown): string {
  if (value === undefined) return '*(unset: AWS default)*';
  const text = JSON.stringify(value);
  return `\`${text.replace(/\$\{[^}]+\}/g, '…')}\``;
}

export function renderMappingDiff(lab: LabSpec, mappings: Map<string, Record<string, Attributes>>): string {
  const index = LABS.findIndex((l) => l.id === lab.id);
  const previous = index > 0 ? LABS[index - 1] : undefined;
  const now = mappings.get(lab.id)!;
  const before = previous ? mappings.get(previous.id)! : {};
  const lines: string[] = [];
  for (const kind of ['kafka', 'sqs'] as const) {
    const a = before[kind];
    const b = now[kind];
    if (!a && !b) continue;
    const title = kind === 'kafka' ? 'Kafka event source mapping' : 'SQS event source mapping';
    if (!b) {
      lines.push(`**${title}**: removed.`, '');
      continue;
    }
    const keys = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b)])].sort();
    const changed = keys.filter((key) => JSON.stringify(a?.[key]) !== JSON.stringify(b[key]));
    if (!previous) {
      lines.push(`**${title}** (\`aws_lambda_event_source_mapping\`, as synthesized):`, '', '| argument | value |', '|---|---|');
      for (const key of keys) lines.push(`| \`${key}\` | ${show(b[key])} |`);
    } else if (changed.length === 0) {
      lines.push(`**${title}**: unchanged from lab ${previous.number}.`);
    } else {
      lines.push(
        `**${title}** (\`aws_lambda_event_source_mapping\`), changed from lab ${previous.number}:`,
        '',
        `| argument | lab ${previous.number} | lab ${lab.number} |`,
        '|---|---|---|',
      );
      for (const key of changed) lines.push(`| \`${key}\` | ${a ? show(a[key]) : '*(no such mapping)*'} | ${show(b[key])} |`);
    }
    lines.push('');
  }
  const settings = postApplySettings(lab);
  if (settings) {
    lines.push(
      `After \`terraform apply\`, \`npm run deploy -- ${lab.id}\` sets ${show(settings)} on the Kafka mapping with UpdateEventSourceMapping: the pinned Terraform provider drops a 0 s window on create and has no argument for \`LoggingConfig\`.`,
      '',
    );
  }
  return lines.join('\n').trim();
}

export function renderCapacityModel(lab: LabSpec): string {
  const model = capacityModel(lab);
  const rows: Array<[string, string]> = [
    ['offered rate (base / peak)', `${model.offeredRatePerSec} / ${model.peakRatePerSec} events/s`],
    ...model.stages.flatMap(
      (stage): Array<[string, string]> => [
        [`${stage.source === 'kafka' ? 'Kafka' : 'SQS'} ESM: batching window`, `${stage.batchingWindowMs} ms`],
        [`${stage.source === 'kafka' ? 'Kafka' : 'SQS'} ESM: concurrency limit`, `${stage.concurrencyLimit} (${stage.concurrencyBound})`],
        [`${stage.source === 'kafka' ? 'Kafka' : 'SQS'} ESM: expected batch`, `${stage.expectedBatchSize} records, ${stage.batchDurationMs} ms`],
        [`${stage.source === 'kafka' ? 'Kafka' : 'SQS'} ESM: ceiling`, `${stage.maxThroughputPerSec} records/s (${stage.ceilingBound})`],
        ...(stage.eventPollerUnits
          ? [['Kafka ESM: event poller units at the peak', `${stage.eventPollerUnits.count} (${stage.eventPollerUnits.bound})`] as [string, string]]
          : []),
        ...(stage.schemaValidation ? [['Kafka ESM: schema validation', stage.schemaValidation] as [string, string]] : []),
      ],
    ),
    ['expected average batch (processor)', `${model.expectedBatchSize}`],
    ['latency floor (median, no network)', `${model.latencyFloorMs} ms`],
    ['maximum throughput', `${model.maxThroughputPerSec} events/s (bottleneck: ${model.bottleneck})`],
    ['headroom at the peak', `${model.headroom}×`],
  ];
  return ['| quantity | model |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

const BLOCKS = {
  'mapping-diff': (lab: LabSpec, mappings: Map<string, Record<string, Attributes>>) => renderMappingDiff(lab, mappings),
  'capacity-model': (lab: LabSpec) => renderCapacityModel(lab),
  'pipeline-diagram': (lab: LabSpec) => diagramImage(lab, `labs/${lab.id}/README.md`),
} as const;

export function readmePath(lab: LabSpec): string {
  return join(REPO_ROOT, 'labs', lab.id, 'README.md');
}

/**
 * A README with every generated block replaced by its current content, written by `wrap`: with
 * its markers (the README itself), or as a page shows it (the site's captioned box, Studio's
 * bare content).
 */
export function regenerate(text: string, lab: LabSpec, mappings: Map<string, Record<string, Attributes>>, wrap: BlockWrap = withMarkers): string {
  return Object.entries(BLOCKS).reduce((out, [name, render]) => replaceBlock(out, name, render(lab, mappings), wrap, readmePath(lab)), text);
}

/** Writes a repo file when its content changed, and says which it did. */
function refresh(file: string, render: (before: string | undefined) => string): void {
  const path = join(REPO_ROOT, file);
  const before = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  const after = render(before);
  if (after !== before) writeFileSync(path, after);
  console.log(`${after === before ? 'up to date' : 'updated   '}  ${file}`);
}

if (runsAsScript(import.meta.url)) {
  const mappings = synthesizedMappings();
  for (const lab of LABS) {
    refresh(`labs/${lab.id}/README.md`, (before) => regenerate(before ?? '', lab, mappings));
    refresh(diagramFile(lab), () => pipelineSvg(lab));
  }
  refresh('WORKSHOP.md', (before) => regenerateGuide(before ?? ''));
}
