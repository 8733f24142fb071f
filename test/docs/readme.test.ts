// README.md for each reader, kept true where test/docs/guide.test.ts does not reach: the
// one-test command of its "Tests" section (every `npm test -- <path>` of the guide) runs and
// passes; the serial folders it lists are test/run.ts's SERIAL; each hop of "How `npm start`
// runs" names what its linked file has; it quotes no measured figure (docs/MEASURED.md holds them,
// generated); and the pages it sends readers to have links that resolve.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkGuideCommands, formatProblem, readPackageJson } from '../../docs/guide-commands.ts';
import { checkLinksText, extractLinks } from '../../docs/guide-links.ts';
import { guideDocuments, REPO_ROOT } from '../../docs/markdown.ts';
import { FIGURE } from '../../docs/measured.ts';
import { SERIAL } from '../run.ts';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

/** The text of a `###` (or `##`) section of README, its heading line excluded. */
function section(heading: string): string {
  const lines = README.split('\n');
  const start = lines.indexOf(heading);
  assert.ok(start >= 0, `README has the heading "${heading}"`);
  const level = heading.split(' ')[0];
  const end = lines.findIndex((line, i) => i > start && /^#{1,3} /.test(line) && line.split(' ')[0].length <= level.length);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The inline code spans of markdown text (fenced blocks left out). */
const inlineCode = (text: string) => [...text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/`([^`]+)`/g)].map((m) => m[1]);

function npmTest(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['test', '--', ...args], { cwd: REPO_ROOT, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

test('every `npm test -- <path>` the guide prints runs and passes', async () => {
  const commands = (await checkGuideCommands()).flatMap((c) => c.commands).filter((c) => c.kind === 'npm test' && c.source === 'block' && c.args.length > 0);
  assert.ok(
    commands.some((c) => c.file === 'README.md' && /^### Tests$/m.test(README.split('\n').slice(0, c.line).join('\n'))),
    'README\'s "Tests" section prints a one-test command in a ```bash block',
  );
  for (const c of commands) {
    const { code, output } = await npmTest(c.args);
    const summary = /^(\d+) passed, (\d+) failed/m.exec(output);
    assert.ok(
      code === 0 && summary && Number(summary[1]) > 0 && summary[2] === '0',
      `${c.file}:${c.line}: \`${c.text}\` exited ${code}:\n${output.slice(-2000)}`,
    );
  }
});

test("README's serial test folders are test/run.ts's SERIAL, in its order", () => {
  const listed = inlineCode(section('### Tests')).filter((code) => /^test\/[\w/-]+\/\*\*?$/.test(code));
  assert.equal(listed, SERIAL);
});

test('README states the rule for where a new test goes, and the paths it names exist', () => {
  const tests = section('### Tests');
  assert.match(tests, '**Test folders mirror the source: `test/<layer>/<subfolder>` tests `<layer>/<subfolder>`**');
  const paths = inlineCode(tests).filter((code) => /^(test\/)?[\w-]+\/[\w/.-]+$/.test(code) && !code.includes('<'));
  assert.ok(paths.includes('test/sandbox/kafka-esm') && paths.includes('sandbox/kafka-esm'), paths.join(', '));
  for (const path of paths) assert.ok(existsSync(join(REPO_ROOT, path)), `${path} exists`);
});

test('each hop of "How `npm start` runs" names what its file has, from the start script to the engine', () => {
  const text = section('### How `npm start` runs');
  assert.match(text, `\`npm start\` is \`${readPackageJson().scripts.start}\``);
  const items = text.split(/\n(?=\d+\. )/).filter((item) => /^\d+\. /.test(item));
  const files: string[] = [];
  for (const item of items) {
    const file = /\]\(([^)#]+)\)/.exec(item)?.[1];
    assert.ok(file, `a hop links its file: ${item.slice(0, 80)}`);
    files.push(file!);
    const source = readFileSync(join(REPO_ROOT, file!), 'utf8');
    const names = inlineCode(item).filter((code) => /^[A-Za-z_$][\w$]*$/.test(code));
    assert.ok(names.length > 0, `${file}: the hop names a function or class`);
    for (const name of names) assert.match(source, new RegExp(`\\b${name.replace('$', '\\$')}\\b`), `${file} has ${name}`);
  }
  assert.equal(files, [
    'harness/cli.ts',
    'harness/run-lab.ts',
    'harness/targets/local.ts',
    'sandbox/index.ts',
    'sandbox/kafka-esm/index.ts',
    'sandbox/kafka-esm/engine.ts',
  ]);
});

test('README quotes no measured figure: docs/MEASURED.md holds them, generated', () => {
  assert.equal(
    [...README.matchAll(FIGURE)].map((m) => m[0]),
    [],
  );
  assert.match(section('## Reliability'), '[docs/MEASURED.md](docs/MEASURED.md)');
});

test('README sends each reader on: learners, instructors, the sandbox model, the figures, developers', () => {
  const next = section('## Where to go next');
  for (const href of [
    'WORKSHOP.md',
    'docs/FACILITATOR.md',
    'WORKSHOP.md#instructor-notes',
    'sandbox/MODEL.md',
    'docs/MEASURED.md',
    '#working-on-the-code',
    'docs/DEVELOPING.md',
  ]) {
    assert.ok(next.includes(`](${href})`), `"Where to go next" links ${href}`);
  }
});

test('the pages README links to, beyond the guide, have links that resolve', () => {
  const pages = [
    ...new Set(
      extractLinks('README.md', README)
        .map((l) => l.target)
        .filter((t): t is string => !!t && t.endsWith('.md') && !guideDocuments().includes(t)),
    ),
  ];
  for (const page of ['docs/MEASURED.md', 'docs/DEVELOPING.md', 'sandbox/MODEL.md', 'docs/FACILITATOR.md'])
    assert.ok(pages.includes(page), `README links ${page}`);
  for (const page of pages) {
    const { problems } = checkLinksText(page, readFileSync(join(REPO_ROOT, page), 'utf8'));
    assert.equal(problems.map(formatProblem), [], `${page}: broken links`);
  }
});

test.run();
