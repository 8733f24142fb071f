// `npm run studio [-- --out DIR] [--repo-url URL]`: the workshop as an AWS Workshop Studio content folder that an
// instructor imports as it is (default dist/workshop-studio/, emptied first).
//
//   contentspec.yaml                         version 2.0, the locale, the event account
//   content/index.en.md                      WORKSHOP.md's title and introduction, and its sections
//   content/<section>/index.en.md            each `##` section of WORKSHOP.md, weights in guide order
//   content/<lab section>/solution/...       the lab's solution walkthrough (folded in WORKSHOP.md,
//                                            docs/solution-section.ts) and its README's solution part,
//                                            generated blocks (capacity model, synthesized mapping,
//                                            pipeline diagram) re-rendered from the specs now: the
//                                            answers on a page of their own, which a learner opens
//                                            when they choose
//   content/appendix/<name>/index.en.md      every other markdown file of the repository that a page
//                                            links to (sandbox/MODEL.md and what it links to)
//   static/                                  every image a page shows (each lab's pipeline diagram,
//                                            drawn from its spec now), and hosted-event.yaml, the
//                                            event accounts' CloudFormation template
//   facilitator/FACILITATOR.md               the instructor's guide (docs/FACILITATOR.md), outside
//                                            content/, so it is no participant page; no page links it
//
// The facilitator guide: Workshop Studio's pages are the content/ folder's, and none of the
// repositories read for the format below shows a contentspec field or page setting for content
// only facilitators see (there is no page a participant cannot open), so the export does not
// guess one. It writes the guide as a plain file beside contentspec.yaml, its links to the
// guide's sections made page paths (`/lab-0--setup`) and its links to other repo files inline
// code, and leaves the pages as they are: no page is made from it, and a page that names it
// (WORKSHOP.md's Instructor notes) names it as inline code, never a link.
//
// Links become what Workshop Studio resolves: a page is a path from the content root without the
// locale (`/lab-1-baseline`, `/clean-up#anchor`), an image `/static/<repo path>`. A link to a repo
// file that is no page (labs/01-baseline/spec.ts, a folder) becomes inline code naming the repo
// path, since the event has no copy of the repository to link into; so does a web link that is
// not https (the local dashboard's http://127.0.0.1:4310/). Anchors are Hugo's heading ids
// (docs/hugo-anchors.ts). Each lab page keeps the guide's order, local path first, then an
// `## AWS path` heading over the ```bash aws steps; those fences become plain ```bash, as Workshop
// Studio renders Hugo markdown and knows no `aws` info string.
//
// The format, from public Workshop Studio repositories read when this was written:
//   aws-samples/cfn101-workshop contentspec.yaml (commit 2f01dbb^): version 2.0, defaultLocaleCode,
//     localeCodes, awsAccountConfig (accountSources WorkshopStudio and CustomerProvided,
//     participantRole.managedPolicies, regionConfiguration with min/maxAccessibleRegions and
//     deployableRegions/accessibleRegions `required`); its content/**/index.md pages: front matter
//     `title` and `weight`, no `#` heading in the body, page links `/prerequisites/local-development`
//     and `/basics/operations/session-manager#challenge`, images `/static/...`
//   aws-samples/the-aws-step-functions-workshop contentspec.yaml and content/index.en.md:
//     defaultLocaleCode en-US with index.en.md files, the landing page at weight 0
//   awslabs/multi-az-workshop contentspec.yaml and content/: one accessible region
//     (maxAccessibleRegions 1), sections as content/lab-1/index.en.md, links `/lab-1`
//   TamimiGitHub/aws-workshop-25 contentspec.yaml: the smallest real one (version,
//     defaultLocaleCode, localeCodes)
//   aws-samples/policy-as-code README.md: the layout contentspec.yaml, static/, content/index.en.md
//   aws-samples/aws-modernization-with-docker contentspec.yaml: `infrastructure.cloudformationTemplates`
//     with templateLocation under static/, label and participantVisibleStackOutputs (its VS Code
//     server's URL and password); aws-samples/eks-blueprints-for-terraform-workshop contentspec.yaml:
//     `parameters` as templateParameter and defaultValue
// The event account is provisioned with the hosted event's template (labs/hosted-event/template.ts),
// written to static/hosted-event.yaml: a browser IDE and the base stack deployed. Its outputs a
// participant needs (IDE URL, password, state bucket, region) are the participant-visible ones. The
// template's RepositoryUrl comes from --repo-url, else the repository's `origin` remote.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Document, Scalar, stringify } from 'yaml';
import { UsageError } from '../harness/errors.ts';
import { exitFor } from '../harness/exit-codes.ts';
import { currentDiagram, regenerateGuide } from '../labs/diagram-files.ts';
import { displayPath } from '../labs/display-path.ts';
import { runsAsScript } from '../labs/entry-point.ts';
import { hostedEventTemplateYaml, PARTICIPANT_OUTPUTS, TEMPLATE_FILE } from '../labs/hosted-event/template.ts';
import { findLab } from '../labs/index.ts';
import { regenerate, synthesizedMappings } from '../labs/lab-readme.ts';
import { DEFAULT_REGION } from '../labs/region.ts';
import { extractLinks, hrefsIn, resolveHref } from './guide-links.ts';
import { hugoHeadings } from './hugo-anchors.ts';
import { createMarkdown, FACILITATOR_SOURCE, fenceInfo, type Heading, headings, labReadmes, REPO_ROOT } from './markdown.ts';
import { solutionBlocks, withoutSolutions } from './solution-section.ts';

