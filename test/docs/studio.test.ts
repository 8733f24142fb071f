// `npm run studio`, checked as Workshop Studio would take the folder: contentspec.yaml, a page
// (front matter title and weight) for the landing page, every WORKSHOP.md section and every lab
// README, no folder without its page, every link resolving inside the export (page paths from
// the content root, Hugo's heading anchors, /static files, https), each lab's pipeline diagram a
// static file, no ```bash aws fence left, and each lab's local steps before its AWS steps. The
// export goes to a temporary folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { hrefsIn } from '../../docs/guide-links.ts';
import { HugoAnchors, hugoAnchor, hugoHeadings } from '../../docs/hugo-anchors.ts';
import { createMarkdown, FACILITATOR_SOURCE, fenceInfo, inlineText, labReadmes, REPO_ROOT } from '../../docs/markdown.ts';
import { solutionBlocks } from '../../docs/solution-section.ts';
import {
  AWS_HEADING,
  EVENT_TEMPLATE,
  EXPORT_MARKER,
  exportStudio,
  FACILITATOR_FILE,
  GuideContentError,
  PAGE_FILE,
  parseStudioArgs,
  type StudioExport,
} from '../../docs/studio-export.ts';
import { exitFor } from '../../harness/exit-codes.ts';
import { pipelineSvg } from '../../labs/diagram.ts';
import { diagramFile } from '../../labs/diagram-files.ts';
import { hostedEventTemplateYaml, PARTICIPANT_OUTPUTS } from '../../labs/hosted-event/template.ts';
import { LABS } from '../../labs/index.ts';

const md = createMarkdown();
const WORKSHOP = readFileSync(join(REPO_ROOT, 'WORKSHOP.md'), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'klw-studio-'));
const out = join(tmp, 'export');
let exported: StudioExport;

interface Page {
  /** Folder under content/, '' for the root. */
  dir: string;
  front: Record<string, unknown>;
  body: string;
}

const pages = new Map<string, Page>();

function readPage(dir: string): Page {
  const text = readFileSync(join(out, 'content', dir, PAGE_FILE), 'utf8');
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  assert.ok(m, `content/${dir}/${PAGE_FILE} starts with YAML front matter between --- lines`);
  return { dir, front: parse(m![1]) as Record<string, unknown>, body: m![2] };
}

/** Every folder under content/, '' for content/ itself. */
function folders(dir = ''): string[] {
  const here = join(out, 'content', dir);
  return [
    dir,
    ...readdirSync(here)
      .filter((name) => statSync(join(here, name)).isDirectory())
      .flatMap((name) => folders(dir ? `${dir}/${name}` : name)),
  ];
}

/** The ## sections of a markdown text: heading text and the fences in it, in order. */
function sectionsOf(text: string): Array<{ title: string; fences: Array<{ info: string; content: string }> }> {
  const tokens = md.parse(text, {});
  const sections: Array<{ title: string; fences: Array<{ info: string; content: string }> }> = [];
  tokens.forEach((token, i) => {
    if (token.type === 'heading_open' && token.tag === 'h2') sections.push({ title: inlineText(tokens[i + 1]), fences: [] });
    else if (token.type === 'fence' && sections.length > 0) sections[sections.length - 1].fences.push({ info: fenceInfo(token), content: token.content });
  });
  return sections;
}

/** The repository's files as the exporter reads them, with WORKSHOP.md replaced by `guide`. */
function withGuide(guide: string): (path: string) => string {
  return (path) => (path === 'WORKSHOP.md' ? guide : readFileSync(join(REPO_ROOT, path), 'utf8'));
}

function pageTitled(title: string): Page | undefined {
  return [...pages.values()].find((p) => p.front.title === title);
}

test.before(async () => {
  exported = await exportStudio({ outDir: out, log: false, repositoryUrl: 'https://example.com/kafka-lambda-workshop.git' });
  for (const dir of folders()) if (existsSync(join(out, 'content', dir, PAGE_FILE))) pages.set(dir, readPage(dir));
});

test.after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

