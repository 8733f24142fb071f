// Every command the guide tells a participant to type, extracted from the fenced shell blocks of
// WORKSHOP.md, README.md and the lab READMEs, and checked without running anything: against the
// real CLI parser (harness/cli.ts parseRunArgs, --set paths and values through
// harness/overrides.ts), the package.json scripts, and the deploy/destroy argument parsers (a
// deploy's --from names the exercise folder `workshop exercise` writes for that lab).
//
//   ```bash        commands run on the participant's machine (the local path)
//   ```bash aws    commands that need an AWS account (checked, never run by the tests)
//
// One command per line; blank lines and `# comment` lines are skipped, a trailing ` # comment`
// is dropped and `a && b` is two commands. Other fence languages are not commands; a shell-like
// fence with another info string (```sh, ```shell, ```bash local) is a problem, so no step can
// slip past the checks by its spelling. Inline code in the prose that starts with `npx ` or
// `npm ` is checked too, unless it is a template (`<lab>`, `[--quick]`, `…`).
//
// `planLocalRuns` says how test/docs/guide-runs.ts runs each local command; a command it
// cannot run is an `unrunnable` step, which fails that test.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunArgs, USAGE } from '../harness/cli.ts';
import { checkPlace } from '../harness/exercise/commands.ts';
import { applyOverrides } from '../harness/overrides.ts';
import { parseDeployArgs, parseDestroyArgs, resolveTarget } from '../labs/deploy/arguments.ts';
import { runsAsScript } from '../labs/entry-point.ts';
import { findLab, labChoices } from '../labs/index.ts';
import { createMarkdown, fenceInfo, guideDocuments, REPO_ROOT } from './markdown.ts';

export type Place = 'local' | 'aws';

export type CommandKind = 'npx workshop' | 'npm run' | 'npm install' | 'npm start' | 'npm test' | 'unknown';

export interface GuideCommand {
  /** Repo-relative path of the document. */
  file: string;
  /** 1-based line of the command in that document. */
  line: number;
  /** As written (trailing comment dropped). */
  text: string;
  /** Environment assignments written before the command (`KAFKA_BROKERS=... npx ...`). */
  env: Record<string, string>;
  /** Words after the environment assignments, quotes removed. */
  argv: string[];
  /** A fenced block's command, or inline code in the prose. */
  source: 'block' | 'inline';
  /** From the fence: ```bash is local, ```bash aws is AWS. Inline commands: aws when they deploy or target aws. */
  place: Place;
  kind: CommandKind;
  /** The workshop command (`run`, `models`, ...) or the npm script. */
  action?: string;
  /** Arguments after the action (for npm run: after `--`). */
  args: string[];
}

export interface Problem {
  file: string;
  line: number;
  /** The command or link concerned. */
  subject?: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}: ${p.message}${p.subject ? ` (\`${p.subject}\`)` : ''}`;
}

// ---------------------------------------------------------------- extraction

const SHELL_LANGS = new Set(['bash', 'sh', 'shell', 'zsh', 'console', 'shell-session', 'shellsession']);
/** Inline code that is a template to fill in, not a command to type. */
const TEMPLATE = /<[^>]*>|…|\.\.\.|\[--|\[<|\|/;

/** Splits a shell line into words, honouring quotes and backslashes; `&&` and `;` end a command. */
export function shellWords(line: string): string[][] {
  const commands: string[][] = [[]];
  let word: string | undefined;
  const push = () => {
    if (word !== undefined) commands[commands.length - 1].push(word);
    word = undefined;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word = (word ?? '') + line.slice(i + 1, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length) j++;
        text += line[j++];
      }
      word = (word ?? '') + text;
      i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if (/\s/.test(c)) {
      push();
    } else if (c === '#' && word === undefined) {
      break; // a comment starts where a word could start
    } else if (c === ';' || (c === '&' && line[i + 1] === '&')) {
      push();
      if (c === '&') i++;
      commands.push([]);
    } else {
      word = (word ?? '') + c;
    }
  }
  push();
  return commands.filter((words) => words.length > 0);
}

/** The line without a trailing ` # comment` (a `#` outside quotes that starts a word). */
export function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

