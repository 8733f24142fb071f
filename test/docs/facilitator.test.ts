// docs/FACILITATOR.md, the instructor's guide, cannot drift from the code: its generated blocks are
// what `npm run facilitator` writes now (the exit codes, every exit-2 and exit-3 message read from
// the source, doctor's lines, the recorded runs and their machine times); each recorded run is of
// the solution as it is now and is what today's reporter prints for its result, so a change of the
// report's format, a target or a lab's solution fails here until the runs are recorded again; its
// commands pass the guide's static checks and those in shell blocks are ones the guide's runners
// already run; each lab states its rule word for word; its links resolve. Reads files, runs nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BLOCKS, GUIDE, regenerate, renderBlocks, type ThrownMessage, thrownMessages, walkSentence } from '../../docs/facilitator.ts';
import { CORE_LABS, type CorePathWalk, type RecordedRuns, readCorePathWalk, readRuns, reportPart } from '../../docs/facilitator-record.ts';
import { checkCommandsText, checkGuideCommands, formatProblem, planLocalRuns } from '../../docs/guide-commands.ts';
import { checkLinksText } from '../../docs/guide-links.ts';
import { REPO_ROOT } from '../../docs/markdown.ts';
import { checkTargets } from '../../harness/check-targets.ts';
import { effectiveSpec } from '../../harness/run-lab.ts';
import { renderComparison, renderTargets } from '../../harness/text-report.ts';
import { capacityModel } from '../../labs/capacity-model.ts';
import { findLab, LABS } from '../../labs/index.ts';
import { RULES } from '../../labs/model-rules.ts';
import { EXIT } from '../../labs/workshop-error.ts';

const text = readFileSync(join(REPO_ROOT, GUIDE), 'utf8');
const runs = readRuns();
const messages = thrownMessages();
const walk = readCorePathWalk();

test('docs/FACILITATOR.md is what `npm run facilitator` writes now', async () => {
  assert.fixture(text, await regenerate(text), `${GUIDE} is stale: run npm run facilitator`);
});

test('a change of the exit-code table, a message or a recorded run makes the committed guide stale', async () => {
  const blocks = await renderBlocks(runs, messages, walk);
  for (const name of BLOCKS) assert.match(text, `<!-- generated:${name} -->`);
  const changedExit = (await renderBlocks(runs, messages, walk))['facilitator:exit-codes'].replace(EXIT.environment.meaning, 'something else');
  assert.is.not(await regenerate(text, { ...blocks, 'facilitator:exit-codes': changedExit }), text);
  const oneMore: ThrownMessage[] = [...messages, { code: 2, message: 'A new refusal.', file: 'harness/cli.ts' }];
  assert.is.not(await regenerate(text, await renderBlocks(runs, oneMore, walk)), text);
  const slower: RecordedRuns = structuredClone(runs);
  slower.runs[0].seconds += 10;
  assert.is.not(await regenerate(text, await renderBlocks(slower, messages, walk)), text);
  const longerWalk: CorePathWalk = structuredClone(walk);
  longerWalk.labs[0].seconds += 10;
  assert.is.not(await regenerate(text, await renderBlocks(runs, messages, longerWalk)), text);
  assert.equal(
    walk.labs.map((l) => l.lab),
    CORE_LABS,
    'the walk measured each core lab',
  );
  assert.ok(
    walk.labs.every((l) => l.commands > 0 && l.seconds > 0),
    'each with its commands',
  );
  let refused: unknown;
  try {
    await regenerate(text.replace('<!-- generated:facilitator:messages -->', ''), blocks);
  } catch (error) {
    refused = error;
  }
  assert.match((refused as Error | undefined)?.message ?? '', 'has no <!-- generated:facilitator:messages --> block');
});

test('the messages are read from the source: every exit code of EXIT is in the guide, with exit-2 and exit-3 lines', () => {
  for (const exit of Object.values(EXIT)) assert.match(text, `| ${exit.code} | ${exit.meaning} |`);
  const bad = messages.filter((m) => m.code === EXIT.badInput.code);
  const env = messages.filter((m) => m.code === EXIT.environment.code);
  assert.ok(bad.length >= 40 && env.length >= 30, `${bad.length} exit-2 and ${env.length} exit-3 messages`);
  // Ones a learner meets, as the code builds them.
  assert.ok(
    env.some((m) => m.file === 'sandbox/jars.ts' && m.message.startsWith('Java <minJava> or newer is needed')),
    'the missing Java line',
  );
  assert.ok(
    bad.some((m) => m.file === 'labs/lab-spec.ts' && m.message.startsWith('Lab <labId> is not a valid configuration')),
    'a LabSpecError, by its template',
  );
  assert.ok(
    messages.every((m) => m.code === EXIT.badInput.code || m.code === EXIT.environment.code || m.code === EXIT.unexpected.code),
    'each message has an exit code of EXIT',
  );
  assert.not.ok(
    messages.some((m) => m.file === 'sandbox/lock-jars.ts'),
    "the maintainers' lock script is left out",
  );
});

