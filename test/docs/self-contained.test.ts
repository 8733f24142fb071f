// The repository stands alone: no file points a reader at a document outside it (a design note
// the project was planned from, a sibling folder). Facts cite the AWS page instead.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REPO_ROOT } from '../../docs/markdown.ts';

const SKIP = new Set(['node_modules', '.git', '.build', 'cdktf.out', 'reports', 'site', '.sandbox', '.scratch', '.deploy', '.terraform', 'results']);
const TEXT = /\.(ts|mts|mjs|js|md|json|sh|yml|yaml)$/;
// Built from parts so this file does not match itself.
const OUTSIDE = [
  ['DESIGN', '.md'],
  ['DESIGN', ' §'],
  ['DESIGN', ' section'],
  ['../', 'shared'],
  ['/work/', 'shared'],
].map((p) => p.join(''));

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (TEXT.test(name) || name === 'run') yield path;
  }
}

test('no file in the repository points at a document outside it', () => {
  const found: string[] = [];
  let scanned = 0;
  for (const file of files(REPO_ROOT)) {
    scanned++;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const hit = OUTSIDE.find((needle) => line.includes(needle));
        if (hit) found.push(`${relative(REPO_ROOT, file)}:${i + 1}: "${hit}"`);
      });
  }
  assert.ok(scanned > 200, `scanned ${scanned} files: the walk found the tree`);
  assert.equal(found, [], `cite the AWS page or a file in the repository instead:\n${found.join('\n')}`);
});

test.run();
