// Terraform and a local mirror of the hashicorp/aws provider, for the tests that run the real
// thing (`terraform validate`, and the rehearsal against moto): found, or the one line naming what
// is missing. A learner's laptop may lack them, so those tests skip there; CI requires them
// (.ci/run checks first), so there a missing tool is a failure, never a skip.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'uvu';
import { findExecutable } from '../../sandbox/executables.ts';
import { needsTool } from './needs-tool.ts';

export interface TerraformTools {
  terraform: string;
  /** The folder to give `terraform init -plugin-dir`: it holds registry.terraform.io/hashicorp/aws/<version>/. */
  pluginDir: string;
  /** The mirrored provider version. */
  providerVersion: string;
}

/** Where provider mirrors are kept: $WORKSHOP_TF_PLUGIN_DIR first, then Terraform's implied local mirror folders. */
export function pluginDirCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    env.WORKSHOP_TF_PLUGIN_DIR,
    '/opt/tf-plugins',
    join(homedir(), '.terraform.d', 'plugins'),
    join(homedir(), '.local', 'share', 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ].filter((dir): dir is string => Boolean(dir));
}

export function findTerraformTools(env: NodeJS.ProcessEnv = process.env): TerraformTools | { missing: string } {
  const terraform = findExecutable('terraform', env);
  if (!terraform) return { missing: 'terraform is not on PATH (https://developer.hashicorp.com/terraform/install)' };
  for (const pluginDir of pluginDirCandidates(env)) {
    const versions = join(pluginDir, 'registry.terraform.io', 'hashicorp', 'aws');
    if (!existsSync(versions)) continue;
    const found = readdirSync(versions).filter((v) => /^\d+\.\d+\.\d+$/.test(v));
    if (found.length > 0) return { terraform, pluginDir, providerVersion: found.sort().at(-1)! };
  }
  return { missing: `no local mirror of hashicorp/aws in ${pluginDirCandidates(env).join(', ')} (set WORKSHOP_TF_PLUGIN_DIR to one)` };
}

/** `terraform <args>` in `dir` (`input` on its stdin, for `terraform console`), never reaching a registry: providers come from the mirror only. */
export function terraformIn(tools: TerraformTools, dir: string, args: string[], input?: string): { status: number; stdout: string; stderr: string } {
  const run = spawnSync(tools.terraform, [`-chdir=${dir}`, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
    maxBuffer: 256 * 1024 * 1024,
    timeout: 300_000,
  });
  return { status: run.status ?? -1, stdout: run.stdout ?? '', stderr: run.stderr ?? '' };
}

/** `terraform init` from the mirror alone (no backend: these tests never hold state). */
export function initFromMirror(tools: TerraformTools, dir: string): void {
  const init = terraformIn(tools, dir, ['init', '-backend=false', '-input=false', `-plugin-dir=${tools.pluginDir}`]);
  if (init.status !== 0) throw new Error(`terraform init failed in ${dir}: ${init.stderr || init.stdout}`);
}

/** A uvu suite's tests, or the one line saying why they cannot run here (a failure in CI). */
export function needsTerraform(test: Test, found: TerraformTools | { missing: string }): found is TerraformTools {
  return needsTool(test, found, 'Terraform and its AWS provider mirror');
}
