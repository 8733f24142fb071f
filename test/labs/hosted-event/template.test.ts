// What the hosted event's template promises beyond what cfn-lint can see: its versions are the
// project's, the build deploys the base into the state bucket the IDE also gets, and the build's
// signal reaches the wait condition as the JSON CloudFormation reads, on success and on failure
// (run with bash against a listener on 127.0.0.1 standing in for the wait handle's URL).

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { hostedEventTemplate, PARTICIPANT_OUTPUTS } from '../../../labs/hosted-event/template.ts';
import { MIN_TERRAFORM_VERSION, REPO_ROOT, STATE_BUCKET_VARIABLE } from '../../../labs/stack-contract.ts';
import { olderThan } from '../../../labs/version.ts';

const template = hostedEventTemplate();
const props = (name: string) => template.Resources[name].Properties as Record<string, any>;
const buildspec = parse(props('BaseDeployProject').Source.BuildSpec) as { phases: { build: { commands: string[]; finally: string[] } } };

test("the Node.js it installs is the project's, and its Terraform default is one the stacks accept", () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const node = template.Parameters.NodeVersion;
  assert.is(node.Default, pkg.dependencies.node);
  assert.match(node.Default as string, new RegExp(node.AllowedPattern as string));
  const terraform = template.Parameters.TerraformVersion;
  assert.match(terraform.Default as string, new RegExp(terraform.AllowedPattern as string));
  assert.not.ok(olderThan(terraform.Default as string, MIN_TERRAFORM_VERSION), `${terraform.Default} >= ${MIN_TERRAFORM_VERSION}`);
});

test('the build deploys the base with the state bucket, and the IDE gets the same bucket', () => {
  assert.ok(buildspec.phases.build.commands.includes('npm run aws:setup && npm run deploy -- base'));
  const env = props('BaseDeployProject').Environment.EnvironmentVariables as { Name: string; Value: unknown }[];
  assert.equal(env.find((v) => v.Name === STATE_BUCKET_VARIABLE)?.Value, { Ref: 'StateBucket' });
  const userData = props('IdeInstance').UserData['Fn::Base64']['Fn::Sub'] as string;
  assert.match(userData, `export ${STATE_BUCKET_VARIABLE}=\${StateBucket}`);
  assert.equal(template.Outputs[PARTICIPANT_OUTPUTS.stateBucket].Value, { Ref: 'StateBucket' });
  for (const key of Object.values(PARTICIPANT_OUTPUTS)) assert.ok(template.Outputs[key], `${key} is an output`);
});

/** A bash script run asynchronously, so a listener in this process can answer while it waits. */
function runBash(script: string, env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

/** The build's `finally` commands run by bash, the wait handle a local listener: what CloudFormation would receive. */
async function signal(succeeding: '0' | '1'): Promise<{ method: string; body: Record<string, string> }> {
  const received: { method: string; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ method: request.method ?? '', body });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/signal`;
  const run = await runBash(buildspec.phases.build.finally.join('\n'), {
    CODEBUILD_BUILD_SUCCEEDING: succeeding,
    CODEBUILD_BUILD_ID: 'klw-base-deploy:1234',
    WAIT_HANDLE_URL: url,
  });
  server.close();
  assert.is(run.status, 0, run.stderr);
  assert.is(received.length, 1);
  return { method: received[0].method, body: JSON.parse(received[0].body) };
}

test('the build signals SUCCESS when it succeeded and FAILURE when it failed, as the JSON a wait condition reads', async () => {
  const ok = await signal('1');
  assert.is(ok.method, 'PUT');
  assert.equal(ok.body, { Status: 'SUCCESS', Reason: 'Build klw-base-deploy:1234: see its log', UniqueId: 'base', Data: 'klw-base-deploy:1234' });
  const failed = await signal('0');
  assert.is(failed.body.Status, 'FAILURE');
});

test.run();
