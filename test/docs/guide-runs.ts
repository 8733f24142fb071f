// WORKSHOP.md and the READMEs as a tested guide, the heavy half (run by guide-runs.test.ts and
// guide-runs-2.test.ts, a shard each, so each file stays within the runner's time limit): every LOCAL command (```bash
// blocks; ```bash aws blocks need an AWS account and are only checked statically by
// guide.test.ts) is run the way a participant runs it, through the real CLI (bin/workshop.js).
//
//   npx workshop run ...       with --quick appended, identical commands run once. A plain run
//                              (no --set) must exit 0; a what-if with --set may exit 0 or 1 (some
//                              fail a target on purpose) but never 2, and a 1 must be a target
//                              that failed, not a crash.
//   npx workshop models|paths  must exit 0.
//   npx workshop sandbox ...   in the guide's order, with WORKSHOP_SANDBOX_STATE_DIR set to a
//                              temporary folder so a participant's sandbox is never touched; the
//                              after hook brings the sandbox down whatever happened.
//   npm start                  runs as its package.json script's CLI arguments plus --quick, the
//                              HTML report in a temporary folder: `npx workshop run all --target
//                              local --quick --html <tmp>/index.html` (see planLocalRuns).
//   npm install, npm test,     not re-run here: they are what CI itself runs (.ci/run: `npm ci`,
//   npm run synth              then `npm test`, of which this file is part; test/stacks
//                              synthesizes every stack). guide.test.ts checks that they exist.
//
// A local command of any other kind is an `unrunnable` step and fails the first test: a guide
// step with no test is a failing test.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkGuideCommands, describeStep, planLocalRuns, type RunStep, TMP } from '../../docs/guide-commands.ts';
import { type CliRun, workshop } from '../harness/e2e/support.ts';

/** The guide's steps are run by SHARDS files (guide-runs.test.ts, guide-runs-2.test.ts), each in its own process and time limit. */
export const SHARDS = 2;

/**
 * Registers the tests of one shard: every other `workshop` command of the guide, in guide order;
 * shard 0 also checks that every step is runnable and runs the sandbox commands, in order.
 */
export async function guideRuns(shard: number): Promise<void> {
  const checked = await checkGuideCommands();
  const steps = planLocalRuns(checked.flatMap((c) => c.commands));
  const tmp = mkdtempSync(join(tmpdir(), 'klw-guide-'));
  const sandboxEnv = { WORKSHOP_SANDBOX_STATE_DIR: mkdtempSync(join(tmpdir(), 'klw-guide-sandbox-')) };
  const timings: string[] = [];

  test.after(async () => {
    await workshop(['sandbox', 'down'], sandboxEnv);
    console.log(`\nGuide commands run (${timings.length}):\n${timings.join('\n')}`);
  });

  const tail = (run: CliRun) => `\n--- stdout (end)\n${run.stdout.slice(-3000)}\n--- stderr (end)\n${run.stderr.slice(-3000)}`;

  async function timed(step: RunStep, args: string[], env: Record<string, string>): Promise<CliRun> {
    const started = Date.now();
    const run = await workshop(args, env);
    const failed = [...run.stdout.matchAll(/^\s+FAIL\s+([^:]+):/gm)].map((m) => m[1]);
    timings.push(
      `  ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  exit ${run.code}  workshop ${args.join(' ')}  [${step.from.map((c) => `${c.file}:${c.line}`).join(', ')}]` +
        (failed.length > 0 ? `\n            failed targets: ${failed.join(', ')}` : ''),
    );
    return run;
  }

  if (shard === 0) {
    test('every local command of the guide is one this file knows how to run', () => {
      const unrunnable = steps.filter((s) => s.kind === 'unrunnable').map((s) => `${describeStep(s)}: ${s.kind === 'unrunnable' ? s.why : ''}`);
      assert.equal(unrunnable, [], 'guide steps with no test');
      assert.ok(
        steps.some((s) => s.kind === 'cli'),
        'the guide has local commands to run',
      );
    });

    test('npm install, npm test and npm run synth are left to CI (and exist: guide.test.ts)', () => {
      for (const step of steps.filter((s) => s.kind === 'not-rerun')) assert.ok(step.kind === 'not-rerun' && step.why.length > 0, describeStep(step));
    });
  }

  const cliSteps = steps.filter((s) => s.kind === 'cli');
  for (const step of cliSteps.filter((_, i) => i % SHARDS === shard)) {
    if (step.kind !== 'cli') continue;
    const args = step.args.map((a) => a.replace(TMP, tmp));
    test(`${describeStep(step)} exits ${step.expect === 'pass' ? '0' : '0 or 1'}`, async () => {
      const run = await timed(step, args, step.env);
      if (step.expect === 'pass') {
        assert.is(run.code, 0, `workshop ${args.join(' ')} exited ${run.code}${tail(run)}`);
      } else {
        assert.ok(run.code === 0 || run.code === 1, `workshop ${args.join(' ')} exited ${run.code} (2 is bad input)${tail(run)}`);
        if (run.code === 1) assert.match(run.stdout, / — FAIL/, `exit 1 without a failed target is a crash${tail(run)}`);
      }
      if (args[0] === 'run') assert.match(run.stdout, /\((local|aws)\) — (PASS|FAIL)/, 'the run printed its verdict');
      if (step.html) assert.ok(existsSync(step.html.replace(TMP, tmp)), `npm start wrote its HTML report${tail(run)}`);
    });
  }

  const sandboxSteps = steps.filter((s) => s.kind === 'sandbox');
  if (shard === 0 && sandboxSteps.length > 0) {
    test(`the guide's sandbox commands, in order: ${sandboxSteps.map((s) => s.kind === 'sandbox' && s.args.join(' ')).join('; ')}`, async () => {
      for (const step of sandboxSteps) {
        if (step.kind !== 'sandbox') continue;
        const run = await timed(step, step.args, { ...step.env, ...sandboxEnv });
        assert.is(run.code, 0, `workshop ${step.args.join(' ')} exited ${run.code}${tail(run)}`);
        if (step.args[1] === 'up' || step.args[1] === 'status') assert.match(run.stdout, /KAFKA_BROKERS=|No sandbox is running/, tail(run));
      }
    });
  }
}
