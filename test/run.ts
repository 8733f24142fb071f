// `npm test`: runs every test/**/*.test.ts file in its own process (a file that starts a broker
// cannot leak it into the next), sums uvu's per-file summaries and ends with one line
// `N passed, N failed`. A run that executed no test fails.
//
//   npm test                      every file
//   npm test -- test/labs         files under a folder, or a single file
//   TEST_JOBS=1 npm test          one file at a time
//   npm run test:faults           the fault suite (test/faults/); each fault's accounting block is
//                                 shown under its file's ok line, as is each [measured] line
//
// Browser tests need a Chromium: CHROME_PATH, or chromium / google-chrome on PATH; with none, a
// root shell with apt installs Debian's, anywhere else the run stops at once with the command.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { runsAsScript } from '../labs/entry-point.ts';
import { canInstallChromium, chromiumPlan, findChromium, INSTALL_COMMAND, installChromium, usesBrowser } from './browser/chromium.ts';

const ROOT = new URL('..', import.meta.url).pathname;
/**
 * Test files that start servers: run them one at a time, after the rest. `folder/*` is the files
 * directly in a folder (test/sandbox's own files start Kafka and ElasticMQ; its subfolders test
 * sandbox rules on a fake clock), `folder/**` everything under it. README, "Tests", lists them
 * (test/docs/readme.test.ts keeps it so).
 */
export const SERIAL = ['test/sandbox/*', 'test/integration/**', 'test/harness/e2e/**', 'test/docs/**', 'test/browser/**', 'test/faults/**'];
/** A file still running after this is stopped and counted as failed, so a hang never stalls CI. */
const FILE_TIMEOUT_MS = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 600_000);
/**
 * Files that take many minutes, with their own limit: each starts first in its pool, so the
 * other files run beside it instead of after it.
 */
export const LONG_RUNNING: Record<string, number> = {
  'test/stacks/deploy-rehearsal.test.ts': 1_200_000,
  // Five labs' exercises, each checked several times: about ten minutes.
  'test/docs/exercise-walk.test.ts': 1_200_000,
};

function timeLimit(file: string): number {
  return Math.max(FILE_TIMEOUT_MS, LONG_RUNNING[relative(ROOT, file)] ?? 0);
}

interface FileResult {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  ok: boolean;
  output: string;
  ms: number;
}

function findTests(path: string): string[] {
  const stat = statSync(path);
  if (stat.isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path)
    .filter((name) => name !== 'node_modules' && !name.startsWith('.'))
    .flatMap((name) => findTests(join(path, name)))
    .sort();
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

function runFile(file: string): Promise<FileResult> {
  const started = Date.now();
  const limit = timeLimit(file);
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: '0', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    // SIGTERM first, so the file's own hooks stop the servers it started.
    const timer = setTimeout(() => {
      output += `\n(stopped after ${limit / 1000} s: the file did not finish)`;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {}
      setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {}
      }, 15_000).unref();
    }, limit);
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const text = stripAnsi(output);
      const total = Number(/Total:\s+(\d+)/.exec(text)?.[1] ?? NaN);
      const passed = Number(/Passed:\s+(\d+)/.exec(text)?.[1] ?? NaN);
      const skipped = Number(/Skipped:\s+(\d+)/.exec(text)?.[1] ?? 0);
      const summarized = Number.isFinite(total) && Number.isFinite(passed);
      // uvu's Total counts the tests that ran (skipped ones are not in it). A file that crashed
      // before uvu's summary counts as one failure, never as a pass.
      const failed = summarized ? total - passed : 1;
      resolve({
        file: relative(ROOT, file),
        passed: summarized ? passed : 0,
        failed: failed + (summarized && code !== 0 && failed === 0 ? 1 : 0),
        skipped,
        ok: code === 0 && summarized && failed === 0,
        output: signal ? `${text}\n(killed by ${signal})` : text,
        ms: Date.now() - started,
      });
    });
  });
}

