// The AWS path's toolchain is installed apart from the local labs (`npm run aws:setup`): what is
// found when it is there, the one line when it is missing, stale or run on a Node.js too old for
// it, and the preflight that says so before an AWS command loads its stacks.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AWS_SETUP_COMMAND, AWS_TOOLCHAIN_DIR, findAwsToolchain } from '../../labs/aws-toolchain.ts';
import { EXIT } from '../../labs/workshop-error.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const pins = (JSON.parse(readFileSync(join(ROOT, 'modules/package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
const scratch = mkdtempSync(join(tmpdir(), 'aws-toolchain-'));

test('installed: every package modules/package.json pins, at its version', () => {
  const found = findAwsToolchain(AWS_TOOLCHAIN_DIR, '22.23.3');
  assert.ok(!('problem' in found), JSON.stringify(found));
  if ('problem' in found) return;
  assert.equal(Object.fromEntries(found.packages.map((p) => [p.name, p.version])), pins);
});

test('not installed: one line naming the command that installs it', () => {
  const found = findAwsToolchain(join(scratch, 'nothing-here'), '22.23.3');
  assert.ok('problem' in found);
  if (!('problem' in found)) return;
  assert.match(found.problem, `is not installed: run ${AWS_SETUP_COMMAND} (once).`);
  assert.is(found.problem.split('\n').length, 1);
});

test('another version than the pin: run the command again', () => {
  const stale = join(scratch, 'stale');
  cpSync(AWS_TOOLCHAIN_DIR, stale, { recursive: true, filter: (from) => !from.includes('/lib/') });
  const name = Object.keys(pins)[0];
  const file = join(stale, name, 'package.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), version: '0.0.1' }));
  const found = findAwsToolchain(stale, '22.23.3');
  assert.equal(found, { problem: `modules/node_modules has ${name} 0.0.1, but modules/package.json pins ${pins[name]}: run ${AWS_SETUP_COMMAND} again.` });
});

test("a Node.js older than the provider bindings' engines: one line saying how to run on the project's", () => {
  const engine = (JSON.parse(readFileSync(join(AWS_TOOLCHAIN_DIR, '@cdktn/provider-aws/package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  const found = findAwsToolchain(AWS_TOOLCHAIN_DIR, '20.20.2');
  assert.equal(found, {
    problem: `@cdktn/provider-aws needs Node.js ${engine.replace(/\s+/g, '')}, and this is Node.js 20.20.2: run the AWS commands through npm (npm run deploy -- <lab>), which uses the project's Node.js in node_modules/.bin/node, or run npm install if that is missing.`,
  });
});

test('an AWS command on a checkout without the toolchain ends with that line and the environment exit code, before loading its stacks', () => {
  const checkout = join(scratch, 'checkout');
  cpSync(join(ROOT, 'package.json'), join(checkout, 'package.json'));
  cpSync(join(ROOT, 'labs'), join(checkout, 'labs'), { recursive: true });
  cpSync(join(ROOT, 'handlers'), join(checkout, 'handlers'), { recursive: true });
  cpSync(join(ROOT, 'modules'), join(checkout, 'modules'), { recursive: true, filter: (from) => !from.includes('node_modules') });
  mkdirSync(join(checkout, 'node_modules'));
  const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), '--import', './labs/aws-path-preflight.ts', 'labs/synth.ts'], {
    cwd: checkout,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.is(run.status, EXIT.environment.code, run.stderr);
  assert.is(run.stderr.trim(), `The AWS path's toolchain (CDK Terrain and the AWS provider bindings) is not installed: run ${AWS_SETUP_COMMAND} (once).`);
  assert.is(run.stdout, '');
});

test('the local path never loads the toolchain: nothing `workshop` and `npm start` import reaches it', async () => {
  const { build } = await import('esbuild');
  for (const entry of ['bin/workshop.js', 'harness/cli.ts']) {
    const result = await build({
      entryPoints: [join(ROOT, entry)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(inputs.length > 50, `${entry} imports the harness (${inputs.length} files)`);
    assert.equal(
      inputs.filter((file) => file.includes('cdk-terrain') || file.includes('modules/node_modules') || file.endsWith('labs/stacks.ts')),
      [],
      entry,
    );
  }
});

test.after(() => rmSync(scratch, { recursive: true, force: true }));
test.run();
