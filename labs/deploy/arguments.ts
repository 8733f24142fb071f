// The command lines of `npm run deploy` and `npm run destroy`, and the lab they name. The guide
// checker (docs/guide-commands.ts) runs the guide's commands through these same parsers.
import type { LabSpec } from '../lab-spec.ts';
import { BASE_STACK } from '../stack-contract.ts';
import { DeployError } from './deploy-error.ts';

export interface DeployArgs {
  /** A lab number, id or short name, or "base". */
  target: string;
  refreshBase: boolean;
  dryRun: boolean;
}

export interface DestroyArgs {
  /** Unset: the lab deployed now. */
  target?: string;
  all: boolean;
  dryRun: boolean;
}

function splitFlags(argv: string[], known: string[], usage: string): { flags: Set<string>; positional: string[] } {
  const flags = new Set<string>();
  const positional: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('--')) {
      if (!known.includes(arg)) throw new DeployError(`Unknown option ${arg}. ${usage}`, 'badInput');
      flags.add(arg);
    } else positional.push(arg);
  }
  return { flags, positional };
}

export function deployUsage(choices: string): string {
  return `Usage: npm run deploy -- <lab|base> [--base] [--dry-run]; labs: ${choices}.`;
}

export function destroyUsage(choices: string): string {
  return `Usage: npm run destroy -- [<lab>] [--all] [--dry-run]; without a lab it destroys the lab deployed now, --all also the base; labs: ${choices}.`;
}

export function parseDeployArgs(argv: string[], choices: string): DeployArgs {
  const usage = deployUsage(choices);
  const { flags, positional } = splitFlags(argv, ['--base', '--dry-run'], usage);
  if (positional.length !== 1) {
    throw new DeployError(positional.length === 0 ? `Which lab? ${usage}` : `One lab at a time, got ${positional.join(' ')}. ${usage}`, 'badInput');
  }
  return { target: positional[0], refreshBase: flags.has('--base'), dryRun: flags.has('--dry-run') };
}

export function parseDestroyArgs(argv: string[], choices: string): DestroyArgs {
  const usage = destroyUsage(choices);
  const { flags, positional } = splitFlags(argv, ['--all', '--dry-run'], usage);
  if (positional.length > 1) throw new DeployError(`One lab at a time, got ${positional.join(' ')}. ${usage}`, 'badInput');
  if (positional.length === 1 && flags.has('--all')) {
    throw new DeployError(`--all destroys everything deployed; give either a lab or --all. ${usage}`, 'badInput');
  }
  return { target: positional[0], all: flags.has('--all'), dryRun: flags.has('--dry-run') };
}

/** A lab (by number, id or short name) or "base"; a readable error otherwise. */
export function resolveTarget(target: string, findLab: (key: string) => LabSpec | undefined, choices: string): LabSpec | 'base' {
  if (target === BASE_STACK) return 'base';
  const lab = findLab(target);
  if (!lab) throw new DeployError(`There is no lab "${target}": use one of ${choices}, or base.`, 'badInput');
  return lab;
}
