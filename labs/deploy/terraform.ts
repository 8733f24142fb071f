// Terraform itself on cdktf.out/stacks/<stack> (cdktf-cli is not needed): the one place the
// deploy and destroy scripts start it. Tests pass their own TerraformRunner instead.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_OUTDIR, DEFAULT_STATE_DIR } from '../stack-contract.ts';
import { DeployError } from './deploy-error.ts';

/** One download of the AWS provider for all stacks (it is several hundred MB). */
export const PLUGIN_CACHE_DIR = join(DEFAULT_STATE_DIR, 'plugin-cache');

export interface TerraformRunner {
  run(stack: string, args: string[]): void;
  output(stack: string): Record<string, unknown>;
}

function stackDir(stack: string): string {
  return join(DEFAULT_OUTDIR, 'stacks', stack);
}

function terraformEnv(): NodeJS.ProcessEnv {
  mkdirSync(PLUGIN_CACHE_DIR, { recursive: true });
  return { ...process.env, TF_IN_AUTOMATION: '1', TF_PLUGIN_CACHE_DIR: process.env.TF_PLUGIN_CACHE_DIR ?? PLUGIN_CACHE_DIR };
}

export const terraform: TerraformRunner = {
  run(stack, args) {
    const result = spawnSync('terraform', [`-chdir=${stackDir(stack)}`, ...args], { stdio: 'inherit', env: terraformEnv() });
    if (result.error) throw new DeployError(`Could not run terraform: ${result.error.message}.`);
    if (result.status !== 0) throw new DeployError(`terraform ${args[0]} failed for stack ${stack} (exit ${result.status}): see its output above.`);
  },
  output(stack) {
    const result = spawnSync('terraform', [`-chdir=${stackDir(stack)}`, 'output', '-json'], { encoding: 'utf8', env: terraformEnv() });
    if (result.status !== 0) throw new DeployError(`terraform output failed for stack ${stack}: ${result.stderr.trim().split('\n')[0]}`);
    const outputs = JSON.parse(result.stdout) as Record<string, { value: unknown }>;
    return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
  },
};
