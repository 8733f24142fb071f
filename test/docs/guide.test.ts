// WORKSHOP.md, README.md and the lab READMEs as a tested guide, the static half (a few seconds):
// every command in a shell block parses with the real CLI / scripts / deploy parsers, every link
// to a repo file resolves, and the checker itself fails, naming file and line, on a broken copy.
// Running the local commands is test/docs/guide-runs.ts (two test files, a shard each).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildSite } from '../../docs/build-site.ts';
import {
  checkCommandsText,
  checkGuideCommands,
  type DocumentCheck,
  extractCommands,
  formatProblem,
  planLocalRuns,
  shellWords,
  stripComment,
} from '../../docs/guide-commands.ts';
import { checkGuideLinks, checkLinksText } from '../../docs/guide-links.ts';
import { createMarkdown, FACILITATOR_SOURCE, guideDocuments, headingIds, REPO_ROOT } from '../../docs/markdown.ts';
import { solutionBlocks, withoutSolutions } from '../../docs/solution-section.ts';
import { capacityModel } from '../../labs/capacity-model.ts';
import { pipelineAlt, pipelineSvg } from '../../labs/diagram.ts';
import { diagramFile } from '../../labs/diagram-files.ts';
import { LABS } from '../../labs/index.ts';
import { renderCapacityModel } from '../../labs/lab-readme.ts';
import { RULES, type Rule } from '../../labs/model-rules.ts';

const WORKSHOP = readFileSync(join(REPO_ROOT, 'WORKSHOP.md'), 'utf8');
let checked: DocumentCheck[] = [];

test('(a) every command in every shell block passes the static checks', async () => {
  checked = await checkGuideCommands();
  assert.equal(
    checked.map((c) => c.file),
    guideDocuments(),
  );
  const problems = checked.flatMap((c) => c.problems).map(formatProblem);
  assert.equal(problems, [], `guide commands with problems:\n${problems.join('\n')}`);
  const workshop = checked.find((c) => c.file === 'WORKSHOP.md')!;
  const blocks = workshop.commands.filter((c) => c.source === 'block');
  // Extraction that silently finds nothing would pass everything: pin what the guide has.
  assert.ok(blocks.filter((c) => c.place === 'local').length >= 10, 'WORKSHOP.md has its local commands');
  assert.ok(blocks.filter((c) => c.place === 'aws').length >= 10, 'WORKSHOP.md has its AWS commands');
  for (const kind of ['npx workshop', 'npm run', 'npm install', 'npm start'] as const)
    assert.ok(
      blocks.some((c) => c.kind === kind),
      `WORKSHOP.md has ${kind}`,
    );
  assert.ok(
    checked.find((c) => c.file === 'README.md')!.commands.some((c) => c.source === 'block' && c.kind === 'npm test'),
    'README.md has npm test',
  );
});

test('(a) every local command is one guide-runs.test.ts knows how to run', () => {
  const steps = planLocalRuns(checked.flatMap((c) => c.commands));
  const unrunnable = steps.filter((s) => s.kind === 'unrunnable');
  assert.equal(
    unrunnable.map((s) => `${s.from[0].file}:${s.from[0].line}: ${s.kind === 'unrunnable' ? s.why : ''}`),
    [],
  );
  // npm install, npm test and npm run synth are what CI itself runs (.ci/run: npm ci, npm test;
  // test/stacks synthesizes): guide-runs does not run them again, the checks above make sure they exist.
  const notRerun = steps.filter((s) => s.kind === 'not-rerun').map((s) => s.from[0].kind);
  assert.ok(notRerun.includes('npm install') && notRerun.includes('npm test'));
});

test('(b) every link to a repo file resolves, and every #anchor matches a heading', () => {
  const results = checkGuideLinks();
  const problems = results.flatMap((r) => r.problems).map(formatProblem);
  assert.equal(problems, [], `broken links:\n${problems.join('\n')}`);
  const workshop = results.find((r) => r.file === 'WORKSHOP.md')!;
  assert.ok(
    workshop.links.some((l) => l.href === '#clean-up'),
    'WORKSHOP.md links to its own #clean-up',
  );
  assert.ok(workshop.links.some((l) => l.href === 'labs/01-baseline/spec.ts'));
  assert.ok(headingIds(createMarkdown(), WORKSHOP).includes('lab-0--setup'), "GitHub's slug: the em dash goes, both spaces stay");
});