test('each recorded run is of the solution as it is now, and prints what today’s reporter prints for its result', () => {
  assert.equal(
    runs.runs.filter((r) => r.quick).map((r) => r.lab),
    LABS.map((l) => l.id),
    'a quick run of each lab',
  );
  for (const run of runs.runs) {
    const lab = findLab(run.lab)!;
    const spec = effectiveSpec(lab, { quick: run.quick });
    assert.equal(run.result.config, JSON.parse(JSON.stringify(spec)), `${run.command}: recorded with the solution as it is now (record again)`);
    assert.equal(run.result.model, JSON.parse(JSON.stringify(capacityModel(spec))), `${run.command}: the capacity model as it is now`);
    const targets = checkTargets(spec, 'local', capacityModel(spec), run.result);
    assert.equal(run.result.targets, JSON.parse(JSON.stringify(targets)), `${run.command}: the targets and their reasons as the code checks them now`);
    const printed = `${renderTargets(run.result)}\n${renderComparison([run.result])}`.trim();
    assert.fixture(run.report, printed, `${run.command}: the report's format changed; run npm run facilitator -- --record`);
    assert.match(run.report, new RegExp(`^${lab.id} \\(local\\) — ${run.result.passed ? 'PASS' : 'FAIL'}`));
  }
  for (const run of runs.runs.filter((r) => r.quick && CORE_LABS.includes(findLab(r.lab)!.number))) {
    assert.is(run.exitCode, EXIT.passed.code, `${run.command} passed when it was recorded`);
  }
});

test('reportPart keeps what a run prints after its progress line', () => {
  const stdout = '01-baseline |███| load 4/45 s\r01-baseline |███| done\n\n01-baseline (local) — PASS\n  pass  x\n\nEnd-to-end\n';
  assert.is(reportPart(stdout, '01-baseline'), '01-baseline (local) — PASS\n  pass  x\n\nEnd-to-end');
  assert.throws(() => reportPart('nothing', '01-baseline'), /no "01-baseline \(local\) — PASS\|FAIL" line/);
});

test('each lab states its rule word for word, as the check explains with it', () => {
  for (const rule of Object.values(RULES)) assert.ok(text.includes(rule), `the guide states: ${rule}`);
});

test('its commands pass the static checks; those in shell blocks are ones the guide runners already run', async () => {
  const checked = await checkCommandsText(GUIDE, text);
  assert.equal(checked.problems.map(formatProblem), [], 'commands with problems');
  const blocks = checked.commands.filter((c) => c.source === 'block');
  assert.ok(blocks.length >= 4, `${blocks.length} commands in shell blocks`);
  const guideSteps = planLocalRuns((await checkGuideCommands()).flatMap((c) => c.commands));
  const runByGuide = new Set(guideSteps.flatMap((s) => (s.kind === 'not-rerun' || s.kind === 'unrunnable' ? [] : [s.args.join(' ')])));
  for (const step of planLocalRuns(blocks)) {
    const where = step.from.map((c) => `${c.file}:${c.line} \`${c.text}\``).join(', ');
    assert.is.not(step.kind, 'unrunnable', `${where}: no test runs it`);
    if (step.kind === 'cli' || step.kind === 'sandbox' || step.kind === 'exercise')
      assert.ok(runByGuide.has(step.args.join(' ')), `${where}: not a command guide-runs or the exercise walk runs; use one of the guide's, or inline code`);
  }
});

test("WORKSHOP.md's Two paths quotes the core path's walk as recorded", () => {
  const workshop = readFileSync(join(REPO_ROOT, 'WORKSHOP.md'), 'utf8').replace(/\s+/g, ' ');
  assert.ok(workshop.includes(walkSentence()), `WORKSHOP.md says: ${walkSentence()}`);
});

test('every link resolves', () => {
  const { links, problems } = checkLinksText(GUIDE, text);
  assert.ok(links.length >= 10, `${links.length} links`);
  assert.equal(problems.map(formatProblem), []);
});

test.run();
