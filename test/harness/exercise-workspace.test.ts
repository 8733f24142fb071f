// The learner's exercise folder: imports that still resolve after a file moves, starting states
// and solutions written without ever losing what the learner had, the TODO list and the
// fingerprint that tells `check --hint` whether anything changed.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkpointOf } from '../../harness/exercise/checkpoints.ts';
import {
  EXERCISES_DIR_ENV,
  exercisesDir,
  fingerprint,
  freePath,
  learnerFiles,
  relocateImports,
  todosIn,
  writeExercise,
} from '../../harness/exercise/workspace.ts';
import { LABS } from '../../labs/index.ts';
import { REPO_ROOT } from '../../labs/stack-contract.ts';

const lab4 = LABS.find((l) => l.number === 4)!;
const lab2 = LABS.find((l) => l.number === 2)!;

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'klw-exercise-'));
}

test('relocateImports points relative imports at the same files from the new folder, and leaves packages alone', () => {
  const source = [
    "import { a } from '../../handlers/shared/booking.ts';",
    'import type { B } from "./problem.ts";',
    "export { c } from '../capacity-model.ts';",
    "const d = await import('../index.ts');",
    "import { Construct } from 'constructs';",
    "import { readFileSync } from 'node:fs';",
  ].join('\n');
  const moved = relocateImports(source, '/repo/labs/02-low-latency', '/repo/exercises/02-low-latency').split('\n');
  assert.is(moved[0], "import { a } from '../../handlers/shared/booking.ts';");
  assert.is(moved[1], 'import type { B } from "../../labs/02-low-latency/problem.ts";');
  assert.is(moved[2], "export { c } from '../../labs/capacity-model.ts';");
  assert.is(moved[3], "const d = await import('../../labs/index.ts');");
  assert.is(moved[4], "import { Construct } from 'constructs';");
  assert.is(moved[5], "import { readFileSync } from 'node:fs';");
  assert.is(relocateImports("import x from './x.ts';", '/a/b', '/a/b'), "import x from './x.ts';");
});

