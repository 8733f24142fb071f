// The learner's files, type-checked as the project is (tsconfig.json, strict) before anything
// runs: esbuild, which builds them, only strips types, so `batchingWindowSecond: 0` or a
// `provisionedPoller` would build and be ignored, and the learner would wait a whole run to be
// told to look at a setting they think they set. TypeScript names the key and the one it expects,
// at file:line:column, in a second or two.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { displayPath } from '../../labs/display-path.ts';
import { REPO_ROOT } from '../../labs/stack-contract.ts';

/** Each file's errors, as `file:line:column: message` lines (none: it type-checks). */
export function typeCheck(files: readonly string[]): Map<string, string[]> {
  const program = ts.createProgram({ rootNames: [...files], options: compilerOptions() });
  const errors = new Map<string, string[]>();
  for (const file of files) {
    const source = program.getSourceFile(file);
    const diagnostics = source ? [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)] : [];
    errors.set(
      file,
      diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map((d) => describe(d)),
    );
  }
  return errors;
}

let options: ts.CompilerOptions | undefined;

/**
 * The project's own options; packages resolve from the repository's node_modules too, so an
 * exercise folder outside it (WORKSHOP_EXERCISES_DIR) checks like one inside.
 */
function compilerOptions(): ts.CompilerOptions {
  if (options) return options;
  const configFile = join(REPO_ROOT, 'tsconfig.json');
  const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, REPO_ROOT, undefined, configFile);
  const modules = join(REPO_ROOT, 'node_modules');
  options = {
    ...parsed.options,
    noEmit: true,
    paths: { '*': [`${modules}/*`, `${modules}/@types/*`] },
    typeRoots: [join(modules, '@types')].filter((dir) => existsSync(dir)),
  };
  return options;
}

function describe(diagnostic: ts.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
  if (!diagnostic.file || diagnostic.start === undefined) return text;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${displayPath(resolve(diagnostic.file.fileName))}:${line + 1}:${character + 1}: ${text}`;
}
