// The programs the sandbox runs (java; mvn for the jar lock) are looked up before spawning, so a missing one is
// named with what to install instead of surfacing as a spawn ENOENT.
import { statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Resolves an executable the way a shell would: an absolute/relative path as given, otherwise the
 * first match on env.PATH. Returns null when there is none.
 */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (name.includes('/')) return isExecutable(name) ? name : null;
  for (const dir of (env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(path: string): boolean {
  try {
    const stat = statSync(path);
    return stat.isFile() && (stat.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
