// `workshop`: the command line every guide step and test relies on.
//
//   workshop run <lab|all> [--target local|aws] [--duration S] [--rate N] [--set path=value ...]
//                [--json FILE] [--html FILE] [--diagram FILE] [--quick] [--time-scale N] [--dashboard [--port N]]
//                [--with-optional]   ("all" is labs 1-4; --with-optional adds the optional lab 5)
//   workshop dashboard [--port N]   the live dashboard that follows every local run
//   workshop models              every lab's capacity model
//   workshop paths               every path --set accepts
//   workshop sandbox up|down|status [--lab N]
//   workshop exercise|solution <lab>, check <lab> [--hint], progress   (harness/exercise/)
//
// Exit codes: EXIT in labs/workshop-error.ts, read from the error that ended the command
// (harness/exit-codes.ts). Never a stack trace: one line, and for the environment and the
// unexpected the full log's path.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { capacityModel } from '../labs/capacity-model.ts';
import { pipelineSvg } from '../labs/diagram.ts';
import { displayPath } from '../labs/display-path.ts';
import { runsAsScript } from '../labs/entry-point.ts';
import { findLab, LABS, labChoices, labsOfAll } from '../labs/index.ts';
import { type LabSpec, PLACES, type Place } from '../labs/lab-spec.ts';
import { nearestName } from '../labs/nearest-name.ts';
import { DEFAULT_PREFIX, PREFIX_VARIABLE } from '../labs/participant.ts';
import { refuseOlderNode } from '../labs/scripts-node.ts';
import { validateShippedLab } from '../labs/spec-source.ts';
import { parseCommandArgs, usageError } from './command-args.ts';
import { LiveFeedWriter, type LiveRun } from './dashboard/live-feed.ts';
import { type DashboardServer, DEFAULT_DASHBOARD_PORT, dashboardAt, startDashboard } from './dashboard/server.ts';
import { UsageError } from './errors.ts';
import { checkCommand, EXERCISE_USAGE, exerciseCommand, progressCommand, solutionCommand } from './exercise/commands.ts';
import { inExerciseFolder } from './exercise/workspace.ts';
import { EXIT, exitFor } from './exit-codes.ts';
import { numberOption, timeScaleOption } from './number-option.ts';
import { parseOverride, SETTABLE_PATHS } from './overrides.ts';
import { createProgressView } from './progress-view.ts';
import { effectiveSpec, runLab } from './run-lab.ts';
import type { LabRunResult, RunReport } from './run-result.ts';
import { type LabTarget } from './targets/target.ts';
import { renderComparison, renderModels, renderTargets } from './text-report.ts';

export const USAGE = `Usage:
  workshop doctor              whether the local labs will run on this machine, with the fixes
  workshop run <lab|all> [--target local|aws] [--duration S] [--rate N] [--set path=value ...]
               [--json FILE] [--html FILE] [--diagram FILE] [--quick] [--time-scale N] [--dashboard [--port N]]
               [--with-optional]   ("all" is labs 1-4; --with-optional adds the optional lab 5)
  workshop dashboard [--port N]
  workshop room [--port N] [--host ADDRESS]   the instructor's live room board (participants: check --room)
  workshop pack [--out DIR] [--platforms LIST] the venue pack: npm packages and jars for a room with no internet
  workshop models
  workshop paths
  workshop sandbox up|down|status [--lab N]

Builders session (build each lab yourself):
${EXERCISE_USAGE}

Labs: ${labChoices()}.`;

