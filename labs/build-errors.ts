// esbuild's errors for a learner's file, as file:line:column lines they can click. Both builds
// (the spec, the handler bundle) run with absWorkingDir REPO_ROOT, so a location's file is
// relative to the repository wherever the learner typed the command.

import { resolve } from 'node:path';
import type { Message } from 'esbuild';
import { displayPath } from './display-path.ts';
import { REPO_ROOT } from './stack-contract.ts';

/** The build's error lines, or undefined when `error` is not an esbuild build failure. */
export function describeBuildErrors(error: unknown): string | undefined {
  const errors = (error as { errors?: Message[] } | null)?.errors;
  if (!errors?.length) return undefined;
  return errors
    .map((message) => {
      const where = message.location
        ? `${displayPath(resolve(REPO_ROOT, message.location.file))}:${message.location.line}:${message.location.column + 1}: `
        : '';
      return `${where}${message.text}`;
    })
    .join('\n');
}
