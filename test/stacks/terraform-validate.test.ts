// Every stack, as the real Terraform and the real hashicorp/aws provider see it: the mirrored
// provider's schema holds every argument the stacks use (or the rehearsal copy names the release
// that added it), `terraform validate` passes the rehearsal copy of every stack (the base with
// each cluster kind, every lab, lab 4 with each on-failure destination kind), and refuses what the
// copy left out, so modules/provider-values.ts's table for the mirrored provider is the
// provider's own. Skips with one line where Terraform or the mirror is missing (never in CI).
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LABS } from '../../labs/index.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { buildWorkshopApp } from '../../labs/stacks.ts';
import { type ProviderSchema, rehearsalCopy, type SchemaBlock } from '../../modules/provider-rehearsal.ts';
import { PROVIDER_VALUES } from '../../modules/provider-values.ts';
import { KAFKA_DESTINATION_LAB, OTHER_DESTINATION_LABS } from '../policy/real-stacks.ts';
import { findTerraformTools, initFromMirror, needsTerraform, type TerraformTools, terraformIn } from '../support/terraform-tools.ts';

const found = findTerraformTools();
const scratch = mkdtempSync(join(tmpdir(), 'klw-tf-validate-'));

/** Each variant of the app written to disk as `npm run synth` writes it: name -> its stacks folder. */
function synthesizeVariants(): Map<string, string> {
  const variants: [string, LabSpec[], 'serverless' | 'provisioned'][] = [
    ['all labs', [...LABS], 'serverless'],
    ['provisioned cluster', [LABS[0]], 'provisioned'],
    ['kafka:// destination', [KAFKA_DESTINATION_LAB], 'serverless'],
    ...OTHER_DESTINATION_LABS.map((lab): [string, LabSpec[], 'serverless'] => [`${lab.kafkaEsm.onFailure!.kind} destination`, [lab], 'serverless']),
  ];
  const stacks = new Map<string, string>();
  for (const [i, [variant, labs, clusterMode]] of variants.entries()) {
    const outdir = join(scratch, `out-${i}`);
    buildWorkshopApp({ labs, outdir, stateDir: join(scratch, `state-${i}`), region: 'eu-west-1', clusterMode }).app.synth();
    for (const stack of readdirSync(join(outdir, 'stacks'))) {
      // The base once per cluster kind, each lab stack once per variant it differs in.
      const registryBase = stack === 'base' && variant === 'schema registry';
      const name = registryBase
        ? 'base (schema registry)'
        : stack === 'base'
          ? `base (${clusterMode} cluster)`
          : variant === 'all labs'
            ? stack
            : `${stack} (${variant})`;
      if (!stacks.has(name) && (registryBase || !(stack === 'base' && variant !== 'all labs' && clusterMode === 'serverless')))
        stacks.set(name, join(outdir, 'stacks', stack));
    }
  }
  return stacks;
}

