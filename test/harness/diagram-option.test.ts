// `workshop run <lab> --set ... --diagram FILE`: the what-if's pipeline, drawn from the spec with
// the run's --set applied, written before anything starts; refused for `all`, and nothing
// written when the --set makes the spec invalid.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSpecs, parseRunArgs } from '../../harness/cli.ts';
import { effectiveSpec } from '../../harness/run-lab.ts';
import { pipelineSvg } from '../../labs/diagram.ts';
import { LABS } from '../../labs/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'klw-diagram-option-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('--diagram FILE writes the what-if: the lab with its --set', async () => {
  const file = join(dir, 'nested', 'what-if.svg');
  const options = parseRunArgs(['1', '--set', 'kafkaEsm.batchSize=10', '--set', 'kafkaEsm.batchingWindowSeconds=1', '--diagram', file]);
  const [spec] = await checkSpecs(options);
  const svg = readFileSync(file, 'utf8');
  assert.is(svg, pipelineSvg(effectiveSpec(LABS[0], options)));
  assert.is(svg, pipelineSvg(spec));
  assert.match(svg, '>batch 10 · window 1 s<');
  assert.is.not(svg, pipelineSvg(LABS[0]), 'not the lab as shipped');
});

test('without --diagram nothing is drawn; with "all" it is refused', () => {
  assert.is(parseRunArgs(['1']).diagram, undefined);
  assert.throws(() => parseRunArgs(['all', '--diagram', join(dir, 'all.svg')]), /--diagram draws the pipeline of one lab/);
});

test('a --set the spec refuses writes no diagram', async () => {
  const file = join(dir, 'refused.svg');
  const options = parseRunArgs(['1', '--set', 'kafkaEsm.batchSize=100000', '--diagram', file]);
  try {
    await checkSpecs(options);
    assert.unreachable('an invalid batch size was accepted');
  } catch (error) {
    assert.match((error as Error).message, 'batchSize');
  }
  assert.not.ok(existsSync(file));
});

test.run();
