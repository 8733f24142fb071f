// The stacks as an older Terraform AWS provider can take them, for a rehearsal on a machine that
// has only that provider (a CI mirror holds hashicorp/aws 5.100.0; the stacks pin 6.66.0). Every
// argument the older provider's schema lacks, and every value its table refuses, is taken out of
// the copy, and each removal is listed with the provider release that added it, so a rehearsal
// says exactly what it did not try. Everything else is what users deploy, byte for byte.
import { destinationKind, PINNED_AWS_PROVIDER, PROVIDER_VALUES, type ProviderValues } from './provider-values.ts';

/** `terraform providers schema -json`, the parts read here. */
export interface ProviderSchema {
  resource_schemas: Record<string, { block: SchemaBlock }>;
  data_source_schemas: Record<string, { block: SchemaBlock }>;
}

export interface SchemaBlock {
  attributes?: Record<string, unknown>;
  block_types?: Record<string, { block: SchemaBlock }>;
}

/** Arguments the stacks use that a provider older than the pin may lack, and the release that added each. */
export const ADDED_IN: Record<string, { release: string; source: string }> = {
  'aws_lambda_event_source_mapping.provisioned_poller_config.poller_group_name': {
    release: '6.28.0',
    source: 'hashicorp/terraform-provider-aws CHANGELOG 6.28.0: resource/aws_lambda_event_source_mapping: Add provisioned_poller_config.poller_group_name',
  },
  // The schema registry lab's SchemaRegistryConfig: a rehearsal on an older provider creates the
  // registry and the schema, and a mapping that does not validate.
  'aws_lambda_event_source_mapping.amazon_managed_kafka_event_source_config.schema_registry_config': {
    release: '6.x (after 5.100.0, by 6.24.0)',
    source:
      'hashicorp/terraform-provider-aws#44540 (.changelog/44540.txt: resource/aws_lambda_event_source_mapping: Add schema_registry_config configuration blocks to amazon_managed_kafka_event_source_config and self_managed_kafka_event_source_config); absent from 5.100.0 (`terraform providers schema -json`), present in the 6.24.0 bindings (cdktf/cdktf-provider-aws-go) and 6.66.0 (@cdktn/provider-aws 25.7.0)',
  },
  // Without it the provider waits its own default, shorter than the deploy's wait (modules/esm-settle.ts).
  'aws_lambda_event_source_mapping.timeouts': {
    release: '6.x (after 5.100.0, by 6.66.0)',
    source:
      'absent from hashicorp/aws 5.100.0 (`terraform providers schema -json`: no timeouts block on the resource); present in 6.66.0 (@cdktn/provider-aws 25.7.0 LambdaEventSourceMappingTimeouts: create, update, delete). The CHANGELOG line naming the release was not found',
  },
};

/** What an argument's values need, by the table of modules/provider-values.ts they are checked against. */
const VALUE_CHECKS: { argument: string; table: keyof ProviderValues; kind?: (value: string) => string | undefined }[] = [
  { argument: 'aws_lambda_event_source_mapping.metrics_config.metrics', table: 'esmMetrics' },
  { argument: 'aws_lambda_event_source_mapping.destination_config.on_failure.destination_arn', table: 'onFailureDestinationKinds', kind: destinationKind },
  { argument: 'aws_lambda_event_source_mapping.function_response_types', table: 'functionResponseTypes' },
  { argument: 'aws_lambda_event_source_mapping.starting_position', table: 'startingPositions' },
  { argument: 'aws_lambda_function.runtime', table: 'runtimes' },
  { argument: 'aws_lambda_function.architectures', table: 'architectures' },
];

export interface RehearsalChange {
  /** resource type.name, as Terraform addresses it. */
  address: string;
  /** The argument, below the resource: "provisioned_poller_config.poller_group_name". */
  argument: string;
  /** What the copy does instead. */
  change: string;
  /** Why: the release or SDK that added it, with its source. */
  why: string;
}

type Json = Record<string, any>;

/**
 * Terraform's meta-arguments and the CDK's bookkeeping, which no provider schema lists. Not
 * `timeouts`: a resource that takes one lists it as a block in its schema, and an older provider
 * may lack it (aws_lambda_event_source_mapping in 5.100.0).
 */
const META = new Set(['//', 'depends_on', 'count', 'for_each', 'provider', 'lifecycle', 'provisioner', 'connection']);

