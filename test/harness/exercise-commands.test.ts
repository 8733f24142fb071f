// The builders-session commands around the learner's files. The checkpoint record (progress.json):
// counted checks, the first pass kept as the day the lab was done, and a damaged record never
// written over. Then, through the real CLI: `progress` reads the record, bad input gets one line
// and exit 2, and a file that does not compile is named at its file:line from any folder.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkpointOf } from '../../harness/exercise/checkpoints.ts';
import { renderCheck } from '../../harness/exercise/commands.ts';
import { advanceHints, type CheckRecord, loadProgress, progressFile, readProgress, recordCheck } from '../../harness/exercise/progress.ts';
import { EXERCISES_DIR_ENV } from '../../harness/exercise/workspace.ts';
import { LABS } from '../../labs/index.ts';
import { REPO_ROOT } from '../../labs/stack-contract.ts';
import { refused, STACK_FRAME, workshop } from './e2e/support.ts';

const LEARNER_SPECS = join(REPO_ROOT, '.build', 'learner-specs');

function check(at: string, passed: boolean): CheckRecord {
  return { at, passed, fingerprint: `fp-${at}`, findings: [{ name: 'p50 end-to-end', pass: passed, measured: passed ? '40 ms' : '1,513 ms' }] };
}

function withDir(body: (dir: string) => Promise<void> | void) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'klw-progress-'));
    try {
      await body(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'recordCheck counts checks, keeps the last, and keeps the first pass as doneAt',
  withDir((dir) => {
    assert.equal(readProgress(dir), { version: 1, labs: {} }, 'no file: nothing checked');
    recordCheck('02-low-latency', check('2026-12-05T10:00:00.000Z', false), dir);
    const passed = recordCheck('02-low-latency', check('2026-12-05T10:05:00.000Z', true), dir);
    assert.is(passed.lab.doneAt, '2026-12-05T10:05:00.000Z');
    const failedLater = recordCheck('02-low-latency', check('2026-12-06T09:00:00.000Z', false), dir);
    assert.is(failedLater.lab.checks, 3);
    assert.is(failedLater.lab.doneAt, '2026-12-05T10:05:00.000Z', 'a later failure does not undo a done lab');
    assert.is(failedLater.lab.last.passed, false);
    recordCheck('04-best-practices', check('2026-12-06T09:10:00.000Z', false), dir);
    const read = readProgress(dir);
    assert.equal(Object.keys(read.labs).sort(), ['02-low-latency', '04-best-practices']);
    assert.equal(read.labs['02-low-latency'], failedLater.lab, 'what is read is what was written');
    assert.is(failedLater.setAside, undefined);
  }),
);

test(
  'a damaged record is reported, read as empty, and moved aside (never written over) by the next check',
  withDir((dir) => {
    const file = progressFile(dir);
    const damaged = [
      ['{"version": 1, "labs": {', /not JSON/],
      ['[]', /not a version 1 progress record/],
      [
        '{"version": 1, "labs": {"01-baseline": {"checks": 1, "last": {"at": "x", "passed": true, "fingerprint": "f", "findings": [null]}}}}',
        /entry for 01-baseline is not a check record/,
      ],
      ['{"version": 1, "labs": {"02-low-latency": {"checks": 1}}}', /entry for 02-low-latency is not a check record/],
    ] as const;
    for (const [text, why] of damaged) {
      rmSync(file, { force: true });
      writeFileSync(file, text);
      const loaded = loadProgress(dir);
      assert.match(loaded.damaged ?? '', why);
      assert.equal(loaded.progress, { version: 1, labs: {} });
    }
    const { setAside, lab } = recordCheck('01-baseline', check('2026-12-05T11:00:00.000Z', true), dir);
    assert.is(setAside, `${file}.damaged`);
    assert.is(readFileSync(setAside!, 'utf8'), damaged.at(-1)![0], 'the damaged record is kept byte for byte');
    assert.is(lab.checks, 1);
    assert.is(loadProgress(dir).damaged, undefined, 'the new record reads');

    writeFileSync(file, 'garbage');
    assert.is(
      recordCheck('01-baseline', check('2026-12-05T11:05:00.000Z', true), dir).setAside,
      `${file}.damaged.2`,
      'an earlier set-aside file is not written over',
    );
    assert.ok(existsSync(`${file}.damaged`));
  }),
);

test(
  '`workshop progress` shows each lab from the record, the next command, and says when the record is damaged',
  withDir(async (dir) => {
    const env = { [EXERCISES_DIR_ENV]: dir };
    const empty = await workshop(['progress'], env);
    assert.is(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /1 Baseline\s+not started\s+0\s+0\n/);
    assert.match(empty.stdout, 'Next: npx workshop exercise 1');

    recordCheck('01-baseline', check('2026-12-05T10:00:00.000Z', true), dir);
    recordCheck('02-low-latency', check('2026-12-05T10:30:00.000Z', false), dir);
    assert.equal(advanceHints('02-low-latency', ['low-latency'], 2, dir), { 'low-latency': 1 });
    assert.equal(
      advanceHints('02-low-latency', ['low-latency', 'low-latency'], 2, dir),
      { 'low-latency': 2 },
      'one step a --hint, whatever the failures sharing it',
    );
    assert.equal(advanceHints('02-low-latency', ['low-latency'], 2, dir), { 'low-latency': 2 }, 'never past the answer');
    recordCheck('02-low-latency', check('2026-12-05T10:40:00.000Z', false), dir);
    assert.equal(readProgress(dir).labs['02-low-latency'].hintSteps, { 'low-latency': 2 }, 'a later check keeps the steps shown');
    const some = await workshop(['progress'], env);
    assert.match(some.stdout, /1 Baseline\s+done\s+1\s+0\s+2026-12-05 10:00 UTC: passed/);
    assert.match(some.stdout, /2 Low latency\s+not started\s+2\s+2\s+2026-12-05 10:40 UTC: failed p50 end-to-end/);
    assert.match(some.stdout, 'Next: npx workshop exercise 2');

    writeFileSync(progressFile(dir), '{"version": 1, "labs": {');
    const damaged = await workshop(['progress'], env);
    assert.is(damaged.code, 0);
    assert.not.match(damaged.stdout + damaged.stderr, STACK_FRAME);
    assert.match(damaged.stdout, /could not be read: it is not JSON/);
    assert.match(damaged.stdout, /your next check keeps the file as .*progress\.json\.damaged/);
  }),
);

test(
  'bad input to exercise, solution, check and progress: one line, exit 2',
  withDir(async (dir) => {
    const env = { [EXERCISES_DIR_ENV]: dir };
    await refused(['exercise'], /workshop exercise takes one lab: 1 \(01-baseline\)/, env);
    await refused(['exercise', '9'], /Unknown lab "9": use 1 \(01-baseline\)/, env);
    await refused(['solution', '1', '2'], /workshop solution takes one lab/, env);
    await refused(['check', '2', '--hints'], /unknown option --hints \(did you mean --hint\?\).*workshop --help/, env);
    await refused(['check', '2', '--time-scale', '0'], /--time-scale 0 is not valid: use a number from 1 to 600/, env);
    await refused(['check', '3'], /Lab 3 has no exercise in .* yet: start it with `npx workshop exercise 3`/, env);
    await refused(['progress', '2'], /workshop progress takes no lab/, env);
    assert.not.ok(existsSync(progressFile(dir)), 'a refused command records nothing');

    // Something in the way in the learner's own folder is theirs to fix: named, exit 2, not "a server failed".
    mkdirSync(join(dir, '01-baseline', 'spec.ts'), { recursive: true });
    await refused(['exercise', '1'], /Could not read .*01-baseline\/spec\.ts \(EISDIR\): check that nothing else of that name is in the way/, env);
    await refused(['check', '1'], /Could not read .*01-baseline\/spec\.ts \(EISDIR\)/, env);
    writeFileSync(join(dir, '02-low-latency'), 'a file where the lab folder belongs');
    await refused(['exercise', '2'], /Could not mkdir .*02-low-latency \(EEXIST\)/, env);
  }),
);

test(
  "`exercise` run again keeps the learner's edits; `exercise --reset` starts over and says where the edits went",
  withDir(async (dir) => {
    const env = { [EXERCISES_DIR_ENV]: dir };
    const spec = join(dir, '02-low-latency', 'spec.ts');
    assert.is((await workshop(['exercise', '2'], env)).code, 0);
    const start = readFileSync(spec, 'utf8');
    writeFileSync(spec, `${start}// my change\n`);

    const again = await workshop(['exercise', '2'], env);
    assert.is(again.code, 0, again.stderr);
    assert.match(again.stdout, /spec\.ts \(yours, kept\)/);
    assert.match(again.stdout, 'To start them over: npx workshop exercise 2 --reset');
    assert.is(readFileSync(spec, 'utf8'), `${start}// my change\n`);

    const reset = await workshop(['exercise', '2', '--reset'], env);
    assert.is(reset.code, 0, reset.stderr);
    assert.is(readFileSync(spec, 'utf8'), start, 'the starting state again');
    const backup = /what it held before is saved in (\S+)\)/.exec(reset.stdout)?.[1];
    assert.ok(backup, reset.stdout);
    assert.is(readFileSync(resolve(REPO_ROOT, backup!), 'utf8'), `${start}// my change\n`, 'the edit is in the backup it names');
  }),
);