function classify(argv: string[]): Pick<GuideCommand, 'kind' | 'action' | 'args'> {
  const [program, first, ...rest] = argv;
  if (program === 'npx' && first === 'workshop') return { kind: 'npx workshop', action: rest[0], args: rest.slice(1) };
  if (program === 'npm') {
    if (first === 'run' || first === 'run-script') {
      const [script, ...after] = rest;
      return { kind: 'npm run', action: script, args: after[0] === '--' ? after.slice(1) : after };
    }
    if (first === 'install' || first === 'i' || first === 'ci') return { kind: 'npm install', action: first, args: rest };
    if (first === 'start') return { kind: 'npm start', action: 'start', args: rest[0] === '--' ? rest.slice(1) : rest };
    if (first === 'test' || first === 't') return { kind: 'npm test', action: 'test', args: rest[0] === '--' ? rest.slice(1) : rest };
  }
  return { kind: 'unknown', args: argv.slice(1) };
}

function makeCommand(file: string, line: number, text: string, words: string[], source: GuideCommand['source'], place: Place | undefined): GuideCommand {
  const env: Record<string, string> = {};
  let start = 0;
  while (start < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[start])) {
    const eq = words[start].indexOf('=');
    env[words[start].slice(0, eq)] = words[start].slice(eq + 1);
    start++;
  }
  const argv = words.slice(start);
  const classified = classify(argv);
  const inferred: Place = isAwsStep({ ...classified }) ? 'aws' : 'local';
  return { file, line, text, env, argv, source, place: place ?? inferred, ...classified };
}

/** Deploying, destroying or `--target aws`: a step that needs an AWS account. */
function isAwsStep(c: Pick<GuideCommand, 'kind' | 'action' | 'args'>): boolean {
  if (c.kind === 'npm run' && (c.action === 'deploy' || c.action === 'destroy')) return true;
  return c.args.some((arg, i) => arg === '--target=aws' || (arg === '--target' && c.args[i + 1] === 'aws'));
}

/** The line (1-based) in `lines[from..to)` where `needle` first appears; 0 if nowhere. */
function lineOf(lines: string[], from: number, to: number, needle: string): number {
  for (let i = from; i < Math.min(to, lines.length); i++) if (lines[i].includes(needle)) return i + 1;
  return 0;
}

export interface Extracted {
  commands: GuideCommand[];
  /** Blocks the checker refuses to guess about (a shell fence with an unknown info string). */
  problems: Problem[];
  /** Inline code that looks like a command template; listed, not checked. */
  templates: Array<{ file: string; line: number; text: string }>;
}