test('every starting state and solution, once written to the exercise folder, bundles (its imports resolve)', async () => {
  const dir = scratch();
  try {
    for (const lab of LABS) {
      for (const version of ['start', 'solution'] as const) {
        const written = writeExercise(lab, version, dir);
        for (const { path } of written) {
          const result = await build({
            entryPoints: [path],
            bundle: true,
            write: false,
            platform: 'node',
            format: 'esm',
            packages: 'external',
            logLevel: 'silent',
          });
          assert.is(result.errors.length, 0, `${lab.id} ${version}: ${path}`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeExercise: a fresh folder gets the files; the same content again is left as it is, with no backup', () => {
  const dir = scratch();
  try {
    const first = writeExercise(lab4, 'start', dir);
    assert.equal(
      first.map((w) => w.path.slice(dir.length + 1)),
      checkpointOf(lab4.id).files.map((f) => `${lab4.id}/${f.name}`),
    );
    assert.ok(first.every((w) => !w.unchanged && !w.backup));
    const again = writeExercise(lab4, 'start', dir);
    assert.ok(again.every((w) => w.unchanged && !w.backup));
    assert.equal(readdirSync(dir).sort(), [lab4.id], 'no .backups folder when nothing was replaced');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writeExercise never loses the learner's edits: each replaced file is copied to .backups/<time>/<lab>/ first", () => {
  const dir = scratch();
  try {
    const [spec] = writeExercise(lab2, 'start', dir);
    writeFileSync(spec.path, '// my attempt\n');
    const now = new Date('2026-12-05T10:11:12.345Z');
    const [restored] = writeExercise(lab2, 'solution', dir, { now });
    assert.ok(restored.backup, 'a backup was made');
    assert.is(restored.backup, join(dir, '.backups', '2026-12-05T10-11-12-345Z', lab2.id, 'spec.ts'));
    assert.is(readFileSync(restored.backup!, 'utf8'), '// my attempt\n');
    assert.match(readFileSync(restored.path, 'utf8'), /export const lab/);

    // A second replacement in the same millisecond does not write over the first backup.
    writeFileSync(spec.path, '// my second attempt\n');
    const [second] = writeExercise(lab2, 'solution', dir, { now });
    assert.is(second.backup, `${restored.backup}.2`);
    assert.is(readFileSync(restored.backup!, 'utf8'), '// my attempt\n');
    assert.is(readFileSync(second.backup!, 'utf8'), '// my second attempt\n');
    assert.not.ok(
      readdirSync(join(dir, lab2.id)).some((name) => name.endsWith('.tmp')),
      'no temporary file is left',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("keepEdited leaves the learner's version in place and writes only what is missing or still the starting state", () => {
  const dir = scratch();
  try {
    const [spec, handler] = writeExercise(lab4, 'start', dir);
    writeFileSync(spec.path, '// my spec\n');
    rmSync(handler.path);
    const again = writeExercise(lab4, 'start', dir, { keepEdited: true });
    assert.equal(
      again.map((w) => ({ kept: Boolean(w.kept), backup: w.backup })),
      [
        { kept: true, backup: undefined },
        { kept: false, backup: undefined },
      ],
    );
    assert.is(readFileSync(spec.path, 'utf8'), '// my spec\n', 'the edited file is untouched');
    assert.match(readFileSync(handler.path, 'utf8'), /TODO\(lab 4\)/, 'the missing file is written again');
    assert.not.ok(readdirSync(dir).includes('.backups'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('learnerFiles names the missing files; freePath finds the next free name', () => {
  const dir = scratch();
  try {
    assert.is(learnerFiles(lab4, dir).missing.length, checkpointOf(lab4.id).files.length);
    const written = writeExercise(lab4, 'start', dir);
    rmSync(written[1].path);
    assert.equal(learnerFiles(lab4, dir).missing, [written[1].path]);
    const base = join(dir, 'x');
    assert.is(freePath(base), base);
    writeFileSync(base, '');
    writeFileSync(`${base}.2`, '');
    assert.is(freePath(base), `${base}.3`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("todosIn lists every TODO(lab N) with its line; each lab's starting state has at least one, lab 4 in its handler too", () => {
  const dir = scratch();
  try {
    for (const lab of LABS) {
      const written = writeExercise(lab, 'start', dir);
      const todos = todosIn(written.map((w) => w.path));
      assert.ok(todos.length > 0, `${lab.id} has TODOs`);
      for (const todo of todos) {
        const line = readFileSync(todo.path, 'utf8').split('\n')[todo.line - 1];
        assert.ok(line.includes(`TODO(lab ${lab.number})`), `${todo.path}:${todo.line} is a TODO for lab ${lab.number}`);
        assert.not.match(todo.text, /^\/\//, 'the comment marker is dropped');
      }
      if (lab.number === 4)
        assert.ok(
          todos.some((t) => t.path.endsWith('booking-processor.ts')),
          'lab 4 has TODOs in its handler',
        );
      const solutions = writeExercise(lab, 'solution', dir);
      assert.equal(todosIn(solutions.map((w) => w.path)), [], `${lab.id}'s solution has no TODO`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fingerprint changes when any file changes, and only then', () => {
  const dir = scratch();
  try {
    const paths = writeExercise(lab4, 'start', dir).map((w) => w.path);
    const before = fingerprint(paths);
    assert.is(fingerprint(paths), before);
    writeFileSync(paths[1], `${readFileSync(paths[1], 'utf8')}\n`);
    assert.is.not(fingerprint(paths), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`${EXERCISES_DIR_ENV} moves the exercise folder; without it, exercises/ in the repository`, () => {
  assert.is(exercisesDir({}), join(REPO_ROOT, 'exercises'));
  assert.is(exercisesDir({ [EXERCISES_DIR_ENV]: '/tmp/elsewhere' }), '/tmp/elsewhere');
});

test.run();