test(
  '`solution 4` says where the answer to the parallelByKey TODO lives, since the handler it writes only imports it',
  withDir(async (dir) => {
    const run = await workshop(['solution', '4'], { [EXERCISES_DIR_ENV]: dir });
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stdout, 'the solution uses inParallelByKey from handlers/shared/processing.ts');
    assert.match(readFileSync(join(REPO_ROOT, 'handlers', 'shared', 'processing.ts'), 'utf8'), /export const inParallelByKey: Schedule/);
  }),
);

test('a checkpoint prints a hint once when several failures share it: the idea always, where after one --hint, the answer after two', () => {
  const lab3 = LABS.find((l) => l.number === 3)!;
  const { hints } = checkpointOf(lab3.id);
  const failing = ['end-to-end p50', 'end-to-end p99', 'sustained throughput'];
  assert.ok(
    failing.every((name) => hints[name] === hints[failing[0]]),
    'the three share the buffer hint',
  );
  const record: CheckRecord = {
    at: '2026-12-05T10:00:00.000Z',
    passed: false,
    fingerprint: 'f',
    findings: [{ name: 'spec.ts compiles', pass: true }, ...failing.map((name) => ({ name, pass: false, measured: 'x' }))],
  };
  const count = (text: string, part: string) => text.split(part).length - 1;
  const hint = hints[failing[0]];
  const plain = renderCheck(lab3, record, {});
  assert.is(count(plain, hint.idea), 1);
  assert.is(count(plain, '(the same place to look as above)'), 2);
  assert.is(count(plain, hint.where), 0, 'no place before --hint');
  assert.is(count(plain, hint.answer), 0, 'no answer before --hint');
  assert.match(plain, 'not yet: 3 of 4 checks failed');
  assert.match(plain, 'more help: npx workshop check 3 --hint shows where to look');
  const once = renderCheck(lab3, record, { [hint.id]: 1 });
  assert.is(count(once, hint.where), 1);
  assert.is(count(once, hint.answer), 0, 'the answer only after the place');
  assert.match(once, '--hint shows the answer');
  const twice = renderCheck(lab3, record, { [hint.id]: 2 });
  assert.is(count(twice, hint.answer), 1);
  assert.match(twice, 'stuck? npx workshop solution 3');
});