export function extractCommands(file: string, text: string): Extracted {
  const md = createMarkdown();
  const tokens = md.parse(text, {});
  const lines = text.split('\n');
  const out: Extracted = { commands: [], problems: [], templates: [] };
  // Inline tokens in table cells carry no map: their row (tr_open) does.
  let map: [number, number] = [0, lines.length];
  for (const token of tokens) {
    if (token.map) map = token.map;
    if (token.type === 'fence' && token.map) {
      const info = fenceInfo(token);
      const lang = info.split(' ')[0];
      if (!SHELL_LANGS.has(lang)) continue;
      const fenceLine = token.map[0] + 1;
      if (info !== 'bash' && info !== 'bash aws') {
        out.problems.push({
          file,
          line: fenceLine,
          subject: '```' + info,
          message: 'a shell block must be ```bash (local) or ```bash aws (needs AWS), so the guide checks know what to do with it',
        });
        continue;
      }
      const place: Place = info === 'bash aws' ? 'aws' : 'local';
      const body = token.content.split('\n');
      for (let i = 0; i < body.length; i++) {
        let raw = body[i];
        const line = fenceLine + 1 + i;
        while (raw.endsWith('\\') && i + 1 < body.length) raw = `${raw.slice(0, -1)} ${body[++i]}`;
        const code = stripComment(raw).trim();
        if (code === '') continue;
        for (const words of shellWords(code)) out.commands.push(makeCommand(file, line, code, words, 'block', place));
      }
    } else if (token.type === 'inline') {
      for (const child of token.children ?? []) {
        if (child.type !== 'code_inline' || !/^(npx|npm) \S/.test(child.content)) continue;
        const line = lineOf(lines, map[0], map[1], child.content) || lineOf(lines, map[0], map[1], child.content.replace(/\|/g, '\\|')) || map[0] + 1;
        if (TEMPLATE.test(child.content)) {
          out.templates.push({ file, line, text: child.content });
          continue;
        }
        const code = stripComment(child.content).trim();
        for (const words of shellWords(code)) out.commands.push(makeCommand(file, line, code, words, 'inline', undefined));
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- checks

export interface PackageJson {
  scripts: Record<string, string>;
}

export function readPackageJson(root = REPO_ROOT): PackageJson {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
}

/** One workshop command as its usage text shows it: `sandbox` -> subcommands up/down/status, options --lab. */
export interface WorkshopUsage {
  command: string;
  subcommands: string[];
  options: string[];
  /** Its usage starts with `<lab>`: one lab, as findLab reads it. */
  takesLab: boolean;
}

let usageCache: Promise<WorkshopUsage[]> | undefined;

/**
 * The commands `main()` accepts, read from the CLI's own usage text (what `workshop --help`
 * prints), so nothing here lists the commands twice.
 */
export function workshopUsage(): Promise<WorkshopUsage[]> {
  usageCache ??= Promise.resolve(
    USAGE.split('\n')
      .map((line) => /^\s*workshop (\S+)(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map(([, command, line]) => {
        // Two spaces or more end the syntax and start the description.
        const rest = line.split(/\s{2,}/)[0].trim();
        const first = rest.split(/\s+/)[0] ?? '';
        return {
          command,
          subcommands: first && !first.startsWith('[') && !first.startsWith('<') ? first.split('|') : [],
          options: [...rest.matchAll(/\[(--[a-z-]+)/g)].map((m) => m[1]),
          takesLab: first === '<lab>',
        };
      }),
  );
  return usageCache;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0].replace(/\s*Usage:.*$/, '');
}

/** The value of `--name value` or `--name=value` in `args`. */
function optionValue(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return args[i].includes('=') ? args[i].slice(name.length + 1) : args[i + 1];
}

function checkWorkshop(args: string[], action: string | undefined, usage: WorkshopUsage[]): string[] {
  const known = usage.map((u) => u.command);
  if (action === undefined) return [`\`workshop\` needs a command: ${known.join(', ')}`];
  const entry = usage.find((u) => u.command === action);
  if (!entry) return [`\`workshop ${action}\` is not a workshop command; main() accepts ${known.join(', ')}`];
  if (action === 'run') {
    try {
      const options = parseRunArgs(args);
      for (const lab of options.labs) applyOverrides(lab, options.overrides);
    } catch (error) {
      return [`\`workshop run\` rejects it: ${messageOf(error)}`];
    }
    return [];
  }
  const problems: string[] = [];
  const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && entry.options.includes(args[i - 1])));
  const flags = args.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]);
  if (entry.takesLab) {
    if (positional.length !== 1 || !findLab(positional[0]))
      problems.push(`\`workshop ${action}\` takes one lab: ${labChoices()} (got ${positional.join(' ') || 'nothing'})`);
  } else if (entry.subcommands.length > 0) {
    if (positional.length !== 1 || !entry.subcommands.includes(positional[0])) {
      problems.push(`\`workshop ${action}\` takes one of ${entry.subcommands.join(', ')} (got ${positional.join(' ') || 'nothing'})`);
    }
  } else if (positional.length > 0) problems.push(`\`workshop ${action}\` takes no argument (got ${positional.join(' ')})`);
  for (const flag of flags) if (!entry.options.includes(flag)) problems.push(`\`workshop ${action}\` has no option ${flag}`);
  if (action === 'check' && flags.includes('--target')) {
    try {
      checkPlace(optionValue(args, '--target'), optionValue(args, '--time-scale'));
    } catch (error) {
      problems.push(`\`workshop check\` rejects it: ${messageOf(error)}`);
    }
  }
  const labIndex = args.indexOf('--lab');
  if (labIndex >= 0 && !findLab(args[labIndex + 1] ?? '')) problems.push(`--lab ${args[labIndex + 1] ?? ''} is not a lab: use ${labChoices()}`);
  return problems;
}

function checkNpmRun(c: GuideCommand, pkg: PackageJson, usage: WorkshopUsage[]): string[] {
  if (!c.action) return ['`npm run` needs a script name'];
  if (!(c.action in pkg.scripts)) return [`package.json has no script "${c.action}" (scripts: ${Object.keys(pkg.scripts).join(', ')})`];
  try {
    if (c.action === 'deploy') {
      const parsed = parseDeployArgs(c.args, labChoices());
      const target = resolveTarget(parsed.target, findLab, labChoices());
      // A learner's folder is not in the repository to look at: the guide names the one
      // `workshop exercise` writes for the same lab.
      if (parsed.from !== undefined && target !== 'base' && parsed.from.replace(/\/$/, '') !== `exercises/${target.id}`) {
        return [`--from ${parsed.from} is not lab ${target.number}'s exercise folder: write --from exercises/${target.id}`];
      }
    } else if (c.action === 'destroy') {
      const parsed = parseDestroyArgs(c.args, labChoices());
      if (parsed.target !== undefined) resolveTarget(parsed.target, findLab, labChoices());
    } else if (c.action === 'workshop') {
      return checkWorkshop(c.args.slice(1), c.args[0], usage);
    }
  } catch (error) {
    return [`\`npm run ${c.action}\` rejects it: ${messageOf(error)}`];
  }
  return [];
}

/** Every problem with one command, as messages (no file or line). */
export async function commandProblems(c: GuideCommand, pkg: PackageJson = readPackageJson()): Promise<string[]> {
  const usage = await workshopUsage();
  const problems: string[] = [];
  switch (c.kind) {
    case 'npx workshop':
      problems.push(...checkWorkshop(c.args, c.action, usage));
      break;
    case 'npm run':
      problems.push(...checkNpmRun(c, pkg, usage));
      break;
    case 'npm install':
      // Options only (a venue pack's --registry): the guide installs what package.json lists.
      if (c.args.some((arg) => !arg.startsWith('-') && !/^https?:/.test(arg)))
        problems.push('the guide installs what package.json lists: `npm install` takes no package here');
      break;
    case 'npm start':
    case 'npm test':
      if (!pkg.scripts[c.action!]) problems.push(`package.json has no "${c.action}" script`);
      if (c.kind === 'npm start' && c.args.length > 0) problems.push('`npm start` takes no arguments in the guide: use `npx workshop run ...`');
      if (c.kind === 'npm test')
        for (const path of c.args) if (!existsSync(join(REPO_ROOT, path))) problems.push(`\`npm test -- ${path}\`: no such file or folder`);
      break;
    case 'unknown':
      // A venue pack's own server (harness/pack/serve-pack.mjs, copied as serve.mjs): plain Node.js.
      if (c.argv[0] === 'node' && /(^|\/)serve\.mjs$/.test(c.argv[1] ?? '')) {
        const options = c.argv.slice(2).filter((_, i) => i % 2 === 0);
        if (options.some((o) => o !== '--host' && o !== '--port')) problems.push('serve.mjs takes --host ADDRESS and --port N only');
        break;
      }
      problems.push('not a command the guide checks know (npx workshop ..., npm run <script>, npm install, npm start, npm test)');
      break;
  }
  if (c.source === 'block' && c.place === 'local' && isAwsStep(c)) {
    problems.push('needs an AWS account but sits in a ```bash block: put it in a ```bash aws block');
  }
  return problems;
}

export interface DocumentCheck {
  file: string;
  commands: GuideCommand[];
  templates: Extracted['templates'];
  problems: Problem[];
}

/** Extracts and checks the commands of one document, given as text (`file` is its repo-relative path). */
export async function checkCommandsText(file: string, text: string, pkg: PackageJson = readPackageJson()): Promise<DocumentCheck> {
  const { commands, problems, templates } = extractCommands(file, text);
  for (const c of commands) {
    for (const message of await commandProblems(c, pkg)) problems.push({ file, line: c.line, subject: c.text, message });
  }
  problems.sort((a, b) => a.line - b.line);
  return { file, commands, templates, problems };
}

/** Every guide document's commands, checked. */
export async function checkGuideCommands(root = REPO_ROOT): Promise<DocumentCheck[]> {
  const pkg = readPackageJson(root);
  const results: DocumentCheck[] = [];
  for (const file of guideDocuments(root)) results.push(await checkCommandsText(file, readFileSync(join(root, file), 'utf8'), pkg));
  return results;
}

// ---------------------------------------------------------------- how the tests run local commands

export type RunStep =
  /** `workshop <args>` through bin/workshop.js. `pass`: exit 0; `pass-or-fail`: 0 or 1, never 2. */
  | { kind: 'cli'; args: string[]; env: Record<string, string>; expect: 'pass' | 'pass-or-fail'; from: GuideCommand[]; html?: string }
  /** `workshop sandbox ...`: in guide order, with a private state directory. */
  | { kind: 'sandbox'; args: string[]; env: Record<string, string>; from: GuideCommand[] }
  /**
   * `workshop exercise|check|solution|progress`: a learner's walk through a lab, run in guide
   * order by test/docs/exercise-walk.test.ts, which makes the learner's edit between the check
   * that fails and the one that passes.
   */
  | { kind: 'exercise'; args: string[]; env: Record<string, string>; from: GuideCommand[] }
  /** Exists, but is what CI itself runs (npm install, npm test, npm run synth), or another test runs it: not re-run here. */
  | { kind: 'not-rerun'; why: string; from: GuideCommand[] }
  /** A local step the runner does not know how to run: a failing test until someone teaches it. */
  | { kind: 'unrunnable'; why: string; from: GuideCommand[] };

/** What CI runs anyway, so a test running them again would only repeat CI (or recurse, for npm test). */
const NOT_RERUN: Record<string, string> = {
  'npm install': 'CI runs `npm ci` before anything else',
  'npm test': 'this test is part of `npm test`; running it here would recurse',
  'npm run synth': 'test/stacks synthesizes every stack, and CI runs the whole suite',
  'npm run typecheck': 'CI and the developers run `npx tsc --noEmit`',
  'npm run sandbox:fetch': 'CI runs it before the tests (.ci/run)',
  'npm run test:faults': 'the fault suite is test/faults, part of `npm test`',
  'npm run facilitator': 'test/docs/facilitator.test.ts checks that docs/FACILITATOR.md is what it writes',
};

/** The builders-session commands (harness/exercise/commands.ts). */
export const EXERCISE_ACTIONS = ['exercise', 'check', 'solution', 'progress'];

/** The placeholder the runner replaces with a temporary directory. */
export const TMP = '<tmp>';

/**
 * How each local command (```bash block) is run by test/docs/guide-runs.ts, deduplicated.
 * `npm start` runs its package.json script's CLI arguments with --quick and the HTML report in a
 * temporary folder: `tsx harness/cli.ts run all ...` becomes `workshop run all ... --quick --html <tmp>/index.html`.
 */
export function planLocalRuns(commands: readonly GuideCommand[], pkg: PackageJson = readPackageJson()): RunStep[] {
  const steps: RunStep[] = [];
  const byKey = new Map<string, RunStep>();
  const add = (key: string, c: GuideCommand, make: () => RunStep) => {
    const existing = byKey.get(key);
    if (existing) existing.from.push(c);
    else {
      const step = make();
      byKey.set(key, step);
      steps.push(step);
    }
  };
  let sandboxSeq = 0;
  let exerciseSeq = 0;
  for (const c of commands) {
    if (c.source !== 'block' || c.place !== 'local') continue;
    const envKey = JSON.stringify(c.env);
    if (c.kind === 'npx workshop' && c.action === 'run') {
      const args = ['run', ...c.args, ...(c.args.includes('--quick') ? [] : ['--quick'])];
      const expect = c.args.some((a) => a === '--set' || a.startsWith('--set=')) ? 'pass-or-fail' : 'pass';
      add(`cli ${envKey} ${args.join(' ')}`, c, () => ({ kind: 'cli', args, env: c.env, expect, from: [c] }));
    } else if (c.kind === 'npx workshop' && (c.action === 'models' || c.action === 'paths' || c.action === 'doctor')) {
      const args = [c.action, ...c.args];
      add(`cli ${envKey} ${args.join(' ')}`, c, () => ({ kind: 'cli', args, env: c.env, expect: 'pass', from: [c] }));
    } else if (c.kind === 'npx workshop' && c.action === 'room') {
      add('not-rerun room', c, () => ({
        kind: 'not-rerun',
        why: 'it serves until Ctrl+C; test/browser/room.test.ts and test/harness/room.test.ts run the board, bench/room-load.ts loads it',
        from: [c],
      }));
    } else if ((c.kind === 'npx workshop' && c.action === 'pack') || (c.kind === 'unknown' && c.argv[0] === 'node' && /serve\.mjs$/.test(c.argv[1] ?? ''))) {
      add('not-rerun venue pack', c, () => ({
        kind: 'not-rerun',
        why: 'test/harness/e2e/venue-pack.test.ts writes a pack, serves it with its serve.mjs and installs from it with the registry unreachable',
        from: [c],
      }));
    } else if (c.kind === 'npx workshop' && c.action === 'dashboard') {
      add('not-rerun dashboard', c, () => ({
        kind: 'not-rerun',
        why: 'it serves until Ctrl+C; test/browser/dashboard.test.ts runs it in Chromium beside a lab run',
        from: [c],
      }));
    } else if (c.kind === 'npx workshop' && c.action === 'sandbox') {
      // Never deduplicated: `down` then `up` then `status` means something in that order.
      add(`sandbox ${sandboxSeq++}`, c, () => ({ kind: 'sandbox', args: ['sandbox', ...c.args], env: c.env, from: [c] }));
    } else if (c.kind === 'npx workshop' && EXERCISE_ACTIONS.includes(c.action ?? '')) {
      add(`exercise ${exerciseSeq++}`, c, () => ({ kind: 'exercise', args: [c.action!, ...c.args], env: c.env, from: [c] }));
    } else if (c.kind === 'npm start') {
      const script = pkg.scripts.start ?? '';
      const m = /^tsx harness\/cli\.ts (.+)$/.exec(script.trim());
      if (!m) {
        add(`unrunnable npm start`, c, () => ({
          kind: 'unrunnable',
          why: `the start script "${script}" is not \`tsx harness/cli.ts ...\`: teach planLocalRuns how to run it`,
          from: [c],
        }));
        continue;
      }
      const scriptArgs = m[1].split(/\s+/);
      const args: string[] = [];
      for (let i = 0; i < scriptArgs.length; i++) {
        if (scriptArgs[i] === '--html' || scriptArgs[i] === '--json')
          i++; // written to a temporary folder instead
        else args.push(scriptArgs[i]);
      }
      const html = `${TMP}/index.html`;
      add('npm start', c, () => ({
        kind: 'cli',
        args: [...args, ...(args.includes('--quick') ? [] : ['--quick']), '--html', html],
        env: c.env,
        expect: 'pass',
        html,
        from: [c],
      }));
    } else if (c.kind === 'npm test' && c.args.length > 0) {
      // A part of the suite, not the whole: runnable here without recursing, so a test runs it.
      add(`not-rerun ${c.text}`, c, () => ({
        kind: 'not-rerun',
        why: 'test/docs/readme.test.ts runs it (the files it names, not the whole suite)',
        from: [c],
      }));
    } else {
      const name = c.kind === 'npm run' ? `npm run ${c.action}` : c.kind;
      const why = NOT_RERUN[name];
      if (why) add(`not-rerun ${name}`, c, () => ({ kind: 'not-rerun', why, from: [c] }));
      else add(`unrunnable ${c.text}`, c, () => ({ kind: 'unrunnable', why: `the guide runner does not know how to run \`${c.text}\``, from: [c] }));
    }
  }
  return steps;
}

export function describeStep(step: RunStep): string {
  const where = step.from.map((c) => `${c.file}:${c.line}`).join(', ');
  const what = step.kind === 'cli' || step.kind === 'sandbox' || step.kind === 'exercise' ? `workshop ${step.args.join(' ')}` : step.from[0].text;
  return `${what}  [${where}]`;
}

if (runsAsScript(import.meta.url)) {
  // `tsx docs/guide-commands.ts`: list every command and problem.
  const results = await checkGuideCommands();
  for (const r of results) {
    console.log(
      `${r.file}: ${r.commands.length} commands (${r.commands.filter((c) => c.source === 'block').length} in shell blocks), ${r.templates.length} templates`,
    );
    for (const c of r.commands)
      console.log(`  ${String(c.line).padStart(4)} ${c.source === 'block' ? c.place.padEnd(5) : 'text '} ${c.kind.padEnd(12)} ${c.text}`);
  }
  const problems = results.flatMap((r) => r.problems);
  for (const p of problems) console.log(formatProblem(p));
  console.log(problems.length === 0 ? 'No problems.' : `${problems.length} problems.`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
