// The base stack's subnets, brokers and topic replication in a region with two eligible
// Availability Zones as in one with three or more: one subnet per zone, at most three, never two
// in one zone; a provisioned cluster has one broker per subnet; topic-admin is told the factor
// explicitly (kafkajs cannot ask for the broker's default). The counts are Terraform expressions
// over the zone list, resolved at plan time, so the synthesized expressions are what is checked
// here, and then evaluated by the real Terraform for zone lists of 2 and 4 (skipped, one line,
// without Terraform).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LABS } from '../../labs/index.ts';
import { buildWorkshopApp } from '../../labs/stacks.ts';
import { Testing } from '../../modules/cdk-terrain.ts';
import { MSK_SERVERLESS_REPLICATION_FACTOR } from '../../modules/kafka-cluster.ts';
import { MSK_AZS } from '../../modules/network.ts';
import { findTerraformTools, needsTerraform, terraformIn } from '../support/terraform-tools.ts';
import { type Block, dataSources, resources, type TfJson } from './synth-once.ts';

function base(clusterMode: 'serverless' | 'provisioned'): TfJson {
  const dir = mkdtempSync(join(tmpdir(), 'klw-azs-'));
  const workshop = buildWorkshopApp({ labs: [LABS[0]], outdir: join(dir, 'out'), stateDir: join(dir, 'state'), region: 'eu-west-1', clusterMode });
  return JSON.parse(Testing.synth(workshop.base)) as TfJson;
}

const serverless = base('serverless');
const provisioned = base('provisioned');
const zonesData = Object.keys(serverless.data?.aws_availability_zones ?? {})[0];
const ZONES = `data.aws_availability_zones.${zonesData}.names`;
const subnetName = Object.keys(serverless.resource?.aws_subnet ?? {})[0];
const SUBNET_IDS = `aws_subnet.${subnetName}[*].id`;
const [subnet] = resources(serverless, 'aws_subnet');

test('one subnet resource, counted: one per eligible Availability Zone, at most 3', () => {
  assert.is(resources(serverless, 'aws_subnet').length, 1);
  assert.is(subnet.count, `\${min(${MSK_AZS.max}, length(${ZONES}))}`);
  assert.is(MSK_AZS.max, 3);
  // The zone list is Availability Zones only (no Local or Wavelength Zones) and never use1-az3.
  assert.equal(dataSources(serverless, 'aws_availability_zones')[0].exclude_zone_ids, ['use1-az3']);
});

test('subnet i is in zone i of the list, with i below the list length, so no two share a zone', () => {
  // element() wraps around past the end of the list; the count keeps count.index below its length.
  assert.is(subnet.availability_zone, `\${element(${ZONES}, count.index)}`);
  assert.is(subnet.cidr_block, '${cidrsubnet("10.40.0.0/16", 4, count.index)}');
  assert.is(subnet.map_public_ip_on_launch, false);
});

test('fewer than 2 eligible zones stops the plan with a message saying what to do', () => {
  const [pre] = subnet.lifecycle.precondition as Block[];
  assert.is(pre.condition, `\${(length(${ZONES}) >= ${MSK_AZS.min})}`);
  assert.match(pre.error_message, /at least 2 Availability Zones.*deploy to a region with 2 or more/);
});

test('every subnet is routed, and the outputs and endpoints take the whole list', () => {
  const [association] = resources(serverless, 'aws_route_table_association');
  assert.is(association.count, subnet.count);
  assert.is(association.subnet_id, `\${element(${SUBNET_IDS}, count.index)}`);
  assert.is(serverless.output?.private_subnet_ids?.value, `\${${SUBNET_IDS}}`);
  for (const endpoint of resources(serverless, 'aws_vpc_endpoint')) assert.is(endpoint.subnet_ids, `\${${SUBNET_IDS}}`);
  const [cluster] = resources(serverless, 'aws_msk_serverless_cluster');
  assert.is(cluster.vpc_config[0].subnet_ids, `\${${SUBNET_IDS}}`);
});

test('provisioned: one broker per subnet, and topics are created with one replica per broker', () => {
  const [cluster] = resources(provisioned, 'aws_msk_cluster');
  const brokers = `length(${SUBNET_IDS})`;
  assert.is(cluster.number_of_broker_nodes, `\${${brokers}}`);
  assert.is(cluster.broker_node_group_info.client_subnets, `\${${SUBNET_IDS}}`);
  const [invocation] = resources(provisioned, 'aws_lambda_invocation');
  assert.is(invocation.input, `\${jsonencode({"topic" = "bookings", "partitions" = 12, "replicationFactor" = ${brokers}})}`);
});

test('serverless: topics are created with replication factor 3, never the broker default (-1)', () => {
  const [invocation] = resources(serverless, 'aws_lambda_invocation');
  assert.is(MSK_SERVERLESS_REPLICATION_FACTOR, 3);
  assert.is(invocation.input, '${jsonencode({"topic" = "bookings", "partitions" = 12, "replicationFactor" = 3})}');
});

test('a base deployed before the count keeps its subnets: moved blocks make them instances 0-2', () => {
  // The addresses the uncounted subnets and their route table associations had (synthesized at 2585c80).
  const earlier = [
    ['network_private-0_A0649C48', 'network_private-0-routes_C03CB896'],
    ['network_private-1_4188AF2B', 'network_private-1-routes_4F11009D'],
    ['network_private-2_96169D1F', 'network_private-2-routes_949E5A88'],
  ];
  const association = Object.keys(serverless.resource?.aws_route_table_association ?? {})[0];
  assert.equal(
    (serverless as TfJson & { moved?: unknown }).moved,
    earlier.flatMap(([subnetId, associationId], i) => [
      { from: `aws_subnet.${subnetId}`, to: `aws_subnet.${subnetName}[${i}]` },
      { from: `aws_route_table_association.${associationId}`, to: `aws_route_table_association.${association}[${i}]` },
    ]),
  );
});

const found = findTerraformTools();
if (needsTerraform(test, found)) {
  test('Terraform evaluates the subnet zones: 2 zones give 2 subnets, 4 give 3, all distinct', () => {
    const dir = mkdtempSync(join(tmpdir(), 'klw-azs-console-'));
    writeFileSync(join(dir, 'main.tf'), '');
    // The synthesized expressions, with the data source's list replaced by a given one.
    const count = String(subnet.count).slice(2, -1).replace(ZONES, 'zones');
    const zone = String(subnet.availability_zone).slice(2, -1).replace(ZONES, 'zones').replace('count.index', 'i');
    for (const [zones, expected] of [
      [
        ['eu-west-3a', 'eu-west-3b'],
        ['eu-west-3a', 'eu-west-3b'],
      ],
      [
        ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d'],
        ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      ],
    ]) {
      const expression = `jsonencode([for i in range(${count.replaceAll('zones', JSON.stringify(zones))}) : ${zone.replaceAll('zones', JSON.stringify(zones))}])`;
      const run = terraformIn(found, dir, ['console'], expression);
      assert.is(run.status, 0, run.stderr);
      assert.equal(JSON.parse(JSON.parse(run.stdout.trim())), expected);
    }
  });
}

test.run();