function stripUnknown(value: Json, block: SchemaBlock, path: string[], out: { argument: string; at: string[] }[]): void {
  for (const key of Object.keys(value)) {
    if (META.has(key)) continue;
    if (block.attributes && key in block.attributes) continue;
    const nested = block.block_types?.[key];
    if (nested) {
      const items = Array.isArray(value[key]) ? value[key] : [value[key]];
      for (const item of items) if (item && typeof item === 'object') stripUnknown(item, nested.block, [...path, key], out);
      continue;
    }
    out.push({ argument: [...path, key].join('.'), at: [...path, key] });
    delete value[key];
  }
}

function at(value: Json, path: string[]): { parent: Json; key: string } | undefined {
  let node: any = value;
  for (const key of path.slice(0, -1)) {
    node = Array.isArray(node?.[key]) ? node[key][0] : node?.[key];
    if (node === undefined || node === null) return undefined;
  }
  const key = path.at(-1)!;
  return node && key in node ? { parent: node, key } : undefined;
}

/**
 * A copy of one synthesized stack (cdk.tf.json) that `version` of the provider accepts, and what
 * was changed. Throws when the stack needs something the older provider lacks and ADDED_IN does
 * not name the release that added it: a rehearsal must never drop a field silently.
 */
export function rehearsalCopy(tf: Json, version: string, schema: ProviderSchema): { tf: Json; changes: RehearsalChange[] } {
  const values = PROVIDER_VALUES[version];
  if (!values)
    throw new Error(`modules/provider-values.ts has no table for hashicorp/aws ${version}: add one (its values and their sources) to rehearse on it.`);
  const copy = structuredClone(tf) as Json;
  const changes: RehearsalChange[] = [];
  const unnamed: string[] = [];
  if (copy.terraform?.required_providers?.aws) copy.terraform.required_providers.aws.version = version;
  for (const [kind, schemas] of [
    ['resource', schema.resource_schemas],
    ['data', schema.data_source_schemas],
  ] as const) {
    for (const [type, byName] of Object.entries((copy[kind] ?? {}) as Record<string, Record<string, Json>>)) {
      // Terraform's own (terraform_remote_state, terraform_data) and other providers' are not this provider's to judge.
      if (!type.startsWith('aws_')) continue;
      const block = schemas[type]?.block;
      for (const [name, body] of Object.entries(byName)) {
        const address = `${kind === 'data' ? 'data.' : ''}${type}.${name}`;
        if (!block) {
          unnamed.push(`${address}: the provider has no ${kind === 'data' ? 'data source' : 'resource'} ${type}`);
          continue;
        }
        const removed: { argument: string; at: string[] }[] = [];
        stripUnknown(body, block, [], removed);
        for (const r of removed) {
          const added = ADDED_IN[`${type}.${r.argument}`];
          if (!added) unnamed.push(`${address}.${r.argument}`);
          else changes.push({ address, argument: r.argument, change: 'left out', why: `added in hashicorp/aws ${added.release} (${added.source})` });
        }
        for (const check of VALUE_CHECKS) {
          const [checkType, ...path] = check.argument.split('.');
          if (checkType !== type) continue;
          const found = at(body, path);
          if (!found) continue;
          const accepted = values[check.table].values;
          // An interpolation (`${aws_sqs_queue.dlq.arn}`) is an ARN the provider resolves itself.
          const refused = (v: unknown) => typeof v === 'string' && !v.includes('${') && !accepted.includes(check.kind ? (check.kind(v) ?? v) : v);
          const current = found.parent[found.key];
          const dropped = (Array.isArray(current) ? current : [current]).filter(refused);
          if (dropped.length === 0) continue;
          const why = `hashicorp/aws ${version} refuses it; ${PROVIDER_VALUES[PINNED_AWS_PROVIDER][check.table].source}`;
          if (path.length === 1) {
            unnamed.push(`${address}.${path[0]} = ${dropped.join(', ')} (a value the copy cannot leave out)`);
          } else if (Array.isArray(current) && dropped.length < current.length) {
            found.parent[found.key] = current.filter((v) => !refused(v));
            changes.push({ address, argument: path.join('.'), change: `without ${dropped.join(', ')}`, why });
          } else {
            // Nothing left that this provider takes: the block that holds it goes.
            delete body[path[0]];
            changes.push({ address, argument: path[0], change: `left out (${path.join('.')} = ${dropped.join(', ')})`, why });
          }
        }
      }
    }
  }
  if (unnamed.length > 0) {
    throw new Error(
      `hashicorp/aws ${version} lacks what the stack uses, and modules/provider-rehearsal.ts's ADDED_IN names no release for it: ${unnamed.join('; ')}. Add each with the release that added it.`,
    );
  }
  return { tf: copy, changes };
}
