// A command line the parser refuses is one line, like every other refusal: what was wrong, the
// option most likely meant, and where the usage is. Node's parser words its complaints over
// three lines and the whole usage used to follow them.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { nearestName } from '../labs/nearest-name.ts';
import { UsageError } from './errors.ts';

/** Where every refusal sends a person for the rest. */
export const HELP_HINT = 'See `npx workshop --help` for the usage.';

/** A UsageError whose message is one line ending with where the usage is. */
export function usageError(what: string): UsageError {
  return new UsageError(`${what.replace(/[.\s]+$/, '')}. ${HELP_HINT}`);
}

/** `parseArgs` for `workshop <command>`, refusing in one line. */
export function parseCommandArgs<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw usageError(`workshop ${command}: ${describeParseError(error, Object.keys(config.options ?? {}), config.args ?? [])}`);
  }
}

/** Node's parse error (ERR_PARSE_ARGS_*) in one sentence, with the nearest option for an unknown one. */
function describeParseError(error: unknown, options: string[], args: readonly string[]): string {
  const { code, message } = error as { code?: string; message?: string };
  const option = /'(-{1,2}[\w-]+)/.exec(message ?? '')?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) {
    const nearest = nearestName(option.replace(/^-+/, ''), options);
    return options.length === 0
      ? `${option} is not an option of this command`
      : `unknown option ${option}${nearest ? ` (did you mean --${nearest}?)` : ''}; it takes ${options.map((o) => `--${o}`).join(', ')}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    if (/ambiguous/.test(message ?? '')) {
      const given = args[args.indexOf(option) + 1] ?? '-VALUE';
      return `${option} ${given} is ambiguous: a value starting with a dash is written ${option}=${given}`;
    }
    return `${option} ${/<value>|argument missing/.test(message ?? '') ? 'needs a value' : 'takes no value'}`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return (message ?? 'too many arguments').split('\n')[0].replace(/\.$/, '');
  return (message ?? String(error)).split('\n')[0].replace(/\.$/, '');
}
