// Every source file is as the formatter writes it (biome.json), so a review reads changes, not
// layout. `npm run format` fixes what this refuses.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = new URL('../..', import.meta.url).pathname;
const BIOME = join(ROOT, 'node_modules/.bin/biome');

function check(...paths: string[]): { status: number | null; output: string } {
  const run = spawnSync(BIOME, ['check', '--colors=off', ...paths], { cwd: ROOT, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

test('every source file is formatted and its imports sorted (npm run format:check)', () => {
  const { status, output } = check('.');
  assert.is(status, 0, `Unformatted files: run npm run format, then commit.\n${output.slice(0, 4000)}`);
  assert.match(output, /Checked \d+ files/);
});

test('the check refuses an unformatted file', () => {
  const probe = join(ROOT, 'test/docs/format-probe.tmp.ts');
  try {
    writeFileSync(probe, "import { b } from './b.ts';\nimport { a } from './a.ts';\nexport const x = {a,b}\n");
    const { status, output } = check('test/docs/format-probe.tmp.ts');
    assert.is.not(status, 0, output);
    assert.match(output, /format|organizeImports/i);
  } finally {
    rmSync(probe, { force: true });
  }
});

test.run();
