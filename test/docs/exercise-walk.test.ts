// The builders-session path of WORKSHOP.md, walked as a learner walks it: for each lab, the
// guide's own commands in the guide's order (`exercise N`, `check N`, `check N --hint`), through
// the real CLI (bin/workshop.js), then the learner's edit at the TODO markers, `check N` again
// until it passes, and `solution N`, which must restore the solution and say where the learner's
// version went. The exercise folder is a temporary one (WORKSHOP_EXERCISES_DIR), so a
// developer's own exercises are never touched. guide-runs.test.ts runs the guide's other commands.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkGuideCommands, planLocalRuns, type RunStep } from '../../docs/guide-commands.ts';
import { findLab, LABS } from '../../labs/index.ts';
import { checkpointOf } from '../../harness/exercise/checkpoints.ts';
import { EXERCISES_DIR_ENV, exerciseText, labFolder } from '../../harness/exercise/workspace.ts';
import { workshop, type CliRun } from '../harness/e2e/support.ts';

const dir = mkdtempSync(join(tmpdir(), 'klw-exercises-'));
const env = { [EXERCISES_DIR_ENV]: dir };
test.after(() => rmSync(dir, { recursive: true, force: true }));

const steps = planLocalRuns((await checkGuideCommands()).flatMap((c) => c.commands)).filter(
  (s): s is Extract<RunStep, { kind: 'exercise' }> => s.kind === 'exercise',
);

/** What a learner types at the TODO markers: [file, the starting text, what they write]. */
const EDITS: Record<number, Array<[string, string, string]>> = {
  1: [
    [
      'spec.ts',
      "    // TODO(lab 1): someone tuned this mapping before you. Leave every batching setting at AWS's default.\n    batchSize: 10,\n    batchingWindowSeconds: 0,\n",
      '    batchSize: 100,\n',
    ],
  ],
  2: [
    [
      'spec.ts',
      '    // TODO(lab 2): make the mapping invoke as soon as records arrive, with pollers ready for the spike.\n    batchSize: 100,\n',
      '    batchSize: 10,\n    batchingWindowSeconds: 0,\n' +
        '    provisionedPollers: sizeProvisionedPollers({ peakRatePerSec: PEAK_RATE_PER_SEC, recordsPerBatch: 10, batchDurationMs: 10 * problem.processor.processingMsPerRecord }),\n',
    ],
  ],
  3: [
    [
      'spec.ts',
      '  // TODO(lab 3): the processor cannot keep up behind the Kafka mapping alone. Give it room to scale.\n',
      '  sqsBuffer: { batchSize: 10, batchingWindowSeconds: 0, maximumConcurrency: 40, visibilityTimeoutSeconds: 180, maxReceiveCount: 5 },\n',
    ],
  ],
  4: [
    ['spec.ts', '    // TODO(lab 4): invoke the function only for the bookings it acts on.\n    filters: [],\n', "    filters: [{ value: { status: ['CONFIRMED'] } }],\n"],
    [
      'spec.ts',
      '    // TODO(lab 4): a poison event fails every time. Keep it from blocking its partition, and keep it.\n',
      "    maximumRetryAttempts: 2,\n    bisectBatchOnFunctionError: true,\n    reportBatchItemFailures: true,\n    onFailure: { kind: 'sqs', queueName: 'bookings-failed' },\n",
    ],
    [
      'spec.ts',
      "  // TODO(lab 4): let records of different bookings overlap in one invocation.\n  processor: { ...problem.processor, mode: 'sequential',",
      "  processor: { ...problem.processor, mode: 'parallel-by-key',",
    ],
    [
      'booking-processor.ts',
      "  // TODO(lab 4): records of different bookings may overlap; a booking's own records must stay in order.\n  for (let i = 0; i < keys.length; i++) await runOne(i);\n",
      '  const chains = new Map<string, number[]>();\n' +
        '  keys.forEach((key, i) => chains.set(key, [...(chains.get(key) ?? []), i]));\n' +
        '  await Promise.all([...chains.values()].map(async (chain) => {\n' +
        '    for (const i of chain) await runOne(i);\n' +
        '  }));\n',
    ],
    [
      'booking-processor.ts',
      '  // TODO(lab 4): when partial batch responses are on (settings.reportBatchItemFailures), fail only the failed records.\n  if (failed.length > 0) {',
      '  if (failed.length > 0 && settings.reportBatchItemFailures) return kafkaBatchResponse(failed.map((f) => f.ref));\n  if (failed.length > 0) {',
    ],
  ],
};

const tail = (run: CliRun) => `\n--- stdout (end)\n${run.stdout.slice(-3000)}\n--- stderr (end)\n${run.stderr.slice(-2000)}`;