/** WORKSHOP.md with one command renamed, one --set path misspelled and two links broken. */
function brokenCopy(): { text: string; lineOf: (needle: string) => number } {
  const text = WORKSHOP.replace('```bash\nnpx workshop run 1\n```', '```bash\nnpx workshop start 1\n```')
    .replace('npx workshop run 1 --set kafkaEsm.batchSize=10', 'npx workshop run 1 --set kafkaEsm.batchSise=10')
    .replace('[labs/02-low-latency/spec.ts](labs/02-low-latency/spec.ts)', '[labs/02-low-latency/spec.ts](labs/02-low-latency/spec.tsx)')
    .replace('(see [Clean-up](#clean-up))', '(see [Clean-up](#cleanup))');
  assert.is.not(text, WORKSHOP);
  const lines = text.split('\n');
  return { text, lineOf: (needle) => lines.findIndex((l) => l.includes(needle)) + 1 };
}

test('(c) the checker fails on a broken copy of WORKSHOP.md, naming file and line', async () => {
  const { text, lineOf } = brokenCopy();
  const file = 'WORKSHOP.copy.md'; // beside WORKSHOP.md, so its links resolve the same way
  const commands = (await checkCommandsText(file, text)).problems.map(formatProblem);
  const links = checkLinksText(file, text).problems.map(formatProblem);
  const renamed = lineOf('npx workshop start 1');
  const misspelled = lineOf('kafkaEsm.batchSise=10');
  assert.ok(renamed > 0 && misspelled > 0);
  assert.equal(commands.length, 2, commands.join('\n'));
  assert.match(
    commands[0],
    `${file}:${renamed}: \`workshop start\` is not a workshop command; main() accepts doctor, run, dashboard, room, pack, models, paths, sandbox`,
  );
  assert.match(commands[1], `${file}:${misspelled}: \`workshop run\` rejects it: Unknown --set path "kafkaEsm.batchSise". Did you mean kafkaEsm.batchSize?`);
  assert.equal(links.length, 2, links.join('\n'));
  assert.match(links[0], `${file}:${lineOf('(#cleanup)')}: no heading in ${file} has the anchor #cleanup`);
  assert.match(links[1], `${file}:${lineOf('spec.tsx')}: no such file: labs/02-low-latency/spec.tsx`);
});

test('(c) the checker refuses a shell block it cannot classify, an unknown command, an AWS step in a local block', async () => {
  const doc = [
    '# Doc',
    '',
    '```sh',
    'npx workshop models',
    '```',
    '',
    '```bash',
    'terraform apply',
    'npm run deploy -- 2',
    'npm run deplo -- 2',
    'npx workshop run 9',
    'npx workshop run 2 --set kafkaEsm.batchSize=100000',
    'npx workshop sandbox up --lab 7',
    'npx workshop models extra',
    '```',
    '',
    '```bash aws',
    'npm run deploy -- 02-low-latency',
    'npm run deploy -- lab-two',
    'npm run destroy -- 4 --all',
    'npm run deploy -- 2 --from exercises/02-low-latency --dry-run',
    'npm run deploy -- 2 --from exercises/01-baseline',
    'npx workshop check 2 --target aws',
    'npx workshop check 2 --target cloud',
    '```',
    '',
    '```json',
    '{"not": "a command"}',
    '```',
  ].join('\n');
  const problems = (await checkCommandsText('doc.md', doc)).problems.map(formatProblem);
  const expected: Array<[number, string]> = [
    [3, 'a shell block must be ```bash (local) or ```bash aws'],
    [8, 'not a command the guide checks know'],
    [9, 'needs an AWS account but sits in a ```bash block'],
    [10, 'package.json has no script "deplo"'],
    [11, '`workshop run` rejects it: Unknown lab "9"'],
    [12, '`workshop run` rejects it: With --set kafkaEsm.batchSize=100000'],
    [13, '--lab 7 is not a lab'],
    [14, '`workshop models` takes no argument'],
    [19, '`npm run deploy` rejects it: There is no lab "lab-two"'],
    [20, '`npm run destroy` rejects it: --all destroys everything deployed'],
    [22, "--from exercises/01-baseline is not lab 2's exercise folder: write --from exercises/02-low-latency"],
    [24, '`workshop check` rejects it: --target cloud is not a place a lab runs'],
  ];
  for (const [line, text] of expected)
    assert.ok(
      problems.some((p) => p.startsWith(`doc.md:${line}: ${text}`)),
      `expected doc.md:${line}: ${text}\ngot:\n${problems.join('\n')}`,
    );
  assert.is(problems.length, expected.length, problems.join('\n'));
});

