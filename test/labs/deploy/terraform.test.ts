// Which Terraform the deploy runs: WORKSHOP_TERRAFORM, else terraform, else OpenTofu's tofu; one
// line when none runs or the one found is older than the stacks' required_version; and the
// environment that keeps one provider download per machine.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeployError } from '../../../labs/deploy/deploy-error.ts';
import { findTerraform, TERRAFORM_VARIABLE, terraformEnv } from '../../../labs/deploy/terraform.ts';
import { MIN_TERRAFORM_VERSION } from '../../../labs/stack-contract.ts';

const scratch = mkdtempSync(join(tmpdir(), 'klw-terraform-'));

/** A folder holding fake executables that answer `version -json` with these versions. */
function pathWith(tools: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, 'bin-'));
  for (const [name, version] of Object.entries(tools)) {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\necho '{"terraform_version":"${version}","platform":"linux_amd64"}'\n`);
    chmodSync(file, 0o755);
  }
  return dir;
}

test('terraform first, then tofu when terraform is absent, or what WORKSHOP_TERRAFORM names', () => {
  assert.equal(findTerraform({ PATH: pathWith({ terraform: '1.11.4', tofu: '1.9.0' }) }), { command: 'terraform', version: '1.11.4' });
  assert.equal(findTerraform({ PATH: pathWith({ tofu: '1.9.0' }) }), { command: 'tofu', version: '1.9.0' });
  assert.equal(findTerraform({ PATH: pathWith({ terraform: '1.11.4', tofu: '1.9.0' }), [TERRAFORM_VARIABLE]: 'tofu' }), { command: 'tofu', version: '1.9.0' });
});

test('none, too old, or a WORKSHOP_TERRAFORM that does not run: one line each', () => {
  const refusal = (env: NodeJS.ProcessEnv) => {
    try {
      findTerraform(env);
    } catch (error) {
      assert.instance(error, DeployError);
      assert.is((error as DeployError).exitCode, 3);
      return (error as Error).message;
    }
    throw new Error('not refused');
  };
  const empty = join(scratch, 'empty');
  mkdirSync(empty);
  assert.match(refusal({ PATH: empty }), /^Neither terraform nor tofu was found on PATH: install Terraform 1\.5\.0 or newer/);
  assert.is(
    refusal({ PATH: pathWith({ terraform: '1.4.6' }) }),
    `terraform is 1.4.6, older than the ${MIN_TERRAFORM_VERSION} the stacks require (their required_version): install a newer one and run again.`,
  );
  assert.match(refusal({ PATH: empty, [TERRAFORM_VARIABLE]: '/no/such/terraform' }), /^WORKSHOP_TERRAFORM=\/no\/such\/terraform does not run/);
});

test('the provider is downloaded once per machine: the plugin cache, usable without per-stack lock files', () => {
  const env = terraformEnv({ PATH: '/usr/bin' });
  assert.match(env.TF_PLUGIN_CACHE_DIR ?? '', /plugin-cache$/);
  assert.is(env.TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE, 'true');
  assert.is(terraformEnv({ TF_PLUGIN_CACHE_DIR: '/shared/cache' }).TF_PLUGIN_CACHE_DIR, '/shared/cache');
});

test.after(() => rmSync(scratch, { recursive: true, force: true }));
test.run();
