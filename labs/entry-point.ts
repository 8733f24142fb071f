// Whether a module was started as a script (`tsx docs/studio-export.ts`) rather than imported.
// Compared as file URLs of the real path: a checkout under "My Projects" (a space, which a URL's
// pathname encodes as %20), a Windows drive letter or a symlinked folder must all still match.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export function runsAsScript(moduleUrl: string, argv1: string | undefined = process.argv[1]): boolean {
  if (!argv1) return false;
  const script = resolve(argv1);
  let real = script;
  try {
    real = realpathSync(script);
  } catch {
    // A script path that does not exist is compared as written.
  }
  return moduleUrl === pathToFileURL(real).href || moduleUrl === pathToFileURL(script).href;
}
