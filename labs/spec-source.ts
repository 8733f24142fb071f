// Where a lab's spec is written, and where in those files a key of it is: a refused key
// (`kafkaEsm.batchingWindowSecond`) is reported at its file:line:column, so a person goes
// straight to it. A spec is a plain object by the time it is validated, so the key is found again
// in the source with the TypeScript parser (parsing only: milliseconds, loaded when needed).
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type LabSpec, LabSpecError, type SpecProblem, validateLabSpec } from './lab-spec.ts';
import { REPO_ROOT } from './stack-contract.ts';

export interface SourcePosition {
  file: string;
  /** 1-based, as editors count. */
  line: number;
  column: number;
}

/** The files a shipped lab's spec is written in: its spec.ts and the problem.ts it spreads. */
export function labSourceFiles(labId: string): string[] {
  return ['spec.ts', 'problem.ts'].map((name) => join(REPO_ROOT, 'labs', labId, name)).filter((file) => existsSync(file));
}

/**
 * Where the last key of each path is written in `files`: the property of that name whose
 * enclosing properties match most of the path (`maximum` inside `provisionedPollers`), the first
 * such. Each file is parsed once, however many keys are looked for.
 */
export async function locateKeys(files: readonly string[], paths: readonly string[]): Promise<Map<string, SourcePosition>> {
  const found = new Map<string, SourcePosition>();
  if (paths.length === 0) return found;
  const { default: ts } = await import('typescript');
  const sources = files.map((file) => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true));
  for (const path of paths) {
    const segments = path.split('.');
    const key = segments[segments.length - 1];
    const parents = segments.slice(0, -1);
    let best: { position: SourcePosition; score: number } | undefined;
    for (const source of sources) {
      const visit = (node: import('typescript').Node): void => {
        if ((ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) && propertyName(ts, node.name) === key) {
          const score = matchedParents(ts, node, parents);
          if (!best || score > best.score) {
            const { line, character } = source.getLineAndCharacterOfPosition(node.name.getStart(source));
            best = { position: { file: source.fileName, line: line + 1, column: character + 1 }, score };
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    if (best) found.set(path, best.position);
  }
  return found;
}

/** Where one key is written (locateKeys for one path). */
export async function locateKey(files: readonly string[], path: string): Promise<SourcePosition | undefined> {
  return (await locateKeys(files, [path])).get(path);
}

function propertyName(ts: typeof import('typescript'), name: import('typescript').PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) ? name.text : undefined;
}

/** How many of `parents`, from the nearest, are the names of the properties around `node`. */
function matchedParents(ts: typeof import('typescript'), node: import('typescript').Node, parents: readonly string[]): number {
  let score = 0;
  let i = parents.length - 1;
  for (let at = node.parent; at && i >= 0; at = at.parent) {
    if (ts.isPropertyAssignment(at) && propertyName(ts, at.name) === parents[i]) {
      score++;
      i--;
    }
  }
  return score;
}

/**
 * The error with each refused key placed in `files` (`where`, shown by `show`, e.g. relative to
 * the working directory); problems of values stay as they are.
 */
export async function locateUnknownKeys(
  error: LabSpecError,
  files: readonly string[],
  show: (position: SourcePosition) => string = showPosition,
): Promise<LabSpecError> {
  const unplaced = (problem: SpecProblem) => problem.unknownKey !== undefined && problem.where === undefined;
  const positions = await locateKeys(
    files,
    error.problems.filter(unplaced).map((p) => p.path),
  );
  const problems = error.problems.map((problem): SpecProblem => {
    const position = unplaced(problem) ? positions.get(problem.path) : undefined;
    return position ? { ...problem, where: show(position) } : problem;
  });
  return new LabSpecError(error.labId, problems);
}

/** `labs/01-baseline/spec.ts:12:5`: relative to the working directory when below it. */
export function showPosition({ file, line, column }: SourcePosition, cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  return `${rel && !rel.startsWith('..') ? rel : file}:${line}:${column}`;
}

/** validateLabSpec for a lab of labs/, with each refused key placed in its spec.ts or problem.ts. */
export async function validateShippedLab(lab: LabSpec): Promise<LabSpec> {
  try {
    return validateLabSpec(lab);
  } catch (error) {
    if (error instanceof LabSpecError) throw await locateUnknownKeys(error, labSourceFiles(error.labId), showPosition);
    throw error;
  }
}
