// The pieces of the deploy rehearsal: moto with the workshop's gaps filled
// (test/support/moto-rehearsal.py), a copy of the project where the deploy writes its state, the
// mirrored provider's schema for the synth's rehearsal hook, the project's own npm scripts run
// against moto, and a list of the project's resources read back through the AWS APIs (the AWS
// CLI, a client nobody here wrote). Nothing here ever names an AWS endpoint: every call goes to
// 127.0.0.1.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'uvu';
import { commandOutput } from '../../labs/command-output.ts';
import { PREFIX_VARIABLE } from '../../labs/participant.ts';
import { REHEARSAL_PROVIDER_VARIABLE } from '../../labs/rehearsal-provider.ts';
import { REPO_ROOT } from '../../labs/stack-contract.ts';
import { freePort } from '../../sandbox/free-port.ts';
import { needsTool } from './needs-tool.ts';
import { initFromMirror, type TerraformTools, terraformIn } from './terraform-tools.ts';

const FIXTURE = join(REPO_ROOT, 'test', 'support', 'moto-rehearsal.py');

export interface MotoTools {
  python: string;
}

/** A Python that has moto (5.x) and the AWS CLI, or the one line naming what is missing. */
export function findMoto(env: NodeJS.ProcessEnv = process.env): MotoTools | { missing: string } {
  for (const python of ['python3', 'python']) {
    const run = spawnSync(python, ['-c', 'import moto, sys; print(moto.__version__)'], { encoding: 'utf8', env });
    if (run.status !== 0) continue;
    if (!run.stdout.trim().startsWith('5.'))
      return { missing: `moto ${run.stdout.trim()} is installed; the rehearsal needs moto 5 (pip install "moto[server]>=5,<6")` };
    const cli = spawnSync('aws', ['--version'], { encoding: 'utf8', env });
    if (cli.status !== 0) return { missing: 'the AWS CLI is not on PATH (pip install awscli)' };
    return { python };
  }
  return { missing: 'moto is not installed (pip install "moto[server]>=5,<6")' };
}

/** A uvu suite's tests, or the one line saying why they cannot run here (a failure in CI). */
export function needsMoto(test: Test, found: MotoTools | { missing: string }): found is MotoTools {
  return needsTool(test, found, 'moto and the AWS CLI');
}

export interface FaultPlan {
  /** Functions whose CreateEventSourceMapping fails: an apply that stops half-way. */
  failCreateMapping?: string[];
  /** Functions whose mapping reports this LastProcessingResult: a readiness check that fails. */
  mappingProblem?: Record<string, string>;
}

export interface Moto {
  endpoint: string;
  faults(plan: FaultPlan): void;
  /** What the deploy invoked (aws_lambda_invocation), in order. */
  invocations(): { function: string; payload: Record<string, unknown> }[];
  /** Every UpdateEventSourceMapping call moto received. */
  mappingUpdates(): Record<string, unknown>[];
  stop(): Promise<void>;
}

function jsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

/** moto with the workshop's gaps filled, on a free port of 127.0.0.1, ready when this resolves. */
export async function startMoto(tools: MotoTools, dir: string): Promise<Moto> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const log = join(dir, 'moto.log');
  const child: ChildProcess = spawn(tools.python, [FIXTURE, String(port)], {
    env: { ...process.env, REHEARSAL_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => appendFileSync(log, chunk));
  child.stderr?.on('data', (chunk) => appendFileSync(log, chunk));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto exited (${child.exitCode}) before it was ready: ${readFileSync(log, 'utf8').slice(-2000)}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto did not answer on ${endpoint} within 60 s: ${readFileSync(log, 'utf8').slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    endpoint,
    faults: (plan) => writeFileSync(join(dir, 'faults.json'), JSON.stringify(plan)),
    invocations: () => jsonLines(join(dir, 'invocations.jsonl')),
    mappingUpdates: () => jsonLines(join(dir, 'mapping-updates.jsonl')),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/**
 * The project as a learner's checkout has it (sources, manifests, the installed packages linked),
 * in `dir`: the deploy writes cdktf.out/ and .deploy/ there, never in the working tree.
 */
export function projectCopy(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const entry of ['labs', 'modules', 'handlers', 'package.json', 'tsconfig.json', 'cdktf.json']) {
    cpSync(join(REPO_ROOT, entry), join(dir, entry), { recursive: true, filter: (source) => !source.includes('node_modules') });
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  symlinkSync(join(REPO_ROOT, 'modules', 'node_modules'), join(dir, 'modules', 'node_modules'));
  return dir;
}

/** The mirrored provider's schema as the synth's rehearsal hook reads it; returns the file. */
export function providerFile(tools: TerraformTools, dir: string): string {
  const work = join(dir, 'schema');
  mkdirSync(work, { recursive: true });
  writeFileSync(
    join(work, 'main.tf.json'),
    JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: tools.providerVersion } } } }),
  );
  initFromMirror(tools, work);
  const dump = terraformIn(tools, work, ['providers', 'schema', '-json']);
  if (dump.status !== 0) throw new Error(`terraform providers schema failed: ${dump.stderr}`);
  const schema = (JSON.parse(dump.stdout) as { provider_schemas: Record<string, unknown> }).provider_schemas['registry.terraform.io/hashicorp/aws'];
  const file = join(dir, 'provider.json');
  writeFileSync(file, JSON.stringify({ version: tools.providerVersion, schema }));
  return file;
}

