// How a path is printed for a person: relative to where they stand when it is below it,
// otherwise in full (a "../../.." chain is harder to read than the absolute path).
import { relative } from 'node:path';

export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}