function validate(tools: TerraformTools, dir: string): { valid: boolean; errors: string[] } {
  const run = terraformIn(tools, dir, ['validate', '-json', '-no-color']);
  const result = JSON.parse(run.stdout) as { valid: boolean; diagnostics: { severity: string; summary: string; detail?: string }[] };
  return { valid: result.valid, errors: result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.summary}: ${d.detail ?? ''}`) };
}

/** A stack's folder copied with `tf` as its cdk.tf.json (no backend: validate holds no state), initialized from the mirror. */
function prepared(tools: TerraformTools, from: string, tf: Record<string, any>, name: string): string {
  const dir = join(scratch, 'validate', name.replace(/[^\w.-]+/g, '_'));
  mkdirSync(dir, { recursive: true });
  cpSync(from, dir, { recursive: true });
  const copy = structuredClone(tf);
  delete copy.terraform?.backend;
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(copy, null, 2));
  initFromMirror(tools, dir);
  return dir;
}

if (needsTerraform(test, found)) {
  const tools = found;
  let schema: ProviderSchema;
  let stacks: Map<string, string>;

  test.before(() => {
    const dir = join(scratch, 'schema');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: tools.providerVersion } } } }),
    );
    initFromMirror(tools, dir);
    const dump = terraformIn(tools, dir, ['providers', 'schema', '-json']);
    assert.is(dump.status, 0, dump.stderr);
    schema = (JSON.parse(dump.stdout) as { provider_schemas: Record<string, ProviderSchema> }).provider_schemas['registry.terraform.io/hashicorp/aws'];
    stacks = synthesizeVariants();
  });

  test(`modules/provider-values.ts names arguments hashicorp/aws ${tools.providerVersion} has, and has a table for it`, () => {
    const table = PROVIDER_VALUES[tools.providerVersion];
    assert.ok(table, `modules/provider-values.ts has a table for the mirrored hashicorp/aws ${tools.providerVersion}`);
    for (const [version, values] of Object.entries(PROVIDER_VALUES)) {
      for (const { argument } of Object.values(values)) {
        const [type, ...path] = argument.split('.');
        let block: SchemaBlock | undefined = schema.resource_schemas[type]?.block;
        assert.ok(block, `${version}: ${type} is a resource of the provider`);
        for (const key of path.slice(0, -1)) block = block?.block_types?.[key]?.block;
        assert.ok(block?.attributes && path.at(-1)! in block.attributes, `${version}: ${argument} is an argument of the provider's schema`);
      }
    }
  });

  test(`terraform validate passes the rehearsal copy of every stack on hashicorp/aws ${tools.providerVersion}`, () => {
    const started = performance.now();
    const left = new Map<string, { stacks: string[]; why: string }>();
    for (const [name, dir] of stacks) {
      const { tf, changes } = rehearsalCopy(JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')), tools.providerVersion, schema);
      const result = validate(tools, prepared(tools, dir, tf, name));
      assert.ok(result.valid, `${name}: ${result.errors.join('\n')}`);
      for (const c of changes) {
        const what = `${c.address.split('.')[0]}.${c.argument} ${c.change}`;
        left.set(what, { stacks: [...(left.get(what)?.stacks ?? []), name], why: c.why });
      }
    }
    assert.ok(stacks.size >= 8, `${stacks.size} stacks validated`);
    console.log(
      `        [measured] terraform validate of ${stacks.size} stacks on hashicorp/aws ${tools.providerVersion}: ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    console.log('        the rehearsal copies leave out, per field (everything else is what users deploy):');
    for (const [what, { stacks: where, why }] of left) console.log(`        - ${what}, in ${where.length} stack${where.length === 1 ? '' : 's'}: ${why}`);
  });

  test('what the copies leave out, the mirrored provider refuses: the newer metrics, a kafka:// destination, poller_group_name', () => {
    const lab1 = JSON.parse(readFileSync(join(stacks.get('lab-01-baseline')!, 'cdk.tf.json'), 'utf8'));
    const withMetrics = rehearsalCopy(lab1, tools.providerVersion, schema).tf;
    const [mapping] = Object.values(withMetrics.resource.aws_lambda_event_source_mapping) as Record<string, any>[];
    mapping.metrics_config = { metrics: ['EventCount', 'ErrorCount'] };
    const metrics = validate(tools, prepared(tools, stacks.get('lab-01-baseline')!, withMetrics, 'refused metrics'));
    assert.not.ok(metrics.valid);
    assert.match(metrics.errors.join('\n'), /ErrorCount/);

    const kafka = JSON.parse(readFileSync(join(stacks.get('lab-04-best-practices (kafka:// destination)')!, 'cdk.tf.json'), 'utf8'));
    const keptDestination = rehearsalCopy(kafka, tools.providerVersion, schema).tf;
    const [kafkaMapping] = Object.values(keptDestination.resource.aws_lambda_event_source_mapping) as Record<string, any>[];
    kafkaMapping.destination_config = { on_failure: { destination_arn: 'kafka://bookings-failed' } };
    const destination = validate(
      tools,
      prepared(tools, stacks.get('lab-04-best-practices (kafka:// destination)')!, keptDestination, 'refused kafka destination'),
    );
    assert.not.ok(destination.valid);
    assert.match(destination.errors.join('\n'), /destination_arn|ARN/i);

    const withGroup = structuredClone(withMetrics);
    const [groupMapping] = Object.values(withGroup.resource.aws_lambda_event_source_mapping) as Record<string, any>[];
    delete groupMapping.metrics_config;
    groupMapping.provisioned_poller_config = { minimum_pollers: 1, maximum_pollers: 2, poller_group_name: 'bookings' };
    const group = validate(tools, prepared(tools, stacks.get('lab-01-baseline')!, withGroup, 'refused poller group'));
    assert.not.ok(group.valid);
    assert.match(group.errors.join('\n'), /poller_group_name/);
  });

  test("what the copy leaves out of the schema registry lab, the mirrored provider refuses: the mapping's schema_registry_config (the registry and schema it keeps)", () => {
    const [name, dir] = [...stacks].find(([, d]) => readFileSync(join(d, 'cdk.tf.json'), 'utf8').includes('schema_registry_config'))!;
    const original = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'));
    const { tf, changes } = rehearsalCopy(original, tools.providerVersion, schema);
    assert.ok(
      changes.some((c) => c.argument === 'amazon_managed_kafka_event_source_config.schema_registry_config' && c.change === 'left out'),
      changes.map((c) => c.argument).join(', '),
    );
    assert.ok(tf.resource.aws_glue_registry && tf.resource.aws_glue_schema, `${name}: the registry and the schema are rehearsed`);
    const kept = structuredClone(tf);
    const [mapping] = Object.values(kept.resource.aws_lambda_event_source_mapping) as Record<string, any>[];
    const [originalMapping] = Object.values(original.resource.aws_lambda_event_source_mapping) as Record<string, any>[];
    mapping.amazon_managed_kafka_event_source_config = originalMapping.amazon_managed_kafka_event_source_config;
    const refused = validate(tools, prepared(tools, dir, kept, 'refused schema registry config'));
    assert.not.ok(refused.valid);
    assert.match(refused.errors.join('\n'), /schema_registry_config/);
  });
}

test.after(() => rmSync(scratch, { recursive: true, force: true }));
test.run();
