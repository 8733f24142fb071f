// The builders-session commands: `workshop exercise|solution|check|progress`. Each prints what
// it did and the next command to type.

import { existsSync } from 'node:fs';
import { displayPath } from '../../labs/display-path.ts';
import { findLab, LABS, labChoices } from '../../labs/index.ts';
import { type LabSpec, PLACES, type Place } from '../../labs/lab-spec.ts';
import { EXIT } from '../../labs/workshop-error.ts';
import { parseCommandArgs } from '../command-args.ts';
import { UsageError } from '../errors.ts';
import { timeScaleOption } from '../number-option.ts';
import { createProgressView } from '../progress-view.ts';
import { type RoomTarget, roomTarget, sendToRoom } from '../room/room-client.ts';
import { roomReport } from '../room/room-report.ts';
import { type CheckOutcome, checkExercise, filesToCheck } from './check.ts';
import { checkpointOf, HINT_STEPS, type Hint } from './checkpoints.ts';
import type { Finding } from './finding.ts';
import { renderComparison } from './prediction-report.ts';
import { advanceHints, type CheckRecord, damagedRecordPath, hintStepsUsed, loadProgress, progressFile, readProgress } from './progress.ts';
import { exercisesDir, fingerprint, labFolder, todosIn, type WrittenFile, writeExercise } from './workspace.ts';

export const EXERCISE_USAGE = `  workshop exercise <lab> [--reset]  write the lab's starting files into exercises/<lab>/ (--reset: over your edits)
  workshop check <lab> [--hint] [--quick] [--time-scale N] [--room URL] [--name NAME] [--target local|aws]
                                     check what you built: files first, then the lab's traffic
                                     (--hint: the next step of each hint: where, then the answer;
                                     --room: also send the check's summary to the room board;
                                     --target aws: on AWS, after npm run deploy -- <lab> --from exercises/<lab>)
  workshop solution <lab>            write the solution (your files are backed up first)
  workshop progress                  which labs you have done`;

function oneLab(command: string, positionals: string[]): LabSpec {
  if (positionals.length !== 1) throw new UsageError(`workshop ${command} takes one lab: ${labChoices()}.`);
  const lab = findLab(positionals[0]);
  if (!lab) throw new UsageError(`Unknown lab "${positionals[0]}": use ${labChoices()}.`);
  return lab;
}

const labOnly = (command: string, args: string[]) => parseCommandArgs(command, { args, options: {}, allowPositionals: true });

function describeWritten(written: WrittenFile[]): string[] {
  return written.map((w) => {
    const name = displayPath(w.path);
    if (w.unchanged) return `  ${name} (already so)`;
    if (w.kept) return `  ${name} (yours, kept)`;
    return `  ${name}${w.backup ? `  (what it held before is saved in ${displayPath(w.backup)})` : ''}`;
  });
}

export function exerciseCommand(args: string[]): number {
  const { positionals, values } = parseCommandArgs('exercise', { args, options: { reset: { type: 'boolean' } }, allowPositionals: true });
  const lab = oneLab('exercise', positionals);
  // Running the guide's block again must not undo the learner's work: edited files are kept
  // unless they ask for the starting state with --reset (and then backed up).
  const written = writeExercise(lab, 'start', exercisesDir(), { keepEdited: !values.reset });
  const kept = written.filter((w) => w.kept);
  const todos = todosIn(written.map((w) => w.path));
  console.log(
    [
      `Lab ${lab.number} exercise — ${lab.title}`,
      kept.length === 0 ? `Your files, in their starting state:` : `Your files (the ones you edited are kept as they are):`,
      ...describeWritten(written),
      ...(kept.length > 0 ? [`  To start them over: npx workshop exercise ${lab.number} --reset  (your versions are backed up first)`] : []),
      '',
      'What to build (the TODO markers):',
      ...todos.map((t) => `  ${displayPath(t.path)}:${t.line}  ${t.text}`),
      '',
      `When you have made the change: npx workshop check ${lab.number}`,
    ].join('\n'),
  );
  return 0;
}

export function solutionCommand(args: string[]): number {
  const { positionals } = labOnly('solution', args);
  const lab = oneLab('solution', positionals);
  const written = writeExercise(lab, 'solution');
  console.log(
    [
      `Lab ${lab.number} solution, written into your exercise folder:`,
      ...describeWritten(written),
      ...(checkpointOf(lab.id).solutionNotes ?? []).map((note) => `  ${note}`),
      '',
      `Read it against yours, then check it: npx workshop check ${lab.number}`,
    ].join('\n'),
  );
  return 0;
}