/** Each `workshop` command and what runs it. */
const COMMANDS: Record<string, (rest: string[]) => Promise<number>> = {
  run: runCommand,
  dashboard: dashboardCommand,
  models: async () => {
    console.log(renderModels(LABS.map((lab) => ({ lab, model: capacityModel(lab) }))));
    return EXIT.passed.code;
  },
  paths: async () => {
    console.log(SETTABLE_PATHS.join('\n'));
    return EXIT.passed.code;
  },
  exercise: (rest) => inExerciseFolder(() => exerciseCommand(rest)),
  solution: (rest) => inExerciseFolder(() => solutionCommand(rest)),
  check: (rest) => inExerciseFolder(() => checkCommand(rest)),
  progress: (rest) => inExerciseFolder(() => progressCommand(rest)),
  doctor: async (rest) => {
    const { doctorCommand } = await import('./doctor/doctor-command.ts');
    return doctorCommand(rest);
  },
  room: async (rest) => {
    const { roomCommand } = await import('./room/room-command.ts');
    return roomCommand(rest);
  },
  pack: async (rest) => {
    const { packCommand } = await import('./pack/pack-command.ts');
    return packCommand(rest);
  },
  sandbox: async (rest) => {
    const { sandboxCommand } = await import('./sandbox-command.ts');
    return sandboxCommand(rest);
  },
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || ['--help', '-h', 'help'].includes(command)) {
    console.log(USAGE);
    return command === undefined ? EXIT.badInput.code : EXIT.passed.code;
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) {
    const nearest = nearestName(command, Object.keys(COMMANDS));
    throw usageError(`Unknown command "${command}"${nearest ? ` (did you mean ${nearest}?)` : ''}: the commands are ${Object.keys(COMMANDS).join(', ')}`);
  }
  return run(rest);
}

export function parseRunArgs(args: string[]) {
  const parsed = parseCommandArgs('run', {
    args,
    allowPositionals: true,
    options: {
      target: { type: 'string', default: 'local' },
      duration: { type: 'string' },
      rate: { type: 'string' },
      set: { type: 'string', multiple: true },
      json: { type: 'string' },
      html: { type: 'string' },
      diagram: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'time-scale': { type: 'string' },
      dashboard: { type: 'boolean', default: false },
      port: { type: 'string' },
      'with-optional': { type: 'boolean', default: false },
    },
  });
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`workshop run takes one lab (or "all"): ${labChoices()}.`);
  const which = positionals[0];
  const labs: LabSpec[] = which === 'all' ? labsOfAll(values['with-optional'] ?? false) : [findLab(which) ?? unknownLab(which)];
  if (values['with-optional'] && which !== 'all')
    throw new UsageError(`--with-optional adds the optional labs to "all": leave it out when you name lab ${which}.`);
  if (!PLACES.includes(values.target as Place)) throw new UsageError(`--target ${values.target} is not a place a lab runs: use local or aws.`);
  if (values.diagram !== undefined && labs.length > 1) throw new UsageError('--diagram draws the pipeline of one lab: name the lab, not "all".');
  if (values.port !== undefined && !values.dashboard) throw new UsageError("--port sets the live dashboard's port: add --dashboard, or leave --port out.");
  if (values.dashboard && values.target === 'aws') {
    throw new UsageError(
      `--dashboard follows runs in the local sandbox. On AWS, open the CloudWatch dashboard ${DEFAULT_PREFIX}-dashboard (<your ${PREFIX_VARIABLE}>-dashboard if you set one; WORKSHOP.md, "What to look at").`,
    );
  }
  return {
    labs,
    place: values.target as Place,
    durationSec: numberOption(values.duration, '--duration', 5, 3600),
    ratePerSec: numberOption(values.rate, '--rate', 0.1, 100_000),
    overrides: (values.set ?? []).map(parseOverride),
    json: values.json,
    html: values.html,
    diagram: values.diagram,
    quick: values.quick ?? false,
    timeScale: timeScaleOption(values['time-scale']),
    dashboard: values.dashboard ?? false,
    port: numberOption(values.port, '--port', 0, 65535),
  };
}

function unknownLab(which: string): never {
  throw new UsageError(`Unknown lab "${which}": use ${labChoices()}, or "all".`);
}