test('(c) a local command of a kind the runner does not know is an unrunnable step', () => {
  const { commands } = extractCommands('doc.md', '```bash\nnpm run bench\nnpx workshop run 1\nnpx workshop run 1 --quick\nnpm start\n```\n');
  const steps = planLocalRuns(commands);
  assert.equal(
    steps.map((s) => s.kind),
    ['unrunnable', 'cli', 'cli'],
  );
  const [, run, start] = steps;
  assert.equal(run.kind === 'cli' && run.from.length, 2, 'identical runs are deduplicated (--quick is appended once)');
  assert.equal(start.kind === 'cli' && start.args.slice(0, 2), ['run', 'all']);
  assert.ok(start.kind === 'cli' && start.args.includes('--quick') && start.html?.endsWith('/index.html'));
});

test('shell lines: trailing comments, && and quotes', () => {
  assert.is(stripComment('npm install && npm start     # runs every lab'), 'npm install && npm start');
  assert.is(stripComment('npx workshop run 4 --set \'kafkaEsm.filters=["#x"]\' # why'), 'npx workshop run 4 --set \'kafkaEsm.filters=["#x"]\'');
  assert.equal(shellWords('npm install && npm start'), [
    ['npm', 'install'],
    ['npm', 'start'],
  ]);
  assert.equal(shellWords(`npx workshop run 4 --set 'kafkaEsm.filters=[]'`), [['npx', 'workshop', 'run', '4', '--set', 'kafkaEsm.filters=[]']]);
  const { commands } = extractCommands('d.md', '```bash\n# a comment line\n\nKAFKA_BROKERS=127.0.0.1:9092 npx workshop run 1\n```\n');
  assert.is(commands.length, 1);
  assert.equal(commands[0].env, { KAFKA_BROKERS: '127.0.0.1:9092' });
  assert.is(commands[0].line, 4);
});

test('the site shows the current capacity model and diagram even when a lab README is stale', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'klw-site-'));
  const lab = LABS[1];
  const readme = `labs/${lab.id}/README.md`;
  const read = (path: string) => {
    const text = readFileSync(join(REPO_ROOT, path), 'utf8');
    return path === readme
      ? text.replace(
          /(<!-- generated:capacity-model -->)[\s\S]*?(<!-- \/generated:capacity-model -->)/,
          '$1\n| quantity | model |\n|---|---|\n| latency floor (median, no network) | 999 ms |\n$2',
        )
      : text;
  };
  const site = await buildSite({ outDir, read, log: false });
  const html = readFileSync(join(outDir, `labs/${lab.id}/index.html`), 'utf8');
  assert.not.match(html, '999 ms');
  const floorRow = renderCapacityModel(lab)
    .split('\n')
    .find((row) => row.includes('latency floor'))!;
  const floor = floorRow.split('|')[2].trim();
  assert.match(html, `<td>latency floor (median, no network)</td>\n<td>${floor}</td>`);
  // So is its diagram: drawn from the spec when the site is built, not copied.
  assert.is(readFileSync(join(outDir, diagramFile(lab)), 'utf8'), pipelineSvg(lab));
  assert.match(html, `src="pipeline.svg" alt="${pipelineAlt(lab)}"`);
  assert.equal(site.warnings, []);
});

test('the site never makes a page of the facilitator guide: a participant page that links it is a warning', async () => {
  assert.not.match(WORKSHOP, `](${FACILITATOR_SOURCE})`, 'WORKSHOP.md names the facilitator guide, never links it');
  const outDir = mkdtempSync(join(tmpdir(), 'klw-site-facilitator-'));
  const linked = WORKSHOP.replace('## Clean-up\n', `## Clean-up\n\nSee [the facilitator guide](${FACILITATOR_SOURCE}).\n`);
  assert.is.not(linked, WORKSHOP);
  const read = (path: string) => (path === 'WORKSHOP.md' ? linked : readFileSync(join(REPO_ROOT, path), 'utf8'));
  const site = await buildSite({ outDir, read, log: false });
  assert.not.ok(
    site.pages.some((p) => p.source === FACILITATOR_SOURCE),
    'no page of it',
  );
  assert.equal(site.warnings.filter((w) => w.includes('facilitator guide')).length, 1, site.warnings.join('\n'));
});

