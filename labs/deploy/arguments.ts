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
  /** `--from exercises/<lab>`: the learner's exercise folder, deployed in place of labs/<lab>/spec.ts. */
  from?: string;
}

export interface DestroyArgs {
  /** Unset: the lab deployed now. */
  target?: string;
  all: boolean;
  dryRun: boolean;
}

/** `known` are switches; `valued` take the next word (or `--from=value`). */
function splitFlags(
  argv: string[],
  known: string[],
  usage: string,
  valued: string[] = [],
): { flags: Set<string>; values: Map<string, string>; positional: string[] } {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (valued.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '' || value.startsWith('--')) throw new DeployError(`${name} needs a value. ${usage}`, 'badInput');
      values.set(name, value);
    } else if (known.includes(arg)) flags.add(arg);
    else throw new DeployError(`Unknown option ${arg}. ${usage}`, 'badInput');
  }
  return { flags, values, positional };
}

export function deployUsage(choices: string): string {
  return `Usage: npm run deploy -- <lab|base> [--base] [--dry-run] [--from exercises/<lab>]; labs: ${choices}.`;
}

export function destroyUsage(choices: string): string {
  return `Usage: npm run destroy -- [<lab>] [--all] [--dry-run]; without a lab it destroys the lab deployed now, --all also the base; labs: ${choices}.`;
}

export function parseDeployArgs(argv: string[], choices: string): DeployArgs {
  const usage = deployUsage(choices);
  const { flags, values, positional } = splitFlags(argv, ['--base', '--dry-run'], usage, ['--from']);
  if (positional.length !== 1) {
    throw new DeployError(positional.length === 0 ? `Which lab? ${usage}` : `One lab at a time, got ${positional.join(' ')}. ${usage}`, 'badInput');
  }
  const from = values.get('--from');
  if (from !== undefined && positional[0] === BASE_STACK) {
    throw new DeployError(
      `--from deploys a lab's exercise; the base stack has none: name the lab, as in npm run deploy -- 2 --from exercises/02-low-latency.`,
      'badInput',
    );
  }
  return { target: positional[0], refreshBase: flags.has('--base'), dryRun: flags.has('--dry-run'), ...(from === undefined ? {} : { from }) };
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
