// README's import rule, kept true: which top folder may import which. Each import of a project
// file is read from the source (static `import ... from`, `export ... from` and `import()`), so a
// new file that breaks the layout fails here, naming the file and the import.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REPO_ROOT } from '../../docs/markdown.ts';

/** What each folder may import besides itself (README, "Working on the code": "Layout and the import rule"). */
const ALLOWED: Record<string, readonly string[]> = {
  handlers: [],
  modules: ['handlers', 'labs:spec'],
  labs: ['modules', 'handlers'],
  sandbox: ['labs', 'handlers'],
  harness: ['labs', 'sandbox', 'handlers'],
};
/**
 * labs:spec: the files of labs/ that describe a lab (its type, validation, AWS's limits and names)
 * or whose names it is deployed under (the participant's prefix), not the stacks.
 */
const LAB_SPEC_FILES = new Set(['labs/lab-spec.ts', 'labs/lab-spec-types.ts', 'labs/esm-metrics.ts', 'labs/aws-limits.ts', 'labs/participant.ts']);
/** The tools on top (bench, docs, test) may import anything; only they may import harness. */
const TOOLS = ['bench', 'docs', 'test'];

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|mts|mjs)$/.test(name)) yield path;
  }
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** [importing file, imported file], both relative to the repository, for every relative import. */
function projectImports(folders: readonly string[]): Array<[string, string]> {
  const edges: Array<[string, string]> = [];
  for (const folder of folders) {
    for (const file of sourceFiles(join(REPO_ROOT, folder))) {
      for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const specifier = match[1] ?? match[2];
        if (!specifier?.startsWith('.')) continue;
        edges.push([relative(REPO_ROOT, file), relative(REPO_ROOT, resolve(dirname(file), specifier))]);
      }
    }
  }
  return edges;
}

const topOf = (path: string) => path.split('/')[0];

function allowed(from: string, to: string): boolean {
  const source = topOf(from);
  const target = topOf(to);
  if (source === target || TOOLS.includes(source)) return true;
  const rules = ALLOWED[source];
  if (!rules) return false;
  if (rules.includes(target)) return true;
  return target === 'labs' && rules.includes('labs:spec') && LAB_SPEC_FILES.has(to);
}

test("every import follows README's layout rule", () => {
  const edges = projectImports(Object.keys(ALLOWED));
  // A reader that silently found nothing would pass: the project has hundreds of these.
  assert.ok(edges.length > 200, `read ${edges.length} imports`);
  const broken = edges.filter(([from, to]) => !allowed(from, to)).map(([from, to]) => `${from} imports ${to}`);
  assert.equal(broken, [], `imports against README's layout rule:\n${broken.join('\n')}`);
});

test('nothing but the tools on top imports harness', () => {
  const edges = projectImports(['labs', 'modules', 'handlers', 'sandbox']);
  assert.equal(
    edges.filter(([, to]) => topOf(to) === 'harness'),
    [],
  );
});

test('the rule itself catches a backwards import', () => {
  assert.not.ok(allowed('labs/capacity-model.ts', 'sandbox/kafka-esm/poller-scaling.ts'));
  assert.not.ok(allowed('modules/dashboard.ts', 'labs/stacks.ts'));
  assert.not.ok(allowed('sandbox/index.ts', 'harness/run-lab.ts'));
  assert.ok(allowed('modules/kafka-consumer.ts', 'labs/lab-spec-types.ts'));
  assert.ok(allowed('bench/contention.ts', 'harness/run-lab.ts'));
});

test.run();