async function runPool(all: string[], jobs: number, report: (r: FileResult) => void): Promise<FileResult[]> {
  const isLong = (file: string) => relative(ROOT, file) in LONG_RUNNING;
  const files = [...all.filter(isLong), ...all.filter((file) => !isLong(file))];
  const results: FileResult[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < files.length) {
      const file = files[next++];
      const result = await runFile(file);
      results.push(result);
      report(result);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return results;
}

/**
 * Report blocks a passing file prints for a reader: a line starting with `[fault]` (the fault
 * suite's accounting), `[measured]` (a figure a test measured, such as the core path's machine
 * time) or `[skipped]` (what this machine lacks for a test that needs it), and the indented lines under it. uvu may put its progress dots in front.
 */
function reportBlocks(output: string): string[] {
  const lines: string[] = [];
  let inBlock = false;
  for (const line of output.split('\n')) {
    const start = /^(?:[•✘]\s*)*(\[(?:fault|measured|skipped)\] .*)$/.exec(line);
    if (start) {
      lines.push(start[1]);
      inBlock = true;
    } else if (inBlock && /^ {8}\S/.test(line)) {
      lines.push(`  ${line.trimStart()}`);
    } else {
      inBlock = false;
    }
  }
  return lines;
}

function report(result: FileResult): void {
  const seconds = (result.ms / 1000).toFixed(1);
  if (result.ok) {
    console.log(`  ok    ${result.file}  (${result.passed} passed${result.skipped ? `, ${result.skipped} skipped` : ''}, ${seconds} s)`);
    for (const line of reportBlocks(result.output)) console.log(`        ${line}`);
  } else {
    console.log(`  FAIL  ${result.file}  (${result.passed} passed, ${result.failed} failed, ${seconds} s)`);
    console.log(
      result.output
        .split('\n')
        .map((line) => `        ${line}`)
        .join('\n'),
    );
  }
}

/** A Chromium for the browser tests: found, or installed (root with apt), or the run stops here. */
function ensureChromium(files: number): string | undefined {
  let plan = chromiumPlan(findChromium(), canInstallChromium(), files);
  if (plan.kind === 'install')
    plan = installChromium()
      ? chromiumPlan(findChromium(), false, files)
      : { kind: 'stop', message: `apt-get could not install chromium (see its error above): install it with \`${INSTALL_COMMAND}\`, or set CHROME_PATH.` };
  if (plan.kind === 'use') return plan.path;
  console.log(plan.kind === 'stop' ? plan.message : '');
  console.log('0 passed, 1 failed');
  return undefined;
}

function matchesFolder(file: string, pattern: string): boolean {
  const folder = pattern.replace(/\/\*\*?$/, '');
  return pattern.endsWith('/**') ? file.startsWith(`${folder}/`) : dirname(file) === folder;
}

async function main(): Promise<void> {
  const targets = process.argv.slice(2);
  const missing = targets.filter((t) => !existsSync(join(ROOT, t)));
  if (missing.length > 0) {
    console.error(
      `No such test file or folder: ${missing.join(', ')}. Give paths from the project root, e.g. npm test -- test/labs or npm test -- test/labs/lab-spec.test.ts.`,
    );
    process.exit(2);
  }
  const files = (targets.length > 0 ? targets : ['test']).flatMap((t) => findTests(join(ROOT, t)));
  const isSerial = (file: string) => SERIAL.some((pattern) => matchesFolder(relative(ROOT, file), pattern));
  const jobs = Number(process.env.TEST_JOBS ?? 2);
  const browserFiles = files.filter(usesBrowser).length;
  if (browserFiles > 0) {
    const chromium = ensureChromium(browserFiles);
    if (!chromium) process.exit(1);
    process.env.CHROME_PATH = chromium;
  }
  console.log(`Running ${files.length} test files`);
  const results = [
    ...(await runPool(
      files.filter((f) => !isSerial(f)),
      jobs,
      report,
    )),
    ...(await runPool(files.filter(isSerial), 1, report)),
  ];
  const passed = results.reduce((sum, r) => sum + r.passed, 0);
  const failed = results.reduce((sum, r) => sum + r.failed, 0);
  const skipped = results.reduce((sum, r) => sum + r.skipped, 0);
  if (passed + failed === 0) {
    console.log('No test ran: that is a failure, not a pass.');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed === 0 ? 0 : 1);
}

// Imported (for SERIAL), it runs nothing.
if (runsAsScript(import.meta.url)) await main();