test('contentspec.yaml parses, says version 2.0 and has the locale and the event account', () => {
  const raw = readFileSync(join(out, 'contentspec.yaml'), 'utf8');
  const spec = parse(raw) as Record<string, any>;
  assert.match(raw, /^version: 2\.0$/m, 'written as 2.0, as every real contentspec is');
  assert.is(spec.version, 2);
  assert.type(spec.defaultLocaleCode, 'string');
  assert.ok(Array.isArray(spec.localeCodes) && spec.localeCodes.includes(spec.defaultLocaleCode), 'localeCodes holds the default locale');
  assert.ok(spec.awsAccountConfig.accountSources.includes('WorkshopStudio'));
  assert.ok(spec.awsAccountConfig.participantRole.managedPolicies.length > 0);
  const regions = spec.awsAccountConfig.regionConfiguration;
  assert.ok(regions.minAccessibleRegions >= 1 && regions.maxAccessibleRegions >= regions.minAccessibleRegions);
  assert.equal(regions.deployableRegions.required, ['us-east-1']);
});

test('contentspec.yaml provisions each account with the hosted event template, copied into static/, its participant outputs visible', () => {
  const spec = parse(readFileSync(join(out, 'contentspec.yaml'), 'utf8')) as Record<string, any>;
  const templates = spec.infrastructure.cloudformationTemplates;
  assert.is(templates.length, 1);
  const [event] = templates;
  assert.is(event.templateLocation, EVENT_TEMPLATE);
  assert.match(event.templateLocation, /^static\//, 'Workshop Studio reads templates from static/');
  assert.type(event.label, 'string');
  assert.equal(event.participantVisibleStackOutputs, Object.values(PARTICIPANT_OUTPUTS));
  assert.equal(event.parameters, [{ templateParameter: 'RepositoryUrl', defaultValue: 'https://example.com/kafka-lambda-workshop.git' }]);
  const template = readFileSync(join(out, event.templateLocation), 'utf8');
  assert.is(template, hostedEventTemplateYaml(), 'the file is the template as generated now');
  const outputs = Object.keys(parse(template).Outputs);
  for (const key of event.participantVisibleStackOutputs) assert.ok(outputs.includes(key), `${key} is an output of the template`);
  assert.ok(exported.staticFiles.includes(EVENT_TEMPLATE));
});

test('--repo-url takes an https URL only', () => {
  assert.equal(parseStudioArgs(['--repo-url', 'https://example.com/r.git', '--out=x']), { repositoryUrl: 'https://example.com/r.git', outDir: 'x' });
  assert.throws(() => parseStudioArgs(['--repo-url', 'git@example.com:r.git']), /--repo-url git@example.com:r.git is not an https URL/);
  assert.throws(() => parseStudioArgs(['--repo-url']), /--repo-url needs a URL/);
});

test('every page has front matter with a string title and a numeric weight; every folder has its page', () => {
  assert.ok(pages.size >= 10, `${pages.size} pages`);
  const orphans = folders().filter((dir) => !pages.has(dir));
  assert.equal(orphans, [], 'a folder without index.en.md is not a page Workshop Studio can show');
  for (const page of pages.values()) {
    assert.type(page.front.title, 'string', `content/${page.dir}: title`);
    assert.ok((page.front.title as string).length > 0);
    assert.type(page.front.weight, 'number', `content/${page.dir}: weight`);
  }
  const files = folders().flatMap((dir) => readdirSync(join(out, 'content', dir)).filter((name) => statSync(join(out, 'content', dir, name)).isFile()));
  assert.equal([...new Set(files)], [PAGE_FILE], 'content/ holds pages only');
  // Siblings are ordered by weight: two with the same weight would have no defined order.
  const byParent = new Map<string, number[]>();
  for (const page of pages.values()) {
    if (page.dir === '') continue;
    const parent = page.dir.includes('/') ? page.dir.slice(0, page.dir.lastIndexOf('/')) : '';
    byParent.set(parent, [...(byParent.get(parent) ?? []), page.front.weight as number]);
  }
  for (const [parent, weights] of byParent) assert.is(new Set(weights).size, weights.length, `weights under content/${parent} are distinct`);
  assert.ok(existsSync(join(out, 'static')) && statSync(join(out, 'static')).isDirectory(), 'static/ exists');
});

test('the landing page, every WORKSHOP.md section and every lab README have a page, in the guide order', () => {
  const title = inlineText(md.parse(WORKSHOP, {}).find((_, i, all) => all[i - 1]?.type === 'heading_open' && all[i - 1].tag === 'h1')!);
  assert.is(pages.get('')!.front.title, title);
  const sections = sectionsOf(WORKSHOP).map((s) => s.title);
  const found = sections.map((s) => pageTitled(s));
  assert.equal(
    sections.filter((_, i) => !found[i]),
    [],
    'sections without a page',
  );
  for (const page of found) assert.not.ok(page!.dir.includes('/'), `${page!.dir}: a section is a top-level page`);
  const weights = found.map((p) => p!.front.weight as number);
  assert.equal(
    weights,
    [...weights].sort((a, b) => a - b),
    'weights follow WORKSHOP.md',
  );
  assert.ok(weights.every((w) => w > (pages.get('')!.front.weight as number)));

  for (const readme of labReadmes()) {
    const text = readFileSync(join(REPO_ROOT, readme), 'utf8');
    const labNumber = Number(/^labs\/(\d+)-/.exec(readme)![1]);
    const section = found.find((p) => new RegExp(`^Lab ${labNumber}\\b`).test(p!.front.title as string))!;
    assert.ok(section, `${readme}: WORKSHOP.md has a Lab ${labNumber} section`);
    // The README's folded solution is read on the lab's solution page, under the walkthrough.
    const [folded] = solutionBlocks(md, text);
    const whatChanges = folded.body.find((line) => line.startsWith('**What changes'))!;
    const solution = pages.get(`${section.dir}/solution`);
    assert.ok(solution, `content/${section.dir}/solution is the lab's solution page`);
    assert.match(solution!.body, whatChanges, `${readme}'s solution is on it`);
    assert.match(solution!.body, '## What the spec predicts');
    assert.not.match(solution!.body, '<!-- generated:', 'the generated-block markers are dropped');
    assert.not.match(section.body, whatChanges, 'the lab page keeps the answer out of sight');
  }
  assert.ok(
    exported.pages.some((p) => p.source === 'sandbox/MODEL.md'),
    'sandbox/MODEL.md, which WORKSHOP.md links to, is an appendix page',
  );
});

test('answers out of sight: each lab page builds first and links to its solution page, which holds the walkthrough', () => {
  for (const lab of sectionsOf(WORKSHOP).filter((s) => /^Lab [1-9]\b/.test(s.title))) {
    const page = pageTitled(lab.title)!;
    const solution = pages.get(`${page.dir}/solution`)!;
    assert.ok(solution, `${lab.title}: a solution page`);
    assert.match(page.body, `(/${page.dir}/solution)`, `${lab.title}: the lab page links to it`);
    assert.match(page.body, '## Build it yourself');
    assert.not.match(page.body, '<details', `${lab.title}: no fold left on the lab page`);
    assert.not.match(page.body, 'Solution: lab', `${lab.title}: the walkthrough is not on the lab page`);
    assert.match(solution.body, /## Solution: lab \d walkthrough/);
    assert.ok((solution.front.weight as number) > 0);
  }
});

test('every link resolves inside the export: a page, an anchor of it, a static file, or https', () => {
  const problems: string[] = [];
  const idsOf = (dir: string) => hugoHeadings(pages.get(dir)!.body).map((h) => h.id);
  let checked = 0;
  for (const page of pages.values()) {
    for (const href of hrefsIn(page.body)) {
      checked++;
      const where = `content/${page.dir ? `${page.dir}/` : ''}${PAGE_FILE}: ${href}`;
      if (/^https:\/\/[^\s]+$/.test(href)) continue;
      if (href.startsWith('/static/')) {
        if (!existsSync(join(out, decodeURIComponent(href.slice(1))))) problems.push(`${where}: no such file in the export`);
        continue;
      }
      const m = /^(\/[^#]*)?(?:#(.*))?$/.exec(href);
      if (!m || (m[1] === undefined && m[2] === undefined)) {
        problems.push(`${where}: neither a page path from the content root, an anchor, /static/ nor https`);
        continue;
      }
      const dir = m[1] === undefined ? page.dir : m[1].replace(/^\/|\/$/g, '');
      if (!pages.has(dir)) {
        problems.push(`${where}: no page content/${dir}/${PAGE_FILE}`);
        continue;
      }
      if (m[2] !== undefined && !idsOf(dir).includes(m[2]))
        problems.push(`${where}: no heading of /${dir} has the anchor #${m[2]} (it has ${idsOf(dir).join(', ')})`);
    }
  }
  assert.equal(problems, []);
  assert.ok(checked >= 15, `${checked} links checked`);
  // The forms the guide's links take: a page, a page's anchor, an anchor of the same page.
  const all = [...pages.values()].flatMap((p) => hrefsIn(p.body));
  assert.ok(all.includes('/clean-up'), "WORKSHOP.md's (#clean-up) now names the Clean-up page");
  assert.ok(all.includes('/appendix/sandbox-model'));
});

test("each lab's solution page shows its pipeline diagram once, a static file drawn from its spec", () => {
  for (const lab of LABS) {
    const section = pageTitled(sectionsOf(WORKSHOP).find((s) => s.title.startsWith(`Lab ${lab.number} `))!.title)!;
    const solution = pages.get(`${section.dir}/solution`)!;
    const src = `/static/${diagramFile(lab)}`;
    assert.equal(
      hrefsIn(solution.body).filter((href) => href.endsWith('.svg')),
      [src],
      `${lab.id}: once, under At a glance`,
    );
    assert.ok(exported.staticFiles.includes(src.slice(1)), `${lab.id}: listed as static`);
    assert.is(readFileSync(join(out, src), 'utf8'), pipelineSvg(lab), `${lab.id}: the current drawing`);
    assert.not.match(section.body, '.svg)', `${lab.id}: the lab page keeps the answer out of sight`);
  }
});

test('repo files that are no page become inline code naming the path; so does a non-https address', () => {
  const lab1 = pageTitled(sectionsOf(WORKSHOP).find((s) => s.title.startsWith('Lab 1'))!.title)!;
  const codeOf = (body: string) =>
    md
      .parse(body, {})
      .flatMap((t) => t.children ?? [])
      .filter((c) => c.type === 'code_inline')
      .map((c) => c.content);
  assert.ok(codeOf(lab1.body).includes('labs/01-baseline/problem.ts'), 'the problem is named as code');
  assert.not.ok(
    hrefsIn(lab1.body).some((h) => h.includes('problem.ts')),
    'and not linked',
  );
  const solution1 = pages.get(`${lab1.dir}/solution`)!;
  assert.ok(codeOf(solution1.body).includes('labs/01-baseline/spec.ts'), 'the solution spec, on the solution page');
  const setup = pageTitled(sectionsOf(WORKSHOP).find((s) => s.title.startsWith('Lab 0'))!.title)!;
  assert.match(setup.body, '`http://127.0.0.1:4310/`');
});

test('no ```bash aws fence is left, and every shell block of the guide is exported', () => {
  const fences = [...pages.values()].flatMap((p) =>
    md
      .parse(p.body, {})
      .filter((t) => t.type === 'fence')
      .map((t) => t.info.trim()),
  );
  assert.not.ok(
    fences.some((info) => /\baws\b/.test(info)),
    `fence info strings: ${[...new Set(fences)].join(', ')}`,
  );
  const source = sectionsOf(WORKSHOP)
    .flatMap((s) => s.fences)
    .filter((f) => f.info.startsWith('bash')).length;
  assert.ok(fences.filter((info) => info === 'bash').length >= source, `${source} shell blocks in WORKSHOP.md`);
});

test('each lab page has its local steps first and its AWS steps after the AWS path heading', () => {
  const labs = sectionsOf(WORKSHOP).filter((s) => /^Lab \d+\b/.test(s.title));
  assert.ok(labs.length >= 5, 'labs 0 to 4');
  for (const lab of labs) {
    const page = pageTitled(lab.title)!;
    const tokens = md.parse(page.body, {});
    const awsAt = tokens.findIndex((t, i) => t.type === 'heading_open' && inlineText(tokens[i + 1]) === AWS_HEADING);
    const aws = lab.fences.filter((f) => f.info === 'bash aws');
    const local = lab.fences.filter((f) => f.info === 'bash');
    assert.ok(local.length > 0, `${lab.title}: has local steps`);
    assert.ok(aws.length > 0, `${lab.title}: has AWS steps`);
    assert.ok(awsAt > 0, `${lab.title}: has an "${AWS_HEADING}" heading`);
    const fenceAt = (content: string) => tokens.findIndex((t) => t.type === 'fence' && t.content === content);
    // A local block of the folded walkthrough is on the solution page instead.
    const solution = pages.get(`${page.dir}/solution`);
    const onSolution = (content: string) => solution !== undefined && md.parse(solution.body, {}).some((t) => t.type === 'fence' && t.content === content);
    for (const f of local)
      assert.ok(
        (fenceAt(f.content) >= 0 && fenceAt(f.content) < awsAt) || onSolution(f.content),
        `${lab.title}: local block before the AWS path, or on the solution page:\n${f.content}`,
      );
    for (const f of aws) assert.ok(fenceAt(f.content) > awsAt, `${lab.title}: AWS block after the AWS path:\n${f.content}`);
  }
});

test('the export refuses a lab whose AWS step comes before its local path, and writes nothing', async () => {
  const local = '```bash\nnpx workshop run 2\n```';
  assert.ok(WORKSHOP.includes(local), 'lab 2 runs locally with `npx workshop run 2`');
  const swapped = WORKSHOP.replace(local, '```bash aws\nnpx workshop run 2 --target aws\n```');
  const read = withGuide(swapped);
  const target = join(tmp, 'refused');
  try {
    await exportStudio({ outDir: target, read, log: false });
    assert.unreachable('exported a lab with an AWS step first');
  } catch (error) {
    assert.match((error as Error).message, /"Lab 2 .*": a ```bash aws block .* comes before the AWS path/);
  }
  assert.not.ok(existsSync(target));
});

test('the facilitator guide is exported as facilitator content, outside content/: no participant page holds or links it', () => {
  assert.is(exported.facilitatorFile, FACILITATOR_FILE);
  const guide = readFileSync(join(out, FACILITATOR_FILE), 'utf8');
  const source = readFileSync(join(REPO_ROOT, FACILITATOR_SOURCE), 'utf8');
  const title = source.split('\n')[0];
  assert.is(guide.split('\n')[0], title, 'the guide, from its title');
  const headings = source.split('\n').filter((line) => /^## /.test(line));
  assert.ok(headings.length >= 6);
  for (const heading of headings) assert.ok(guide.includes(`\n${heading}\n`), `the export keeps ${heading}`);
  assert.not.match(guide, /^<!-- \/?generated:/m, 'without the generated-block markers');
  assert.not.ok(FACILITATOR_FILE.startsWith('content/'), 'not under content/');
  assert.not.match(readFileSync(join(out, 'contentspec.yaml'), 'utf8'), /facilitator/i, 'contentspec.yaml names no facilitator page');
  assert.not.ok(
    exported.pages.some((p) => p.source === FACILITATOR_SOURCE),
    'no page is made from it',
  );
  // A participant page holds none of its sections and no link to it.
  for (const page of pages.values()) {
    const held = page.body.split('\n').filter((line) => /^#+ /.test(line) && headings.includes(line.replace(/^#+ /, '## ')));
    assert.equal(held, [], `content/${page.dir}: holds sections of the facilitator guide`);
    assert.not.match(page.body, title.replace(/^# /, ''), `content/${page.dir}: holds the guide's title`);
    for (const href of hrefsIn(page.body)) assert.not.match(href, /facilitator/i, `content/${page.dir} links ${href}`);
  }
  // Its links to the guide's sections are the event's page paths; other repo files are inline code.
  const hrefs = hrefsIn(guide);
  assert.ok(hrefs.includes('/two-paths-through-the-workshop'), hrefs.join(', '));
  for (const href of hrefs) {
    if (/^https:\/\//.test(href) || href.startsWith('#')) continue;
    const dir = href.replace(/^\//, '').split('#')[0];
    assert.ok(pages.has(dir), `${FACILITATOR_FILE}: ${href} is a page of the export`);
  }
});

test('a participant page that links the facilitator guide gets its name as inline code, never a link or an appendix page', async () => {
  const guide = WORKSHOP.replace('## Clean-up\n', `## Clean-up\n\nSee [the facilitator guide](${FACILITATOR_SOURCE}).\n`);
  assert.is.not(guide, WORKSHOP);
  const target = join(tmp, 'linked');
  const linked = await exportStudio({ outDir: target, log: false, read: withGuide(guide) });
  try {
    assert.not.ok(linked.pages.some((p) => p.source === FACILITATOR_SOURCE));
    const cleanUp = readFileSync(join(target, 'content', 'clean-up', PAGE_FILE), 'utf8');
    assert.match(cleanUp, `See the facilitator guide (\`${FACILITATOR_SOURCE}\`).`);
  } finally {
    rmSync(target, { recursive: true, force: true });
  }
});

test("Hugo's heading anchors: letters, digits and _ kept, spaces and - as -, repeats numbered", () => {
  assert.is(hugoAnchor('Lab 0 — Setup'), 'lab-0--setup');
  assert.is(hugoAnchor('Kafka event source mapping (kafka-esm/)'), 'kafka-event-source-mapping-kafka-esm');
  assert.is(hugoAnchor('snake_case & Ünïcode 2'), 'snake_case--ünïcode-2');
  assert.is(hugoAnchor('!!!'), 'heading');
  const anchors = new HugoAnchors();
  assert.equal(
    ['Faults', 'Faults', 'Faults'].map((t) => anchors.next(t)),
    ['faults', 'faults-1', 'faults-2'],
  );
  assert.equal(
    hugoHeadings('# A `b`\n\n## A b\n').map((h) => h.id),
    ['a-b', 'a-b-1'],
  );
});

test('it refuses to empty a folder that holds something other than an export', async () => {
  const mine = join(tmp, 'mine');
  mkdirSync(mine);
  writeFileSync(join(mine, 'notes.txt'), 'keep me');
  try {
    await exportStudio({ outDir: mine, log: false });
    assert.unreachable('exported over a folder of other files');
  } catch (error) {
    assert.instance(error, Error);
    assert.match((error as Error).message, 'is not an earlier export');
  }
  assert.is(readFileSync(join(mine, 'notes.txt'), 'utf8'), 'keep me');
});

test('it refuses a Workshop Studio repository (contentspec.yaml, .git, own assets), and re-exports over its own export', async () => {
  const repo = join(tmp, 'studio-repo');
  mkdirSync(join(repo, '.git'), { recursive: true });
  writeFileSync(join(repo, 'contentspec.yaml'), 'version: 2.0\n');
  writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  try {
    await exportStudio({ outDir: repo, log: false });
    assert.unreachable('exported over a Workshop Studio repository');
  } catch (error) {
    assert.match((error as Error).message, `no ${EXPORT_MARKER}`);
  }
  assert.is(readFileSync(join(repo, '.git', 'HEAD'), 'utf8'), 'ref: refs/heads/main\n', '.git untouched');

  const again = join(tmp, 'again');
  await exportStudio({ outDir: again, log: false });
  writeFileSync(join(again, 'content', 'stale.md'), 'from an older export');
  await exportStudio({ outDir: again, log: false });
  assert.ok(existsSync(join(again, EXPORT_MARKER)));
  assert.not.ok(existsSync(join(again, 'content', 'stale.md')), 'an earlier export is replaced whole');
  rmSync(again, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
});

test('a guide that cannot be exported as written is one line to fix (exit 2), and nothing is written', async () => {
  const guide = WORKSHOP.replace(/^## Lab 1 — .*$/m, (heading) => `${heading}\n\n\`\`\`bash aws\nnpm run deploy -- 1\n\`\`\`\n`);
  const target = join(tmp, 'not-written');
  let caught: unknown;
  try {
    await exportStudio({ outDir: target, log: false, read: withGuide(guide) });
  } catch (error) {
    caught = error;
  }
  assert.instance(caught, GuideContentError);
  const { code, message } = exitFor(caught);
  assert.is(code, 2);
  assert.match(
    message,
    /^Cannot export the guide: WORKSHOP.md, "Lab 1 — .*": a ```bash aws block \(line 3 of the section\) comes before the AWS path; the local path must come first$/,
  );
  assert.not.ok(existsSync(target), 'nothing written');
});

/** The CLI as `npm run studio` starts it, from the temporary folder so a relative --out lands there. */
function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  // tsx by its file address: `--import tsx` would be looked up from the temporary folder.
  const result = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(REPO_ROOT, 'docs', 'studio-export.ts'), ...args], {
    cwd: tmp,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('the CLI: a bad option prints one clear line and exits 2, without a stack trace', () => {
  for (const [args, says] of [
    [['--out'], '--out needs a folder'],
    [['--out', '--verbose'], '--out needs a folder'],
    [['--bogus'], 'Unknown option --bogus'],
    [['stray'], 'Unexpected argument stray'],
  ] as const) {
    const { status, stdout, stderr } = runCli([...args]);
    const lines = stderr.trim().split('\n');
    assert.is(status, 2, `${args.join(' ')}: exit code (stderr: ${stderr})`);
    assert.is(lines.length, 1, `${args.join(' ')}: one line, got:\n${stderr}`);
    assert.match(lines[0], says);
    assert.match(lines[0], 'Usage: npm run studio');
    assert.not.match(stderr, /\n\s+at /, 'no stack trace');
    assert.is(stdout, '');
  }
  assert.equal(readdirSync(tmp).sort(), ['export', 'mine'], 'a refused run writes nothing');
});

test('the CLI writes the export where --out says, relative to the working folder', () => {
  const { status, stdout } = runCli(['--out', 'cli-export']);
  assert.is(status, 0);
  assert.match(stdout, 'Workshop Studio export: cli-export');
  assert.ok(existsSync(join(tmp, 'cli-export', 'contentspec.yaml')));
  assert.equal(readdirSync(join(tmp, 'cli-export', 'content')).sort(), readdirSync(join(out, 'content')).sort());
});

test.run();