export const DEFAULT_OUT_DIR = join(REPO_ROOT, 'dist', 'workshop-studio');
export const LOCALE = 'en-US';
/** The page file of every folder under content/ (the locale's language, as real workshops name it). */
export const PAGE_FILE = 'index.en.md';
/** The heading over each lab's AWS steps; the test finds the AWS part by it. */
export const AWS_HEADING = 'AWS path';
/** Where the export puts it, relative to the export's folder. */
export const FACILITATOR_FILE = 'facilitator/FACILITATOR.md';

export interface ExportOptions {
  /** Where the folder goes; emptied first if it holds an earlier export. Default dist/workshop-studio. */
  outDir?: string;
  /** Reads a repo file (repo-relative path). */
  read?: (path: string) => string;
  /** Print where the export is. Default true. */
  log?: boolean;
  /** The repository the event's IDE and CodeBuild check out; default the `origin` remote's URL. */
  repositoryUrl?: string;
}

export interface StudioPage {
  /** Repo-relative source: WORKSHOP.md (the root and each section), a lab README, an appendix file. */
  source: string;
  /** Folder under content/, '' for the root; the page's link is `/${dir}`. */
  dir: string;
  title: string;
  weight: number;
}

export interface StudioExport {
  outDir: string;
  pages: StudioPage[];
  /** static/ paths of the images copied. */
  staticFiles: string[];
  /** FACILITATOR_FILE when the repository has a facilitator guide. */
  facilitatorFile?: string;
}

/** A heading a page keeps, from its own source or (`source`) from another document folded into it. */
type KeptHeading = Heading & { source?: string };

/** A page being built. Every body is built before any link is rewritten: an anchor is the id Hugo gives the heading in its new page. */
interface Draft extends StudioPage {
  /** The source headings the body keeps, in order (GitHub ids of the source document). */
  keeps: KeptHeading[];
  /** The heading that became this page's title: a link to it is a link to the page. */
  titleId?: string;
  /** Other `<source>#<id>` anchors that name the whole page (a lab README's title, on its solution page). */
  aliases?: string[];
  build: () => string;
  body?: string;
}

const md = createMarkdown();

/** A markdown file's `#` title, when it starts with one, and the headings its page keeps. */
function titled(text: string): { title?: Heading; keeps: Draft['keeps'] } {
  const all = headings(md, text);
  const title = all[0]?.level === 1 ? all[0] : undefined;
  return { title, keeps: all.filter((h) => h !== title) };
}

