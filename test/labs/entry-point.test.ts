// A script started from a checkout whose path has a space, or through a symlinked folder, still
// knows it was started (`npm run studio` used to do nothing there, with exit 0); an imported
// module does not.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runsAsScript } from '../../labs/entry-point.ts';

const ENTRY_POINT = new URL('../../labs/entry-point.ts', import.meta.url).href;
// The scripts live outside the repository, so tsx is named by its full URL.
const TSX = import.meta.resolve('tsx');

function runScript(path: string, cwd: string): string {
  const run = spawnSync(process.execPath, ['--import', TSX, path], { cwd, encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  return run.stdout.trim();
}

test('a script in a folder with a space, run by absolute path, relative path or through a symlink, is the script', () => {
  const root = mkdtempSync(join(tmpdir(), 'klw-entry-'));
  try {
    const dir = join(root, 'My Projects', 'workshop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'library.ts'), `import { runsAsScript } from '${ENTRY_POINT}';\nexport const imported = runsAsScript(import.meta.url);\n`);
    writeFileSync(
      join(dir, 'script.ts'),
      `import { runsAsScript } from '${ENTRY_POINT}';\nimport { imported } from './library.ts';\nconsole.log(JSON.stringify({ script: runsAsScript(import.meta.url), imported }));\n`,
    );
    symlinkSync(dir, join(root, 'linked'));
    for (const [path, cwd] of [
      [join(dir, 'script.ts'), root],
      ['script.ts', dir],
      [join(root, 'linked', 'script.ts'), root],
    ]) {
      assert.equal(JSON.parse(runScript(path, cwd)), { script: true, imported: false }, path);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('no script path, or another file, is not this module', () => {
  const url = pathToFileURL('/tmp/a b/x.ts').href;
  assert.ok(runsAsScript(url, '/tmp/a b/x.ts'));
  assert.not.ok(runsAsScript(url, undefined));
  assert.not.ok(runsAsScript(url, '/tmp/a b/y.ts'));
});

test.run();