export async function checkCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('check', {
    args,
    allowPositionals: true,
    options: {
      hint: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      'time-scale': { type: 'string' },
      room: { type: 'string' },
      name: { type: 'string' },
      target: { type: 'string', default: 'local' },
    },
  });
  const lab = oneLab('check', positionals);
  const place = checkPlace(values.target, values['time-scale']);
  const room = roomTarget(values.room, values.name);
  const timeScale = timeScaleOption(values['time-scale']);
  const hint = Boolean(values.hint);

  if (hint) {
    const last = readProgress().labs[lab.id]?.last;
    const files = filesToCheck(lab);
    if (last && last.fingerprint === fingerprint(files.map((f) => f.path))) {
      console.log(`Your files have not changed since your check at ${when(last.at)}; its findings, with the next step of each hint:`);
      console.log(renderCheck(lab, last, advanceHints(lab.id, failingHints(lab, last), HINT_STEPS)));
      if (room) console.log(await reportToRoom(room, lab, last));
      return last.passed ? EXIT.passed.code : EXIT.targetFailed.code;
    }
  }

  console.log(
    `Checking lab ${lab.number} — your files in ${displayPath(labFolder(lab))}${place === 'aws' ? ', their traffic on AWS, where npm run deploy -- --from put them' : ''}`,
  );
  const view = createProgressView();
  let outcome: CheckOutcome;
  try {
    outcome = await checkExercise(lab, { quick: Boolean(values.quick), timeScale, onProgress: view.update, place });
  } finally {
    view.stop();
  }
  const { record, progressSetAside, reports } = outcome;
  const steps = hint ? advanceHints(lab.id, failingHints(lab, record), HINT_STEPS) : (readProgress().labs[lab.id]?.hintSteps ?? {});
  console.log(renderCheck(lab, record, steps));
  if (reports)
    console.log(
      `\nThis check's run: ${displayPath(reports.html)} (HTML report) and ${displayPath(reports.json)}; a running \`npx workshop dashboard\` followed it live.`,
    );
  if (progressSetAside) console.log(damagedNote(`was damaged, so it was kept as ${displayPath(progressSetAside)} and a new record started`));
  if (room) console.log(await reportToRoom(room, lab, record));
  return record.passed ? EXIT.passed.code : EXIT.targetFailed.code;
}

/** Where `check --target` runs the lab's traffic; --time-scale speeds up only the local sandbox's clock. */
export function checkPlace(target: string | undefined, timeScale: string | undefined): Place {
  if (!PLACES.includes(target as Place)) throw new UsageError(`--target ${target} is not a place a lab runs: use local or aws.`);
  if (target === 'aws' && timeScale !== undefined) {
    throw new UsageError('--time-scale speeds up the local sandbox; on AWS the lab runs in real time: leave --time-scale out.');
  }
  return target as Place;
}

/** The check's summary to the room board: the lab's counts from the progress record. */
function reportToRoom(room: RoomTarget, lab: LabSpec, record: CheckRecord): Promise<string> {
  const progress = readProgress().labs[lab.id];
  return sendToRoom(room, roomReport(room.name, lab.id, record, progress?.checks ?? 1, hintStepsUsed(progress)));
}

/** The ids of the hints of a check's failures. */
function failingHints(lab: LabSpec, record: CheckRecord): string[] {
  const hints = checkpointOf(lab.id).hints;
  return record.findings.filter((f) => !f.pass && hints[f.name]).map((f) => hints[f.name].id);
}

function damagedNote(what: string): string {
  return `Note: your progress record ${what}.`;
}

function when(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ') + ' UTC';
}

/**
 * The checkpoint as the learner reads it: each finding; under a failure the model's reason and
 * the hint's idea, then as many further steps as `--hint` has shown (`steps`, per hint id); the
 * prediction beside the model and the run; and what to type next.
 */
