import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pipelineSvg } from '../../labs/diagram.ts';
import { diagramFile, regenerateGuide } from '../../labs/diagram-files.ts';
import { LABS } from '../../labs/index.ts';
import { readmePath, regenerate, renderMappingDiff, synthesizedMappings } from '../../labs/lab-readme.ts';
import { REPO_ROOT } from '../../labs/stack-contract.ts';

const mappings = synthesizedMappings();

test('every lab README shows its current capacity model and mapping diff (run `npm run docs:labs` to refresh)', () => {
  for (const lab of LABS) {
    const text = readFileSync(readmePath(lab), 'utf8');
    assert.fixture(text, regenerate(text, lab, mappings), `${lab.id}/README.md is stale`);
  }
});

test("every lab's pipeline.svg is what labs/diagram.ts draws from its spec now (run `npm run docs:labs` to refresh)", () => {
  for (const lab of LABS) {
    const file = join(REPO_ROOT, diagramFile(lab));
    assert.ok(existsSync(file), `${diagramFile(lab)} is committed`);
    assert.fixture(readFileSync(file, 'utf8'), pipelineSvg(lab), `${diagramFile(lab)} is stale`);
  }
});

test("WORKSHOP.md shows each lab's diagram in its walkthrough, with the current alt text (run `npm run docs:labs` to refresh)", () => {
  const text = readFileSync(join(REPO_ROOT, 'WORKSHOP.md'), 'utf8');
  assert.fixture(text, regenerateGuide(text), 'WORKSHOP.md is stale');
  for (const lab of LABS) {
    const walkthrough = text.indexOf(`### Solution: lab ${lab.number} walkthrough`);
    const image = text.indexOf(`](${diagramFile(lab)})`);
    assert.ok(
      walkthrough > 0 && image > walkthrough && image < text.indexOf('</details>', walkthrough),
      `lab ${lab.number}'s diagram is in its folded walkthrough`,
    );
  }
});

test('lab 1 shows the mapping with no window; lab 2 shows the window going to 0', () => {
  assert.not.match(renderMappingDiff(LABS[0], mappings), 'maximum_batching_window_in_seconds');
  assert.match(renderMappingDiff(LABS[1], mappings), /maximum_batching_window_in_seconds` \| \*\(unset: AWS default\)\* \| `0`/);
});

test('lab 4 shows the filter, the retries and the destination it adds', () => {
  const diff = renderMappingDiff(LABS[3], mappings);
  for (const argument of ['filter_criteria', 'maximum_retry_attempts', 'bisect_batch_on_function_error', 'destination_config', 'function_response_types']) {
    assert.match(diff, argument);
  }
});

test.run();
