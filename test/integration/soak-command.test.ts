// `npm run soak` as bench/README.md prints it, shortened: a 30-second soak runs the sandbox in its
// own process on the real broker, accounts for every event and writes its results (to a temporary
// folder here, so bench/results/ keeps the full-length figures). The slope verdict of a 30-second
// run means nothing, so only completion and zero loss are asserted; the full-length run is by hand.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SoakRun } from '../../bench/soak-report.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

function npmRunSoak(args: string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'soak', '--', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

test('npm run soak completes a short soak with every event accounted for and writes its results', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'klw-soak-'));
  let run: SoakRun;
  try {
    const { code, output } = await npmRunSoak(['--minutes', '0.5', '--rate', '200'], { SOAK_RESULTS_DIR: dir });
    assert.ok(code === 0 || code === 1, `the soak completed (exit ${code}):\n${output.slice(-3000)}`);
    const file = join(dir, 'soak-latest.json');
    assert.ok(existsSync(file), `results written:\n${output.slice(-2000)}`);
    assert.ok(existsSync(join(dir, 'soak-latest.md')));
    run = JSON.parse(readFileSync(file, 'utf8')) as SoakRun;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.is(run.accounting.lost, 0, 'nothing lost');
  assert.is(
    run.accounting.published,
    run.runs.reduce((n, r) => n + r.offered, 0),
    'every offered event was published',
  );
  assert.ok(run.accounting.published >= 0.5 * 60 * 200 * 0.99, `about 6,000 events (${run.accounting.published})`);
  assert.ok(run.drained, 'the pipeline drained');
  assert.ok(run.samples.length >= 3, 'memory was sampled during the run');
});

test('npm run soak refuses a bad argument with one line and exit 2', async () => {
  const { code, output } = await npmRunSoak(['--minutes', 'ten']);
  assert.is(code, 2);
  assert.is(output.trim().split('\n').length, 1, output);
  assert.match(output, '--minutes needs a number of minutes from 0.5 to 600, got ten.');
});

test.run();