/** Lower case, runs of anything but letters and digits as one hyphen, none at the ends. */
function kebab(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** A folder name from a heading: the part before a colon. */
function folderName(title: string): string {
  return kebab(title.split(':')[0]) || 'page';
}

/** The name of a markdown file's appendix page: its repo path without `.md` (sandbox-model). */
function appendixName(source: string): string {
  return kebab(source.replace(/\.md$/i, ''));
}

function frontMatter(page: StudioPage): string {
  return `---\n${stringify({ title: page.title, weight: page.weight })}---\n`;
}

/**
 * Lines of a markdown slice with its structure adjusted: the title heading dropped, the other
 * headings raised by `shift` levels ('auto': so the highest is `##`, under the page's title), ```bash aws
 * fences made plain (Workshop Studio renders Hugo markdown, which knows no `aws` info string).
 */
function restructure(text: string, dropTitle: boolean, shift: number | 'auto'): string[] {
  const lines = text.split('\n');
  const tokens = md.parse(text, {});
  const headings: Array<{ line: number; level: number }> = [];
  for (const token of tokens) {
    if (!token.map) continue;
    if (token.type === 'fence' && fenceInfo(token) === 'bash aws') {
      lines[token.map[0]] = lines[token.map[0]].replace(/^(\s*(?:`{3,}|~{3,}))\s*bash\s+aws\s*$/, '$1bash');
    }
    if (token.type === 'heading_open') {
      if (!/^\s{0,3}#/.test(lines[token.map[0]])) throw new GuideContentError(`only # headings can be exported, not underlined ones: "${lines[token.map[0]]}"`);
      headings.push({ line: token.map[0], level: Number(token.tag.slice(1)) });
    }
  }
  const drop = dropTitle ? headings.shift() : undefined;
  const by = shift !== 'auto' ? shift : headings.length === 0 ? 0 : Math.max(0, Math.min(...headings.map((h) => h.level)) - 2);
  for (const h of headings) lines[h.line] = lines[h.line].replace(/^(\s{0,3})#+/, (_m, indent: string) => `${indent}${'#'.repeat(Math.max(2, h.level - by))}`);
  if (drop) lines[drop.line] = '';
  return lines;
}

type LinkForm = 'link' | 'image' | 'autolink';

/** The text of a markdown slice with every inline link made by `rewrite`; code is left alone. */
function rewriteLinks(lines: string[], code: Set<number>, rewrite: (href: string, form: LinkForm, text: string) => string): string {
  const LINK = /(!?)\[((?:[^[\]]|\[[^\]]*\])*)\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)|<([a-z][a-z0-9+.-]*:[^\s<>]*)>/gi;
  const codeSpans = (line: string) => {
    const spans: Array<[number, number]> = [];
    for (let i = line.indexOf('`'); i >= 0; i = line.indexOf('`', i)) {
      const run = /^`+/.exec(line.slice(i))![0];
      const close = line.indexOf(run, i + run.length);
      if (close < 0) break;
      spans.push([i, close + run.length]);
      i = close + run.length;
    }
    return spans;
  };
  return lines
    .map((line, n) => {
      if (code.has(n)) return line;
      const spans = codeSpans(line);
      return line.replace(LINK, (whole: string, bang: string, text: string | undefined, href: string | undefined, autolink: string | undefined, at: number) => {
        if (spans.some(([from, to]) => at >= from && at < to)) return whole;
        if (autolink !== undefined) return rewrite(autolink, 'autolink', autolink);
        return rewrite(href!, bang === '!' ? 'image' : 'link', text ?? '');
      });
    })
    .join('\n');
}

/** The lines of a markdown text that are code (fenced or indented), which link rewriting leaves alone. */
function codeLines(text: string): Set<number> {
  const code = new Set<number>();
  for (const token of md.parse(text, {})) {
    if ((token.type === 'fence' || token.type === 'code_block') && token.map) for (let l = token.map[0]; l < token.map[1]; l++) code.add(l);
  }
  return code;
}

/**
 * A markdown slice of `from` with its relative links made relative to the repository root
 * (`pipeline.svg` in a lab README is `/labs/<lab>/pipeline.svg`), so they keep pointing at the same
 * file once the slice is on a page built from another document.
 */
function rebaseLinks(text: string, from: string): string {
  return rewriteLinks(text.split('\n'), codeLines(text), (href, form, words) => {
    const resolved = resolveHref(from, href);
    const rebased =
      resolved.external || resolved.target === undefined ? href : `/${resolved.target || from}${resolved.anchor !== undefined ? `#${resolved.anchor}` : ''}`;
    return form === 'autolink' ? `<${rebased}>` : `${form === 'image' ? '!' : ''}[${words}](${rebased})`;
  });
}

/** Inline code naming a repo path (or a web address), with the link's words when they say more. */
function asCode(text: string, path: string): string {
  const words = text.replace(/`/g, '').trim();
  return words === '' || words === path ? `\`${path}\`` : `${text} (\`${path}\`)`;
}

/** Splits a lab section at its AWS part: the `**AWS path:**` paragraph, else its first ```bash aws fence. */
function splitLab(section: string, title: string): { local: string; aws?: string } {
  const lines = section.split('\n');
  const tokens = md.parse(section, {});
  const fences = tokens.filter((t) => t.type === 'fence' && t.map && /^bash(\s|$)/.test(t.info.trim()));
  const lead = tokens.findIndex((t, i) => t.type === 'inline' && tokens[i - 1]?.type === 'paragraph_open' && /^\*\*AWS path:?\*\*:?/.test(t.content));
  const firstAws = fences.find((t) => fenceInfo(t) === 'bash aws');
  if (!firstAws && lead < 0) return { local: section };
  const start = lead >= 0 ? tokens[lead - 1].map![0] : firstAws!.map![0];
  for (const fence of fences) {
    const aws = fenceInfo(fence) === 'bash aws';
    if (aws && fence.map![0] < start)
      throw new GuideContentError(
        `WORKSHOP.md, "${title}": a \`\`\`bash aws block (line ${fence.map![0] + 1} of the section) comes before the AWS path; the local path must come first`,
      );
    if (!aws && fence.map![0] > start)
      throw new GuideContentError(
        `WORKSHOP.md, "${title}": a local \`\`\`bash block (line ${fence.map![0] + 1} of the section) comes after the AWS path; the local path must come first`,
      );
  }
  const aws = lines.slice(start);
  aws[0] = aws[0].replace(/^\*\*AWS path:?\*\*:?\s*/, '').replace(/^\p{Ll}/u, (c) => c.toUpperCase());
  return { local: lines.slice(0, start).join('\n'), aws: aws.join('\n') };
}

/** A lab README as it is now: generated blocks re-rendered from the spec, their markers dropped. */
function currentReadme(source: string, text: string, mappings: ReturnType<typeof synthesizedMappings>): string {
  const labId = source.split('/')[1];
  const lab = findLab(labId);
  if (!lab) throw new GuideContentError(`${source}: no LabSpec has the id ${labId} (labs/index.ts)`);
  return regenerate(text, lab, mappings, (_name, body) => body);
}

/** Where the hosted event's template goes in the export, as contentspec.yaml names it. */
export const EVENT_TEMPLATE = `static/${TEMPLATE_FILE}`;

/** The `origin` remote as an https URL (what the template accepts), when the repository has one. */
function originUrl(): string | undefined {
  const run = spawnSync('git', ['-C', REPO_ROOT, 'remote', 'get-url', 'origin'], { encoding: 'utf8' });
  const url = run.status === 0 ? run.stdout.trim() : '';
  const ssh = /^git@([^:]+):(.+)$/.exec(url);
  if (ssh) return `https://${ssh[1]}/${ssh[2]}`;
  return url.startsWith('https://') ? url : undefined;
}

function contentspec(description: string, repositoryUrl: string | undefined): string {
  const doc = new Document({
    version: 2,
    defaultLocaleCode: LOCALE,
    localeCodes: [LOCALE],
    params: { description },
    awsAccountConfig: {
      accountSources: ['WorkshopStudio', 'CustomerProvided'],
      participantRole: { managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
      // The deploy's default region, where WORKSHOP.md's prices apply; one region, as the stacks use one.
      regionConfiguration: {
        minAccessibleRegions: 1,
        maxAccessibleRegions: 1,
        deployableRegions: { required: [DEFAULT_REGION] },
        accessibleRegions: { required: [DEFAULT_REGION] },
      },
    },
    infrastructure: {
      cloudformationTemplates: [
        {
          templateLocation: EVENT_TEMPLATE,
          label: 'Workshop IDE and base stack',
          participantVisibleStackOutputs: Object.values(PARTICIPANT_OUTPUTS),
          ...(repositoryUrl ? { parameters: [{ templateParameter: 'RepositoryUrl', defaultValue: repositoryUrl }] } : {}),
        },
      ],
    },
  });
  // Every real contentspec writes `version: 2.0`; a plain number would print as 2.
  (doc.get('version', true) as Scalar).minFractionDigits = 1;
  doc.commentBefore = [
    ' Workshop Studio content spec, written by `npm run studio` (docs/studio-export.ts) from WORKSHOP.md.',
    ' The infrastructure template gives each account a browser IDE and the base stack, deployed by CodeBuild;',
    ' the participant deploys each lab from the IDE (`npm run deploy -- <lab>`). AdministratorAccess because the',
    ' labs create VPCs, IAM roles, an MSK Serverless cluster, Lambda functions and SQS queues.',
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** The guide cannot be exported as written: the message names the file and what to change. */
export class GuideContentError extends UsageError {
  constructor(message: string) {
    super(`Cannot export the guide: ${message}`);
    this.name = 'GuideContentError';
  }
}

/**
 * Written into every export. A folder is emptied only when it holds this file (or nothing): a
 * Workshop Studio repository also has a contentspec.yaml, next to its .git and the instructor's
 * own assets, and exporting into it must not delete them.
 */
export const EXPORT_MARKER = '.workshop-studio-export';

/** Refuses to empty a folder that is not an earlier export, so a wrong --out cannot delete work. */
function prepareOutDir(outDir: string): void {
  const root = resolve(outDir);
  const shown = displayPath(root);
  if (root === REPO_ROOT || REPO_ROOT.startsWith(`${root}/`))
    throw new UsageError(`--out ${shown} would replace the repository; choose a new or empty folder, e.g. dist/workshop-studio.`);
  if (existsSync(root)) {
    if (!statSync(root).isDirectory()) throw new UsageError(`--out ${shown} is a file; choose a new or empty folder.`);
    const entries = readdirSync(root);
    if (entries.length > 0 && !entries.includes(EXPORT_MARKER)) {
      throw new UsageError(
        `--out ${shown} is not empty and is not an earlier export (no ${EXPORT_MARKER}); ` +
          `choose a new or empty folder, and copy content/, static/ and contentspec.yaml from it into your Workshop Studio repository.`,
      );
    }
  }
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, EXPORT_MARKER), 'Written by `npm run studio`; the next export empties this folder first.\n');
}

export async function exportStudio(options: ExportOptions = {}): Promise<StudioExport> {
  const outDir = resolve(options.outDir ?? DEFAULT_OUT_DIR);
  const read = options.read ?? ((path: string) => readFileSync(join(REPO_ROOT, path), 'utf8'));
  // Without its diagram blocks: a lab's solution page shows the walkthrough and the README's
  // solution together, and the README's diagram, under At a glance, is enough once.
  const workshop = regenerateGuide(read('WORKSHOP.md'), () => '');
  const workshopLines = workshop.split('\n');
  const workshopHeadings = headings(md, workshop);
  const h1 = workshopHeadings.find((h) => h.level === 1);
  if (!h1) throw new GuideContentError('WORKSHOP.md has no # title');
  const sections = workshopHeadings.filter((h) => h.level === 2);
  if (sections.length === 0) throw new GuideContentError('WORKSHOP.md has no ## sections');

  const drafts: Draft[] = [];
  const sourceText = new Map<string, string>([['WORKSHOP.md', workshop]]);
  const pageLink = (d: Draft) => `/${d.dir}`;

  const root: Draft = {
    source: 'WORKSHOP.md',
    dir: '',
    title: h1.text,
    weight: 0,
    keeps: [],
    titleId: h1.id,
    build: () => {
      const intro = restructure(workshopLines.slice(0, sections[0].line).join('\n'), true, 0);
      return [...intro, '', '## In this workshop', '', ...sectionDrafts.map((d) => `- [${d.title}](${pageLink(d)})`), ''].join('\n');
    },
  };
  drafts.push(root);

  const readmes = new Map(labReadmes().map((path) => [Number(/^labs\/(\d+)-/.exec(path)![1]), path]));
  const mappings = readmes.size > 0 ? synthesizedMappings() : new Map();
  /** Extra links to a page: a lab README is read on its lab's solution page. */
  const pageAliases = new Map<string, Draft>();
  /**
   * A lab's solution page: the walkthrough folded in its WORKSHOP.md section, then its README's
   * solution part (what the spec changes, its model and its mapping) under "At a glance".
   */
  const solutionPage = (walkthrough: string[], walkthroughHeadings: Heading[], readme: string | undefined, parent: Draft): Draft => {
    const { title, keeps } = titled(walkthrough.join('\n'));
    const readmeText = readme === undefined ? undefined : currentReadme(readme, read(readme), mappings);
    const readmeSolution = readmeText === undefined ? undefined : solutionBlocks(md, readmeText)[0];
    if (readme && !readmeSolution) throw new GuideContentError(`${readme} has no folded solution (<details><summary>Solution…): the answers stay out of sight`);
    // The README's own heading ids (GitHub's, over the whole file), for links into it.
    const readmeHeadings = readmeSolution
      ? headings(md, readmeText!).filter((h) => h.line > readmeSolution.open && h.line < readmeSolution.close && h.text !== 'Solution')
      : [];
    const draft: Draft = {
      source: 'WORKSHOP.md',
      dir: `${parent.dir}/solution`,
      title: title?.text ?? `${parent.title.split(':')[0].trim()}: solution`,
      weight: 10,
      keeps: [...walkthroughHeadings.filter((h) => h.text !== title?.text), ...readmeHeadings.map((h) => ({ ...h, source: readme }))],
      build: () => {
        const lines = restructure(walkthrough.join('\n'), title !== undefined, 'auto');
        if (readmeSolution) {
          const body = readmeSolution.body.filter((line) => !/^#{1,6}\s+Solution\s*$/.test(line));
          lines.push(
            '',
            '## At a glance',
            '',
            `*From \`${readme}\`: what the spec changes, its pipeline, the model's predictions and the synthesized mapping.*`,
            '',
            ...restructure(rebaseLinks(body.join('\n'), readme!), false, 1),
          );
        }
        return lines.join('\n');
      },
    };
    if (readme && readmeText) {
      sourceText.set(readme, readmeText);
      pageAliases.set(readme, draft);
      const readmeTitle = titled(readmeText).title;
      if (readmeTitle) draft.aliases = [`${readme}#${readmeTitle.id}`];
    }
    return draft;
  };

  // Each `##` section of WORKSHOP.md is a page; a lab's README is a page under its section.
  const taken = new Set<string>(['appendix']);
  const sectionDrafts: Draft[] = [];
  sections.forEach((section, i) => {
    const end = sections[i + 1]?.line ?? workshopLines.length;
    const text = workshopLines.slice(section.line, end).join('\n');
    const base = folderName(section.text);
    let dir = base;
    for (let n = 2; taken.has(dir); n++) dir = `${base}-${n}`;
    taken.add(dir);
    const lab = /^Lab (\d+)\b/.exec(section.text);
    const readme = lab ? readmes.get(Number(lab[1])) : undefined;
    if (lab) readmes.delete(Number(lab[1]));
    const { local, aws } = lab ? splitLab(text, section.text) : { local: text };
    const [walkthrough] = solutionBlocks(md, local);
    // WORKSHOP.md's lines of the walkthrough, to tell its headings from the section's own.
    const inWalkthrough = (h: Heading) => walkthrough !== undefined && h.line > section.line + walkthrough.open && h.line < section.line + walkthrough.close;
    const sectionHeadings = workshopHeadings.filter((h) => h.line > section.line && h.line < end);
    const draft: Draft = {
      source: 'WORKSHOP.md',
      dir,
      title: section.text,
      weight: (i + 1) * 10,
      keeps: sectionHeadings.filter((h) => !inWalkthrough(h)),
      titleId: section.id,
      build: () => {
        // The section's `##` is the title; its `###` become the page's `##`. The folded walkthrough
        // is a page of its own, one link away.
        const open = withoutSolutions(md, local, () =>
          solution ? [`**Solution:** once you have checked your own, [${solution.title}](${pageLink(solution)}) walks through it.`] : [],
        );
        const lines = restructure(open, true, 1);
        if (aws !== undefined) lines.push('', `## ${AWS_HEADING}`, '', ...restructure(aws, false, 1));
        return lines.join('\n');
      },
    };
    if (readme && !walkthrough)
      throw new GuideContentError(
        `WORKSHOP.md, "${section.text}": no folded solution walkthrough (<details><summary>Solution…); the answers stay out of sight`,
      );
    const solution = walkthrough ? solutionPage(walkthrough.body, sectionHeadings.filter(inWalkthrough), readme, draft) : undefined;
    sectionDrafts.push(draft);
    drafts.push(draft, ...(solution ? [solution] : []));
  });
  if (readmes.size > 0) throw new GuideContentError(`no WORKSHOP.md section "## Lab N — ..." for ${[...readmes.values()].join(', ')}`);

  // Markdown files the pages link to, and those they link to, become appendix pages.
  const appendix: Draft[] = [];
  const queue = [...sourceText.keys()];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const { target } of extractLinks(from, sourceText.get(from)!, md)) {
      if (!target || !/\.md$/i.test(target) || sourceText.has(target) || target === FACILITATOR_SOURCE) continue;
      const path = join(REPO_ROOT, target);
      if (!existsSync(path) || statSync(path).isDirectory()) continue;
      const text = read(target);
      sourceText.set(target, text);
      queue.push(target);
      const { title, keeps } = titled(text);
      appendix.push({
        source: target,
        dir: `appendix/${appendixName(target)}`,
        title: title?.text ?? target,
        weight: (appendix.length + 1) * 10,
        keeps,
        titleId: title?.id,
        build: () => [`*From \`${target}\` in the workshop repository.*`, '', ...restructure(text, title !== undefined, 'auto')].join('\n'),
      });
    }
  }
  if (appendix.length > 0) {
    drafts.push(
      {
        source: 'WORKSHOP.md',
        dir: 'appendix',
        title: 'Appendix',
        weight: (sections.length + 1) * 10,
        keeps: [],
        build: () =>
          [
            'Reference pages the guide links to, from the workshop repository.',
            '',
            ...appendix.map((a) => `- [${a.title}](${pageLink(a)}) (\`${a.source}\`)`),
            '',
          ].join('\n'),
      },
      ...appendix,
    );
  }

  // Bodies first, links after: an anchor is the id Hugo gives the heading in its new page.
  for (const d of drafts) d.body = d.build();
  const anchors = new Map<string, { page: Draft; id?: string }>();
  for (const d of drafts) {
    const ids = hugoHeadings(d.body!, md);
    let next = 0;
    for (const kept of d.keeps) {
      while (next < ids.length && ids[next].text !== kept.text) next++;
      if (next === ids.length) throw new GuideContentError(`${d.source}: the heading "${kept.text}" is missing from the page /${d.dir}`);
      anchors.set(`${kept.source ?? d.source}#${kept.id}`, { page: d, id: ids[next++].id });
    }
    if (d.titleId) anchors.set(`${d.source}#${d.titleId}`, { page: d });
    for (const alias of d.aliases ?? []) anchors.set(alias, { page: d });
  }
  const pageOf = new Map<string, Draft>(drafts.filter((d) => d.source !== 'WORKSHOP.md').map((d) => [d.source, d]));
  for (const [source, page] of pageAliases) pageOf.set(source, page);
  pageOf.set('WORKSHOP.md', root);
  const pageLinks = new Set(drafts.map(pageLink));

  const images = new Set<string>();
  const produced = new Map<Draft, Set<string>>();
  for (const d of drafts) {
    const hrefs = new Set<string>();
    produced.set(d, hrefs);
    const emit = (form: LinkForm, text: string, to: string) => {
      hrefs.add(to);
      return form === 'autolink' ? `<${to}>` : `${form === 'image' ? '!' : ''}[${text}](${to})`;
    };
    const rewrite = (href: string, form: LinkForm, text: string): string => {
      // The list of sections, the appendix and the "At a glance" line link with page paths already.
      if (pageLinks.has(href)) return emit(form, text, href);
      const resolved = resolveHref(d.source, href);
      if (resolved.external) return /^https:\/\//i.test(href) ? emit(form, text, href) : asCode(form === 'autolink' ? '' : text, href);
      const target = resolved.target;
      if (target === undefined) throw new GuideContentError(`${d.source}: the link ${href} points outside the repository`);
      if (target !== '' && !existsSync(join(REPO_ROOT, target)))
        throw new GuideContentError(`${d.source}: the link ${href} points to nothing in the repository`);
      if (form === 'image') {
        images.add(target);
        return emit(form, text, `/static/${target}`);
      }
      const file = target === '' ? d.source : target;
      const page = pageOf.get(file);
      if (!page) return asCode(text, /^L\d+(-L\d+)?$/.test(resolved.anchor ?? '') ? `${target}#${resolved.anchor}` : target);
      if (!resolved.anchor) return emit(form, text, pageLink(page));
      const where = anchors.get(`${file}#${resolved.anchor}`);
      if (!where) throw new GuideContentError(`${d.source}: the link ${href} names no heading of ${file}`);
      if (where.id === undefined) return emit(form, text, pageLink(where.page));
      return emit(form, text, where.page === d ? `#${where.id}` : `${pageLink(where.page)}#${where.id}`);
    };
    const code = codeLines(d.body!);
    d.body = tidy(rewriteLinks(d.body!.split('\n'), code, rewrite), code);
  }

  // A link the rewriting did not make (a reference-style link, say) would reach Workshop Studio as written.
  for (const d of drafts) {
    for (const href of hrefsIn(d.body!, md)) {
      if (!produced.get(d)!.has(href))
        throw new GuideContentError(`${d.source} (page /${d.dir}): the link ${href} was not rewritten; write it as [text](path)`);
    }
  }

  // The facilitator guide, its links made what the event has: a guide section's page path, or inline code.
  const facilitator = existsSync(join(REPO_ROOT, FACILITATOR_SOURCE)) ? read(FACILITATOR_SOURCE) : undefined;
  const facilitatorText =
    facilitator === undefined
      ? undefined
      : rewriteLinks(facilitator.split('\n'), codeLines(facilitator), (href, form, text) => {
          const kept = form === 'autolink' ? `<${href}>` : `${form === 'image' ? '!' : ''}[${text}](${href})`;
          if (href.startsWith('#') || /^https:\/\//i.test(href)) return kept;
          const resolved = resolveHref(FACILITATOR_SOURCE, href);
          if (resolved.external || resolved.target === undefined) return asCode(form === 'autolink' ? '' : text, href);
          const page = pageOf.get(resolved.target);
          const where = resolved.anchor === undefined ? undefined : anchors.get(`${resolved.target}#${resolved.anchor}`);
          if (!page || (resolved.anchor !== undefined && !where)) return asCode(text, resolved.target);
          const to = where ? `${pageLink(where.page)}${where.id === undefined ? '' : `#${where.id}`}` : pageLink(page);
          return `[${text}](${to})`;
        }).replace(/^<!-- \/?generated:[\w:-]+ -->\n/gm, '');

  prepareOutDir(outDir);
  const repositoryUrl = options.repositoryUrl ?? originUrl();
  writeFileSync(join(outDir, 'contentspec.yaml'), contentspec(h1.text, repositoryUrl));
  if (facilitatorText !== undefined) {
    mkdirSync(join(outDir, dirname(FACILITATOR_FILE)), { recursive: true });
    writeFileSync(join(outDir, FACILITATOR_FILE), facilitatorText);
  }
  for (const d of drafts) {
    const file = join(outDir, 'content', d.dir, PAGE_FILE);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${frontMatter(d)}\n${d.body!.trimEnd()}\n`);
  }
  mkdirSync(join(outDir, 'static'), { recursive: true });
  const staticFiles = [...images].map((target) => {
    const file = join(outDir, 'static', target);
    mkdirSync(dirname(file), { recursive: true });
    const diagram = currentDiagram(target);
    if (diagram === undefined) copyFileSync(join(REPO_ROOT, target), file);
    else writeFileSync(file, diagram);
    return `static/${target}`;
  });
  writeFileSync(join(outDir, EVENT_TEMPLATE), hostedEventTemplateYaml());
  staticFiles.push(EVENT_TEMPLATE);

  const pages = drafts.map(({ source, dir, title, weight }) => ({ source, dir, title, weight }));
  if (options.log ?? true) {
    console.log(`Workshop Studio export: ${displayPath(outDir)} (${pages.length} pages, ${staticFiles.length} static files)`);
    if (!repositoryUrl) console.log(`No origin remote: set the template's RepositoryUrl in contentspec.yaml (or export with --repo-url <https URL>).`);
  }
  return { outDir, pages, staticFiles, ...(facilitatorText === undefined ? {} : { facilitatorFile: FACILITATOR_FILE }) };
}

/** One blank line between blocks where dropped headings and joined parts left several; code untouched. */
function tidy(text: string, code: Set<number>): string {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '' && !code.has(i) && (out.length === 0 || out[out.length - 1].trim() === '')) return;
    out.push(line);
  });
  return out.join('\n');
}

/** `--out DIR` and `--repo-url URL` (or `--out=DIR`, `--repo-url=URL`), nothing else. */
export function parseStudioArgs(argv: string[]): { outDir?: string; repositoryUrl?: string } {
  const usage = 'Usage: npm run studio [-- --out DIR] [--repo-url https://...]';
  const parsed: { outDir?: string; repositoryUrl?: string } = {};
  const options = { '--out': 'outDir', '--repo-url': 'repositoryUrl' } as const;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = (Object.keys(options) as (keyof typeof options)[]).find((o) => arg === o || arg.startsWith(`${o}=`));
    if (name) {
      const value = arg === name ? argv[++i] : arg.slice(name.length + 1);
      if (value === undefined || value === '' || value.startsWith('--'))
        throw new UsageError(`${name} needs ${name === '--out' ? 'a folder' : 'a URL'}. ${usage}`);
      if (name === '--repo-url' && !value.startsWith('https://'))
        throw new UsageError(`--repo-url ${value} is not an https URL: the event's IDE and CodeBuild clone over https. ${usage}`);
      parsed[options[name]] = value;
    } else if (arg.startsWith('-')) throw new UsageError(`Unknown option ${arg}. ${usage}`);
    else throw new UsageError(`Unexpected argument ${arg}. ${usage}`);
  }
  return parsed;
}

if (runsAsScript(import.meta.url)) {
  try {
    const { outDir, repositoryUrl } = parseStudioArgs(process.argv.slice(2));
    await exportStudio({ outDir: outDir === undefined ? undefined : resolve(process.cwd(), outDir), repositoryUrl });
  } catch (error) {
    const { code, message } = exitFor(error);
    console.error(message);
    process.exitCode = code;
  }
}