function learnerEdit(labNumber: number): void {
  const lab = findLab(labNumber)!;
  for (const [name, before, after] of EDITS[labNumber]) {
    const file = join(labFolder(lab, dir), name);
    const text = readFileSync(file, 'utf8');
    assert.ok(text.includes(before), `${name} of lab ${labNumber} no longer has the starting text the walk edits:\n${before}`);
    writeFileSync(file, text.replace(before, after));
  }
  for (const { name } of checkpointOf(lab.id).files) {
    assert.not.match(readFileSync(join(labFolder(lab, dir), name), 'utf8'), /TODO\(lab/, `lab ${labNumber}'s ${name} still has a TODO after the edit`);
  }
}

test('WORKSHOP.md gives every lab the exercise path: exercise, check, check --hint', () => {
  for (const lab of LABS) {
    const guide = steps.filter((s) => s.args[1] === String(lab.number)).map((s) => s.args.join(' '));
    assert.equal(guide, [`exercise ${lab.number}`, `check ${lab.number}`, `check ${lab.number} --hint`], `lab ${lab.number}'s exercise commands in the guide`);
  }
  assert.ok(steps.some((s) => s.args[0] === 'progress'), 'the guide shows `workshop progress`');
});

for (const lab of LABS) {
  test(`lab ${lab.number}: exercise, check fails with a hint, the edit, check passes, solution restores`, async () => {
    for (const step of steps.filter((s) => s.args[1] === String(lab.number))) {
      const [action] = step.args;
      const args = action === 'check' && !step.args.includes('--hint') ? [...step.args, '--quick'] : step.args;
      const run = await workshop(args, { ...step.env, ...env });
      const where = `workshop ${args.join(' ')} [${step.from.map((c) => `${c.file}:${c.line}`).join(', ')}]`;
      if (action === 'exercise') {
        assert.is(run.code, 0, `${where} exited ${run.code}${tail(run)}`);
        assert.match(run.stdout, `TODO(lab ${lab.number})`, `${where} lists what to build`);
      } else {
        assert.is(run.code, 1, `${where} must fail before the learner's edit; exited ${run.code}${tail(run)}`);
        assert.match(run.stdout, `Lab ${lab.number} checkpoint — not yet`);
        const failed = [...run.stdout.matchAll(/^\s+FAIL\s+([^:\n]+)/gm)].map((m) => m[1].trim());
        const hints = checkpointOf(lab.id).hints;
        assert.ok(failed.length > 0 && failed.every((name) => hints[name]), `every failure has a hint: ${failed.join(', ')}${tail(run)}`);
        for (const name of failed) assert.ok(run.stdout.includes(hints[name].look), `${where} says what to look at for ${name}`);
        const withAnswer = failed.some((name) => run.stdout.includes(hints[name].more));
        assert.is(withAnswer, step.args.includes('--hint'), `${where}: the answer only with --hint${tail(run)}`);
      }
    }

    learnerEdit(lab.number);
    const edited = checkpointOf(lab.id).files.map((f) => readFileSync(join(labFolder(lab, dir), f.name), 'utf8'));
    const passed = await workshop(['check', String(lab.number), '--quick'], env);
    assert.is(passed.code, 0, `check ${lab.number} after the edit exited ${passed.code}${tail(passed)}`);
    assert.match(passed.stdout, `Lab ${lab.number} checkpoint — DONE`);

    const solution = await workshop(['solution', String(lab.number)], env);
    assert.is(solution.code, 0, tail(solution));
    checkpointOf(lab.id).files.forEach((file, i) => {
      const path = join(labFolder(lab, dir), file.name);
      assert.is(readFileSync(path, 'utf8'), exerciseText(file, 'solution', labFolder(lab, dir)), `${file.name} is the solution again`);
      const backup = new RegExp(`${file.name.replace('.', '\\.')}  \\(what it held before is saved in (\\S+)\\)`).exec(solution.stdout)?.[1];
      assert.ok(backup && existsSync(backup), `solution says where the learner's ${file.name} went${tail(solution)}`);
      assert.is(readFileSync(backup!, 'utf8'), edited[i], `the backup of ${file.name} holds the learner's version`);
    });
  });
}

test('progress shows every lab done, from the checks kept in the exercise folder', async () => {
  const run = await workshop(['progress'], env);
  assert.is(run.code, 0, tail(run));
  for (const lab of LABS) assert.match(run.stdout, new RegExp(`\\n\\s+${lab.number} .*\\bdone\\b`), `lab ${lab.number} is done${tail(run)}`);
  assert.match(run.stdout, `All ${LABS.length} labs done.`);
});

test.run();