/** The file:line:column locations a check printed, each resolved from where it was run. */
function locations(stdout: string, cwd: string): Array<{ path: string; line: number }> {
  return [...stdout.matchAll(/(\S+\.ts):(\d+):(\d+): /g)].map((m) => ({ path: resolve(cwd, m[1]), line: Number(m[2]) }));
}

test(
  'a spec or handler that does not compile fails the check in its files stage at the right file:line, from any folder, with no run',
  withDir(async (dir) => {
    const env = { [EXERCISES_DIR_ENV]: dir };
    const leftBehind: string[] = [];
    for (const [lab, labId, name] of [
      ['1', '01-baseline', 'spec.ts'],
      ['4', '04-best-practices', 'booking-processor.ts'],
    ] as const) {
      const file = join(dir, labId, name);
      const started = await workshop(['exercise', lab], env);
      assert.is(started.code, 0, started.stderr);
      const before = readFileSync(file, 'utf8');
      writeFileSync(file, `${before}\nexport const broken = {;\n`);
      const brokenLine = before.split('\n').length + 1;
      for (const cwd of [REPO_ROOT, dirname(file), tmpdir()]) {
        const run = await workshop(['check', lab], env, cwd);
        assert.is(run.code, 1, `${run.stdout}\n${run.stderr}`);
        assert.not.match(run.stdout + run.stderr, STACK_FRAME);
        assert.equal(locations(run.stdout, cwd), [{ path: file, line: brokenLine }], `lab ${lab} from ${cwd}:\n${run.stdout}`);
        assert.not.match(run.stdout, /p50 end-to-end/, 'no traffic was run');
        leftBehind.push(...(existsSync(LEARNER_SPECS) ? readdirSync(LEARNER_SPECS) : []).filter((f) => f.startsWith(`spec-${run.pid}-`)));
      }
      assert.is(readProgress(dir).labs[labId].last.passed, false, 'the failed check is recorded');
    }
    assert.equal(leftBehind, [], 'a check leaves no compiled spec behind');
  }),
);

test(
  "a misspelt key in a learner's spec fails the check in seconds, at its file:line, with the key meant, before any server starts",
  withDir(async (dir) => {
    const env = { [EXERCISES_DIR_ENV]: dir };
    for (const [lab, labId, typo, meant] of [
      ['1', '01-baseline', '    batchingWindowSecond: 1,', 'batchingWindowSeconds'],
      ['2', '02-low-latency', '    provisionedPoller: { minimum: 2, maximum: 2 },', 'provisionedPollers'],
    ] as const) {
      assert.is((await workshop(['exercise', lab], env)).code, 0);
      const file = join(dir, labId, 'spec.ts');
      const lines = readFileSync(file, 'utf8').split('\n');
      const at = lines.findIndex((l) => l.includes('kafkaEsm: {')) + 1;
      lines.splice(at, 0, typo);
      writeFileSync(file, lines.join('\n'));
      const started = Date.now();
      const run = await workshop(['check', lab], env);
      const seconds = (Date.now() - started) / 1000;
      assert.is(run.code, 1, `${run.stdout}\n${run.stderr}`);
      assert.equal(locations(run.stdout, REPO_ROOT), [{ path: file, line: at + 1 }], run.stdout);
      assert.match(run.stdout, `Did you mean to write '${meant}'?`);
      assert.not.match(run.stdout, /end-to-end p50/, 'no traffic was run');
      console.log(`[measured] lab ${lab}: a misspelt key (${typo.trim()}) was named in ${seconds.toFixed(1)} s`);
    }
  }),
);

test.run();