export function renderCheck(lab: LabSpec, record: CheckRecord, steps: Record<string, number> = {}): string {
  const hints = checkpointOf(lab.id).hints;
  const failed = record.findings.filter((f) => !f.pass);
  const lines = [
    '',
    record.passed
      ? `Lab ${lab.number} checkpoint — DONE`
      : `Lab ${lab.number} checkpoint — not yet: ${failed.length} of ${record.findings.length} checks failed`,
    ...findingsWithHints(record.findings, hints, steps),
    ...(record.comparison ? ['', ...renderComparison(record.comparison)] : []),
    '',
  ];
  const failing = [...new Set(failed.map((f) => hints[f.name]).filter((h): h is Hint => h !== undefined))];
  const next = Math.min(...failing.map((h) => steps[h.id] ?? 0)) + 1;
  if (record.passed) {
    const following = LABS.find((l) => l.number === lab.number + 1);
    lines.push(
      following ? `Next: npx workshop exercise ${following.number}  (${following.title})` : 'That was the last lab. `npx workshop progress` shows them all.',
    );
  } else if (failing.length > 0 && next <= HINT_STEPS) {
    lines.push(
      `Change your files, then: npx workshop check ${lab.number}   (more help: npx workshop check ${lab.number} --hint shows ${next === 1 ? 'where to look' : 'the answer'})`,
    );
  } else {
    lines.push(
      `Change your files, then: npx workshop check ${lab.number}   (stuck? npx workshop solution ${lab.number} writes the solution; yours is backed up)`,
    );
  }
  return lines.join('\n');
}

/** Each finding, and under a failure why and what to look at; a hint that several failures share is printed once. */
function findingsWithHints(findings: Finding[], hints: Record<string, Hint>, steps: Record<string, number>): string[] {
  const given = new Set<Hint>();
  const indent = (label: string, text: string) => text.split('\n').map((line, i) => `        ${i === 0 && label ? `${label}: ` : ''}${line}`);
  return findings.flatMap((finding) => {
    const lines = [`  ${finding.pass ? 'ok  ' : 'FAIL'}  ${finding.name}${finding.measured ? `: ${finding.measured}` : ''}`];
    if (finding.pass) return lines;
    const hint = hints[finding.name];
    // A target's own explanation (the model's reason) comes with its hint; a compile error or an
    // AWS limit is the whole message.
    if (finding.detail) lines.push(...indent(hint ? 'Why' : '', finding.detail));
    if (!hint) return lines;
    if (given.has(hint)) {
      lines.push('        (the same place to look as above)');
      return lines;
    }
    given.add(hint);
    const shown = steps[hint.id] ?? 0;
    lines.push(...indent('Look', hint.idea));
    if (shown >= 1) lines.push(...indent('Where', hint.where));
    if (shown >= 2) lines.push(...indent('Answer', hint.answer));
    return lines;
  });
}

export function progressCommand(args: string[]): number {
  const { positionals } = labOnly('progress', args);
  if (positionals.length > 0) throw new UsageError(`workshop progress takes no lab: it shows them all.`);
  const dir = exercisesDir();
  const { progress, damaged } = loadProgress(dir);
  const rows = LABS.map((lab) => {
    const record = progress.labs[lab.id];
    const started = existsSync(labFolder(lab, dir));
    const status = record?.doneAt ? 'done' : started ? 'in progress' : 'not started';
    const last = record
      ? `${when(record.last.at)}: ${
          record.last.passed
            ? 'passed'
            : `failed ${record.last.findings
                .filter((f) => !f.pass)
                .map((f) => f.name)
                .join(', ')}`
        }`
      : '';
    return { lab, status, checks: record?.checks ?? 0, hints: hintStepsUsed(record), last };
  });
  const name = (lab: LabSpec) => `${lab.number} ${lab.title.split(':')[0]}`;
  const width = Math.max(...rows.map((r) => name(r.lab).length));
  const next = rows.find((r) => r.status !== 'done');
  console.log(
    [
      `Your progress (${displayPath(progressFile(dir))}):`,
      `  ${'Lab'.padEnd(width)}  ${'Status'.padEnd(11)}  Checks  Hints  Last check`,
      ...rows.map((r) =>
        `  ${name(r.lab).padEnd(width)}  ${r.status.padEnd(11)}  ${String(r.checks).padStart(6)}  ${String(r.hints).padStart(5)}  ${r.last}`.trimEnd(),
      ),
      "  (Hints: the steps --hint showed beyond each failure's first idea: where to look, then the answer.)",
      '',
      next
        ? next.status === 'not started'
          ? `Next: npx workshop exercise ${next.lab.number}`
          : `Next: npx workshop check ${next.lab.number}`
        : `All ${LABS.length} labs done.`,
      ...(damaged
        ? [
            '',
            damagedNote(
              `(${displayPath(progressFile(dir))}) could not be read: ${damaged}. The labs show as not checked; your next check keeps the file as ${displayPath(damagedRecordPath(dir))} and starts a new one`,
            ),
          ]
        : []),
    ].join('\n'),
  );
  return 0;
}