/** Each lab's section of WORKSHOP.md, from its `## Lab N` heading to the next `##`. */
function labSection(guide: string, n: number): string {
  const start = guide.search(new RegExp(`^## Lab ${n} — `, 'm'));
  const rest = guide.slice(start + 1);
  const next = rest.search(/^## /m);
  return guide.slice(start, next < 0 ? undefined : start + 1 + next);
}

/** Which of labs/model-rules.ts's rules each lab states. */
const LAB_RULES: Record<number, Rule[]> = { 1: ['batch', 'latency'], 2: ['pollers'], 3: ['concurrency'], 4: ['byKey'], 5: ['schemaFirst'] };

test('each lab states its rule in one line, word for word the rule the check explains with', () => {
  const guide = readFileSync(join(REPO_ROOT, 'WORKSHOP.md'), 'utf8');
  for (const lab of LABS) {
    const ruleLine = labSection(guide, lab.number)
      .split('\n')
      .find((line) => line.startsWith('**The rule:**'));
    assert.ok(ruleLine, `Lab ${lab.number} has a "**The rule:**" line`);
    for (const rule of LAB_RULES[lab.number]) assert.match(ruleLine!, RULES[rule], `Lab ${lab.number} states ${rule}`);
    const readme = readFileSync(join(REPO_ROOT, 'labs', lab.id, 'README.md'), 'utf8');
    assert.match(readme, ruleLine!, `${lab.id}/README.md states the same rule`);
  }
});

test('answers out of sight: each lab builds first, its walkthrough folded after; each lab README folds its "What changes"', () => {
  const md = createMarkdown();
  const guide = readFileSync(join(REPO_ROOT, 'WORKSHOP.md'), 'utf8');
  for (const lab of LABS) {
    const section = labSection(guide, lab.number);
    const blocks = solutionBlocks(md, section);
    assert.is(blocks.length, 1, `Lab ${lab.number}: one folded solution walkthrough`);
    const build = section.indexOf('### Build it yourself');
    assert.ok(
      build > 0 && section.split('\n').findIndex((l) => l.startsWith('### Build it yourself')) < blocks[0].open,
      `Lab ${lab.number}: Build it yourself comes first`,
    );
    const open = withoutSolutions(md, section);
    assert.not.match(open, `npx workshop run ${lab.number}\n`, `Lab ${lab.number}: the solution's run is in the fold`);
    assert.not.match(open, `labs/${lab.id}/spec.ts`, `Lab ${lab.number}: the solution spec is named in the fold only`);
    assert.match(open, `npx workshop check ${lab.number}`);

    const readme = readFileSync(join(REPO_ROOT, 'labs', lab.id, 'README.md'), 'utf8');
    const [folded] = solutionBlocks(md, readme);
    assert.ok(folded, `${lab.id}/README.md folds its solution`);
    assert.match(folded.body.join('\n'), '**What changes');
    assert.not.match(withoutSolutions(md, readme), '**What changes', `${lab.id}/README.md: "What changes" only in the fold`);
  }
});

test('the site folds each solution: closed, with its summary, and a link into it opens it', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'klw-site-fold-'));
  await buildSite({ outDir, log: false });
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  assert.is(html.match(/<details>\s*<summary><strong>Solution: lab \d walkthrough<\/strong>/g)?.length, LABS.length);
  assert.not.match(html, '<details open', 'closed');
  assert.match(html, "if (node.tagName === 'DETAILS') node.open = true;");
});

test("the cost table's EPU line names every provisioned lab with the EPUs and the MB/s its capacity model counts", () => {
  const row = WORKSHOP.split('\n').find((line) => line.startsWith('| Provisioned pollers'));
  assert.ok(row, 'WORKSHOP.md has the provisioned pollers cost row');
  const provisioned = LABS.filter((lab) => lab.kafkaEsm.provisionedPollers);
  const numbers = provisioned.map((lab) => lab.number);
  assert.match(row!, `(labs ${numbers.slice(0, -1).join(', ')} and ${numbers.at(-1)})`);
  assert.match(row!, 'an EPU holds up to 10 pollers or 20 MB/s of reading, whichever fills first');
  for (const lab of provisioned) {
    const epus = capacityModel(lab).stages[0].eventPollerUnits!;
    assert.is(epus.count, 1, `lab ${lab.number} takes the one EPU the row says`);
    const read = epus.bound.match(/the ([\d.]+ MB\/s) read/)![1];
    assert.match(row!, new RegExp(`lab ${lab.number}'s [^:]*? read ${read.replace('.', '\\.')}`), `the row says what lab ${lab.number} reads`);
  }
  assert.match(row!, 'so each takes **one EPU**');
});

test.run();
