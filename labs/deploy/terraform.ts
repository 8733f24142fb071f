// Terraform itself on cdktf.out/stacks/<stack> (cdktf-cli is not needed): the one place the
// deploy and destroy scripts start it. OpenTofu runs the same stacks: `tofu` is used when
// `terraform` is not on PATH, or when WORKSHOP_TERRAFORM names it. Tests pass their own
// TerraformRunner instead.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_OUTDIR, DEFAULT_STATE_DIR, MIN_TERRAFORM_VERSION } from '../stack-contract.ts';
import { olderThan } from '../version.ts';
import { DeployError } from './deploy-error.ts';

/** One download of the AWS provider for all stacks (it is several hundred MB). */
export const PLUGIN_CACHE_DIR = join(DEFAULT_STATE_DIR, 'plugin-cache');

/** Names the Terraform to run: `terraform`, `tofu` or a path. */
export const TERRAFORM_VARIABLE = 'WORKSHOP_TERRAFORM';

export interface TerraformRunner {
  run(stack: string, args: string[]): void;
  output(stack: string): Record<string, unknown>;
}

export interface TerraformCommand {
  command: string;
  version: string;
}

/**
 * The Terraform the deploy runs and its version: WORKSHOP_TERRAFORM when set, else `terraform`,
 * else `tofu`, whichever answers `version -json` first; one line when none does or it is too old.
 */
export function findTerraform(env: NodeJS.ProcessEnv = process.env): TerraformCommand {
  const candidates = env[TERRAFORM_VARIABLE] ? [env[TERRAFORM_VARIABLE]!] : ['terraform', 'tofu'];
  for (const command of candidates) {
    const run = spawnSync(command, ['version', '-json'], { encoding: 'utf8', env, timeout: 30_000 });
    if (run.error || run.status !== 0) continue;
    let version: string | undefined;
    try {
      version = (JSON.parse(run.stdout) as { terraform_version?: string }).terraform_version;
    } catch {
      version = undefined;
    }
    if (!version) throw new DeployError(`${command} version -json did not say its version: is ${command} Terraform or OpenTofu?`);
    if (olderThan(version, MIN_TERRAFORM_VERSION)) {
      throw new DeployError(
        `${command} is ${version}, older than the ${MIN_TERRAFORM_VERSION} the stacks require (their required_version): install a newer one and run again.`,
      );
    }
    return { command, version };
  }
  throw new DeployError(
    env[TERRAFORM_VARIABLE]
      ? `${TERRAFORM_VARIABLE}=${env[TERRAFORM_VARIABLE]} does not run (\`${env[TERRAFORM_VARIABLE]} version -json\` failed): point it at a Terraform or OpenTofu executable, or unset it.`
      : `Neither terraform nor tofu was found on PATH: install Terraform ${MIN_TERRAFORM_VERSION} or newer (https://developer.hashicorp.com/terraform/install) or OpenTofu (https://opentofu.org/docs/intro/install/) and run again.`,
  );
}

function stackDir(stack: string): string {
  return join(DEFAULT_OUTDIR, 'stacks', stack);
}

/**
 * The environment Terraform runs in. Since Terraform 1.4 the plugin cache is used only for a
 * provider a stack's lock file already lists; the stacks have no lock file, so without the
 * override each stack would download the provider again.
 */
export function terraformEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  mkdirSync(PLUGIN_CACHE_DIR, { recursive: true });
  return {
    ...env,
    TF_IN_AUTOMATION: '1',
    TF_PLUGIN_CACHE_DIR: env.TF_PLUGIN_CACHE_DIR ?? PLUGIN_CACHE_DIR,
    TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: env.TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE ?? 'true',
  };
}

let found: TerraformCommand | undefined;
/** This process's Terraform: found once, by the preflight or the first step, and reused. */
export function terraformCommand(): TerraformCommand {
  found ??= findTerraform();
  return found;
}
const command = () => terraformCommand().command;

export const terraform: TerraformRunner = {
  run(stack, args) {
    const result = spawnSync(command(), [`-chdir=${stackDir(stack)}`, ...args], { stdio: 'inherit', env: terraformEnv() });
    if (result.error) throw new DeployError(`Could not run ${command()}: ${result.error.message}.`);
    if (result.status !== 0) throw new DeployError(`${command()} ${args[0]} failed for stack ${stack} (exit ${result.status}): see its output above.`);
  },
  output(stack) {
    const result = spawnSync(command(), [`-chdir=${stackDir(stack)}`, 'output', '-json'], { encoding: 'utf8', env: terraformEnv() });
    if (result.status !== 0) throw new DeployError(`${command()} output failed for stack ${stack}: ${result.stderr.trim().split('\n')[0]}`);
    const outputs = JSON.parse(result.stdout) as Record<string, { value: unknown }>;
    return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
  },
};