async function createTarget(place: Place, timeScale: number | undefined): Promise<LabTarget> {
  if (place === 'aws') {
    const { AwsTarget } = await import('./targets/aws.ts');
    return new AwsTarget();
  }
  const { LocalTarget } = await import('./targets/local.ts');
  return new LocalTarget({ timeScale });
}

/**
 * Every lab's spec, and each with the run's --set, checked before any server starts: a mistake in
 * the third lab of `run all` is reported in seconds, not after two runs. With --diagram, the
 * what-if's pipeline is drawn then, so the picture is there while it runs.
 */
export async function checkSpecs(options: ReturnType<typeof parseRunArgs>): Promise<LabSpec[]> {
  const specs: LabSpec[] = [];
  for (const lab of options.labs) specs.push(effectiveSpec(await validateShippedLab(lab), options));
  if (options.diagram !== undefined) writeOutput(options.diagram, pipelineSvg(specs[0]), 'Pipeline diagram');
  return specs;
}

async function runCommand(args: string[]): Promise<number> {
  const options = parseRunArgs(args);
  await checkSpecs(options);
  const dashboard = options.dashboard ? await dashboardForRun(options.port) : undefined;
  const target = await createTarget(options.place, options.timeScale);
  const results: LabRunResult[] = [];
  const view = createProgressView();
  const observer = options.place === 'local' ? (run: LiveRun) => new LiveFeedWriter(run) : undefined;
  try {
    for (const lab of options.labs) {
      const result = await runLab(lab, target, { ...options, onProgress: view.update, observer });
      view.finish(result);
      results.push(result);
      console.log(renderTargets(result));
    }
  } finally {
    view.stop();
    await target.close();
    await dashboard?.close();
  }
  const report: RunReport = { generatedAt: new Date().toISOString(), labs: results };
  console.log(renderComparison(results));
  if (options.json) writeOutput(options.json, `${JSON.stringify(report, null, 2)}\n`, 'JSON results');
  if (options.html) {
    const { renderHtmlReport } = await import('./report/html.ts');
    writeOutput(options.html, renderHtmlReport(report), 'HTML report');
  }
  return results.every((r) => r.passed) ? EXIT.passed.code : EXIT.targetFailed.code;
}

/** Our own dashboard server, or none when another terminal's dashboard already follows runs. */
async function dashboardForRun(port: number | undefined): Promise<DashboardServer | undefined> {
  const wanted = port ?? DEFAULT_DASHBOARD_PORT;
  const existing = wanted === 0 ? undefined : await dashboardAt(wanted);
  if (existing) {
    console.log(`Live dashboard: ${existing} (already running in another terminal; it follows this run)`);
    return undefined;
  }
  let server: DashboardServer;
  try {
    server = await startDashboard({ port: wanted });
  } catch (error) {
    if (port !== undefined || !(error instanceof UsageError)) throw error;
    server = await startDashboard({ port: 0 });
  }
  console.log(`Live dashboard: ${server.url} (open it now; it stops when this command ends — \`workshop dashboard\` keeps one up)`);
  return server;
}

async function dashboardCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('dashboard', { args, options: { port: { type: 'string' } } });
  const server = await startDashboard({ port: numberOption(values.port, '--port', 0, 65535) });
  console.log(`Live dashboard: ${server.url}\nIt follows every local \`workshop run\` on this machine (any terminal). Ctrl+C stops it.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

function writeOutput(file: string, content: string, what: string): void {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  console.log(`${what}: ${displayPath(path)}`);
}

/** Runs the CLI and exits with its code; used by bin/workshop.js and `tsx harness/cli.ts`. */
export function runCli(argv: string[]): void {
  Promise.resolve()
    .then(() => {
      refuseOlderNode();
      return main(argv);
    })
    .then(
      (code) => process.exit(code),
      (error) => {
        const { code, message } = exitFor(error);
        console.error(message);
        process.exit(code);
      },
    );
}

if (runsAsScript(import.meta.url)) runCli(process.argv.slice(2));
