// A refused key is reported where it is written: the TypeScript parser finds it again in the
// lab's files, preferring the property whose enclosing properties match the key's path.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LABS } from '../../labs/index.ts';
import { type LabSpec, LabSpecError, validateLabSpec } from '../../labs/lab-spec.ts';
import { labSourceFiles, locateKey, locateUnknownKeys, showPosition, validateShippedLab } from '../../labs/spec-source.ts';
import { REPO_ROOT } from '../../labs/stack-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'klw-spec-source-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const SOURCE = `export const lab = {
  kafkaEsm: {
    batchSize: 10,
    maximum: 'not this one',
    provisionedPollers: sizeProvisionedPollers({
      minimum: 1,
      maximun: 2,
    }),
  },
  sqsBuffer: { provisionedPollers: { minimum: 2, maximun: 3 } },
};
`;

test('locateKey finds the key at its line and column, in the object its path names', async () => {
  const file = join(dir, 'spec.ts');
  writeFileSync(file, SOURCE);
  assert.equal(await locateKey([file], 'kafkaEsm.provisionedPollers.maximun'), { file, line: 7, column: 7 });
  assert.equal(await locateKey([file], 'sqsBuffer.provisionedPollers.maximun'), { file, line: 10, column: 50 });
  assert.equal(await locateKey([file], 'kafkaEsm.batchSize'), { file, line: 3, column: 5 });
  assert.is(await locateKey([file], 'kafkaEsm.notThere'), undefined);
  assert.is(showPosition({ file, line: 7, column: 7 }, dir), 'spec.ts:7:7');
  assert.is(showPosition({ file, line: 7, column: 7 }, '/somewhere/else'), `${file}:7:7`);
});

test("locateUnknownKeys places each refused key; a value's problem keeps no place", async () => {
  const file = join(dir, 'lab2.ts');
  const text = readFileSync(join(REPO_ROOT, 'labs', '02-low-latency', 'spec.ts'), 'utf8').replace('batchingWindowSeconds: 0,', 'batchingWindowSecond: 0,');
  writeFileSync(file, text);
  const line = text.split('\n').findIndex((l) => l.includes('batchingWindowSecond:')) + 1;
  const spec = structuredClone(LABS[1]) as unknown as Record<string, Record<string, unknown>>;
  delete spec.kafkaEsm.batchingWindowSeconds;
  spec.kafkaEsm.batchingWindowSecond = 0;
  spec.kafkaEsm.batchSize = 0;
  let error: LabSpecError | undefined;
  try {
    validateLabSpec(spec as unknown as LabSpec);
  } catch (e) {
    error = e as LabSpecError;
  }
  const located = await locateUnknownKeys(error!, [file], (p) => showPosition(p, dir));
  assert.match(located.message, `lab2.ts:${line}:5: kafkaEsm.batchingWindowSecond is not a LabSpec key: did you mean kafkaEsm.batchingWindowSeconds?`);
  assert.match(located.message, /\n {2}- kafkaEsm\.batchSize = 0: allowed a whole number from 1 to 10000/);
});

test('every shipped lab validates with its files found', async () => {
  for (const lab of LABS) {
    assert.equal(
      labSourceFiles(lab.id).map((f) => f.slice(REPO_ROOT.length + 1)),
      [`labs/${lab.id}/spec.ts`, `labs/${lab.id}/problem.ts`],
    );
    assert.is(await validateShippedLab(lab), lab);
  }
});

test.run();