/** Terraform's CLI configuration: the provider from the mirror only, never a registry. */
export function mirrorOnlyConfig(tools: TerraformTools, dir: string): string {
  const file = join(dir, 'terraformrc');
  writeFileSync(
    file,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(tools.pluginDir)}\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n`,
  );
  return file;
}

export const REHEARSAL_REGION = 'eu-west-1';

/** The environment the project's scripts run in: moto's endpoint and test credentials only. */
export function rehearsalEnv(moto: Moto, providerJson: string, terraformrc: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('AWS_')) delete env[key];
  // The learner's own choices on this machine would change what is deployed.
  delete env[PREFIX_VARIABLE];
  delete env.WORKSHOP_CLUSTER_MODE;
  return {
    ...env,
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: REHEARSAL_REGION,
    AWS_DEFAULT_REGION: REHEARSAL_REGION,
    // No shared config or credentials file of this machine's user may point anywhere else.
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    TF_CLI_CONFIG_FILE: terraformrc,
    CHECKPOINT_DISABLE: '1',
    [REHEARSAL_PROVIDER_VARIABLE]: providerJson,
  };
}

export interface ScriptRun {
  status: number;
  output: string;
  seconds: number;
}

/**
 * `npm run <script> -- <args>` in the project copy, as a learner types it. A Terraform waiter that
 * never ends (a gap in moto) is stopped after `timeoutMs`, with Terraform and the provider.
 */
export async function npmRun(copy: string, env: NodeJS.ProcessEnv, script: string, args: string[], timeoutMs = 300_000): Promise<ScriptRun> {
  const run = await commandOutput('npm', ['run', '--silent', script, '--', ...args], { cwd: copy, env, timeoutMs });
  const stopped = run.timedOut ? `\n[rehearsal] npm run ${script} ${args.join(' ')} stopped after ${timeoutMs / 1000} s\n` : '';
  return { status: run.status ?? -1, output: run.stdout + run.stderr + stopped, seconds: run.seconds };
}

/**
 * What Terraform reports doing in a script's output, one line per resource ("<address>: Creation
 * complete after 1s [id=...]"), so an apply that stops half-way counts what it did create.
 */
export function terraformCounts(output: string): { added: number; destroyed: number } {
  return {
    added: [...output.matchAll(/: Creation complete after /g)].length,
    destroyed: [...output.matchAll(/: Destruction complete after /g)].length,
  };
}

/** One kind of project resource and the AWS CLI call that lists it, filtered to the project's. */
interface Lister {
  kind: string;
  args: string[];
  /** JMESPath giving a list of identifiers. */
  query: string;
}

const PROJECT_TAG = 'Name=tag:Project,Values=kafka-lambda-workshop';
const LISTERS: Lister[] = [
  { kind: 'VPCs', args: ['ec2', 'describe-vpcs', '--filters', PROJECT_TAG], query: 'Vpcs[].VpcId' },
  { kind: 'subnets', args: ['ec2', 'describe-subnets', '--filters', PROJECT_TAG], query: 'Subnets[].SubnetId' },
  { kind: 'security groups', args: ['ec2', 'describe-security-groups', '--filters', PROJECT_TAG], query: 'SecurityGroups[].GroupId' },
  // A deleted endpoint stays listed, State "deleted", for a while (in AWS as in moto).
  { kind: 'VPC endpoints', args: ['ec2', 'describe-vpc-endpoints', '--filters', PROJECT_TAG], query: "VpcEndpoints[?State!='deleted'].VpcEndpointId" },
  { kind: 'route tables', args: ['ec2', 'describe-route-tables', '--filters', PROJECT_TAG], query: 'RouteTables[].RouteTableId' },
  { kind: 'IAM roles', args: ['iam', 'list-roles'], query: "Roles[?starts_with(RoleName, 'klw-')].RoleName" },
  { kind: 'Lambda functions', args: ['lambda', 'list-functions'], query: "Functions[?starts_with(FunctionName, 'klw-')].FunctionName" },
  { kind: 'event source mappings', args: ['lambda', 'list-event-source-mappings'], query: 'EventSourceMappings[].UUID' },
  { kind: 'MSK clusters', args: ['kafka', 'list-clusters-v2'], query: 'ClusterInfoList[].ClusterArn' },
  { kind: 'log groups', args: ['logs', 'describe-log-groups'], query: "logGroups[?contains(logGroupName, 'klw-')].logGroupName" },
  { kind: 'dashboards', args: ['cloudwatch', 'list-dashboards'], query: "DashboardEntries[?starts_with(DashboardName, 'klw')].DashboardName" },
  { kind: 'SQS queues', args: ['sqs', 'list-queues', '--queue-name-prefix', 'klw-'], query: 'QueueUrls' },
  { kind: 'SNS topics', args: ['sns', 'list-topics'], query: "Topics[?contains(TopicArn, ':klw-')].TopicArn" },
  { kind: 'S3 buckets', args: ['s3api', 'list-buckets'], query: "Buckets[?starts_with(Name, 'klw-')].Name" },
  { kind: 'Glue registries', args: ['glue', 'list-registries'], query: "Registries[?starts_with(RegistryName, 'klw-')].RegistryName" },
];

/** The project's resources moto holds, by kind, read through the AWS APIs. */
export function projectResources(moto: Moto): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const lister of LISTERS) {
    const run = spawnSync('aws', ['--endpoint-url', moto.endpoint, '--region', REHEARSAL_REGION, ...lister.args, '--query', lister.query, '--output', 'json'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
    });
    if (run.status !== 0) throw new Error(`aws ${lister.args.join(' ')} failed: ${run.stderr}`);
    found[lister.kind] = (JSON.parse(run.stdout || 'null') as string[] | null) ?? [];
  }
  return found;
}
