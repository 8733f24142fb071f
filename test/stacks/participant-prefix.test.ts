// Two learners sharing an AWS account: every name the stacks give AWS begins with the
// participant's WORKSHOP_PREFIX, their functions publish to their own CloudWatch namespace (which
// the dashboard reads), and a prefix AWS would refuse somewhere is refused before anything is built.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LABS } from '../../labs/index.ts';
import { checkParticipantPrefix, DEFAULT_PREFIX, MAX_PREFIX_LENGTH, metricsNamespace, PREFIX_VARIABLE, participantPrefix } from '../../labs/participant.ts';
import { BASE_OUTPUTS } from '../../labs/stack-contract.ts';
import { buildWorkshopApp } from '../../labs/stacks.ts';
import { WorkshopError } from '../../labs/workshop-error.ts';
import { type NamedStack, realStacks } from '../policy/real-stacks.ts';
import { type Block, resources } from './synth-once.ts';

/** The longest prefix allowed: every shipped name must still fit AWS's limits with it. */
const LONGEST = `p${'1'.repeat(MAX_PREFIX_LENGTH - 1)}`;

/** The arguments that name a resource in AWS (a Terraform reference `${...}` names nothing itself). */
const NAMING_KEYS = ['name', 'function_name', 'cluster_name', 'dashboard_name', 'bucket', 'bucket_prefix', 'name_prefix'];
/** Names that live inside another resource, so cannot meet another participant's: an IAM role's inline policy. */
const INNER_NAMES = new Set(['aws_iam_role_policy.name']);

interface Named {
  where: string;
  name: string;
}

/** Every name the stacks give AWS, with where it is. */
function awsNames(stacks: NamedStack[]): Named[] {
  const out: Named[] = [];
  for (const stack of stacks) {
    for (const type of Object.keys(stack.tf.resource ?? {})) {
      for (const block of resources(stack.tf, type) as Block[]) {
        for (const key of NAMING_KEYS) {
          const value = block[key];
          if (typeof value !== 'string' || value.startsWith('${') || INNER_NAMES.has(`${type}.${key}`)) continue;
          out.push({ where: `${stack.name} ${type}.${key}`, name: value });
        }
        if (typeof block.tags?.Name === 'string') out.push({ where: `${stack.name} ${type}.tags.Name`, name: block.tags.Name });
      }
    }
  }
  return out;
}

