// cfn-lint, AWS's linter for CloudFormation templates (https://github.com/aws-cloudformation/cfn-lint),
// for the tests of the hosted event's template: found, or the one line naming what is missing. A
// learner's laptop may lack it, so those tests skip there; in CI a missing cfn-lint is a failure.
import { spawnSync } from 'node:child_process';
import type { Test } from 'uvu';
import { findExecutable } from '../../sandbox/executables.ts';
import { needsTool } from './needs-tool.ts';

export interface CfnLint {
  command: string;
}

export function findCfnLint(env: NodeJS.ProcessEnv = process.env): CfnLint | { missing: string } {
  const command = findExecutable('cfn-lint', env);
  return command ? { command } : { missing: 'cfn-lint is not on PATH (pip install cfn-lint)' };
}

/** cfn-lint on one template file: its exit status (0 clean, non-zero with findings) and its findings. */
export function lint(tool: CfnLint, file: string): { status: number; findings: string } {
  const run = spawnSync(tool.command, [file], { encoding: 'utf8', timeout: 120_000 });
  return { status: run.status ?? -1, findings: `${run.stdout ?? ''}${run.stderr ?? ''}` };
}

/** A uvu suite's tests, or the one line saying why they cannot run here (a failure in CI). */
export function needsCfnLint(test: Test, found: CfnLint | { missing: string }): found is CfnLint {
  return needsTool(test, found, 'cfn-lint');
}