/** Lambda's log groups are named after their function: the prefix follows /aws/lambda/. */
const unprefixed = (named: Named[], prefix: string) => named.filter((n) => !n.name.replace(/^\/aws\/lambda\//, '').startsWith(`${prefix}-`));

const DEFAULT_STACKS = realStacks(DEFAULT_PREFIX);
const LONGEST_STACKS = realStacks(LONGEST);

test('every named resource of every stack carries the prefix: the default klw and the longest one allowed', () => {
  for (const [prefix, stacks] of [
    [DEFAULT_PREFIX, DEFAULT_STACKS],
    [LONGEST, LONGEST_STACKS],
  ] as const) {
    const names = awsNames(stacks);
    assert.ok(names.length > 40, `the walk found the stacks' names (${names.length})`);
    for (const type of [
      'function_name',
      'cluster_name',
      'dashboard_name',
      'bucket_prefix',
      'aws_iam_role.name',
      'aws_sqs_queue.name',
      'aws_sns_topic.name',
      'aws_cloudwatch_log_group.name',
    ]) {
      assert.ok(
        names.some((n) => n.where.endsWith(type)),
        `${type} is among the names walked`,
      );
    }
    assert.equal(unprefixed(names, prefix), [], `names without ${prefix}-`);
    for (const n of names.filter((n) => /function_name|aws_iam_role\.name/.test(n.where))) {
      assert.ok(n.name.length <= 64, `${n.where} ${n.name} fits Lambda's and IAM's 64 characters`);
    }
  }
});

test('two participants share no AWS name', () => {
  const theirs = new Set(awsNames(LONGEST_STACKS).map((n) => n.name));
  assert.equal(
    awsNames(DEFAULT_STACKS).filter((n) => theirs.has(n.name)),
    [],
  );
});

test("each participant's functions publish to their own namespace, which their dashboard and the base's outputs name", () => {
  for (const [prefix, stacks] of [
    [DEFAULT_PREFIX, DEFAULT_STACKS],
    [LONGEST, LONGEST_STACKS],
  ] as const) {
    const namespace = metricsNamespace(prefix);
    const functions = stacks.flatMap((s) =>
      resources(s.tf, 'aws_lambda_function').map((fn) => ({ name: fn.function_name, env: fn.environment?.variables ?? {} })),
    );
    const publishers = functions.filter((fn) => fn.env.METRICS_NAMESPACE !== undefined);
    assert.ok(publishers.length >= 5);
    for (const fn of publishers) assert.is(fn.env.METRICS_NAMESPACE, namespace, `${fn.name} publishes to ${namespace}`);
    const base = stacks.find((s) => s.name === 'base')!;
    const outputs = base.tf.output as Record<string, { value: unknown }>;
    assert.is(outputs[BASE_OUTPUTS.metricsNamespace].value, namespace);
    assert.is(outputs[BASE_OUTPUTS.participantPrefix].value, prefix);
    const body = resources(base.tf, 'aws_cloudwatch_dashboard')[0].dashboard_body as string;
    assert.ok(body.includes(namespace), `the dashboard searches ${namespace}`);
  }
  assert.is(metricsNamespace(DEFAULT_PREFIX), 'KafkaLambdaWorkshop', "a learner alone keeps the workshop's namespace");
  assert.is.not(metricsNamespace(LONGEST), metricsNamespace(DEFAULT_PREFIX));
});

test('WORKSHOP_PREFIX: unset or empty is klw; a valid one is used as given', () => {
  assert.is(participantPrefix({}), DEFAULT_PREFIX);
  assert.is(participantPrefix({ [PREFIX_VARIABLE]: '' }), DEFAULT_PREFIX);
  assert.is(participantPrefix({ [PREFIX_VARIABLE]: 'ana2' }), 'ana2');
  assert.is(participantPrefix({ [PREFIX_VARIABLE]: LONGEST }), LONGEST);
});

test('a prefix some AWS name would refuse is refused in one line with the allowed form and the fix', () => {
  const refused = {
    Ana: 'capitals: S3 bucket names are lowercase',
    '2ana': 'starts with a digit',
    'ana-b': "a hyphen: ana's functions would show on ana-b's dashboard",
    ana_b: 'an underscore: not in S3 bucket names',
    'ana.b': 'a dot: not in Lambda function names',
    [`${LONGEST}x`]: `more than ${MAX_PREFIX_LENGTH} characters`,
    ' ana': 'a space',
  };
  for (const [prefix, why] of Object.entries(refused)) {
    try {
      participantPrefix({ [PREFIX_VARIABLE]: prefix });
      assert.unreachable(`${JSON.stringify(prefix)} (${why}) was accepted`);
    } catch (error) {
      if (!(error instanceof WorkshopError)) throw error;
      assert.is(error.exitCode, 2, 'bad input');
      assert.not.match(error.message, /\n/, 'one line');
      assert.ok(
        error.message.startsWith(
          `WORKSHOP_PREFIX=${JSON.stringify(prefix)} cannot begin AWS resource names: use 1..${MAX_PREFIX_LENGTH} lowercase letters and digits, starting with a letter`,
        ),
        error.message,
      );
      assert.match(error.message, /e\.g\. WORKSHOP_PREFIX=ana2, or unset it for the default klw\.$/);
    }
  }
});

test('the app refuses a bad prefix before building any construct, from the option or the environment', () => {
  const options = { labs: LABS, outdir: '/nonexistent/out', stateDir: '/nonexistent/state', region: 'eu-west-1' };
  assert.throws(
    () => buildWorkshopApp({ ...options, prefix: 'Ana' }),
    (e: unknown) => e instanceof WorkshopError && /WORKSHOP_PREFIX="Ana"/.test(e.message),
  );
  const saved = process.env[PREFIX_VARIABLE];
  process.env[PREFIX_VARIABLE] = 'ana-b';
  try {
    assert.throws(() => buildWorkshopApp(options), /WORKSHOP_PREFIX="ana-b" cannot begin/);
  } finally {
    if (saved === undefined) delete process.env[PREFIX_VARIABLE];
    else process.env[PREFIX_VARIABLE] = saved;
  }
  assert.is(checkParticipantPrefix('ana2'), 'ana2');
});

test.run();
