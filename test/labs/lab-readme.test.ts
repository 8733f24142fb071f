import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LABS } from '../../labs/index.ts';
import { readmePath, regenerate, renderMappingDiff, synthesizedMappings } from '../../labs/lab-readme.ts';

const mappings = synthesizedMappings();

test('every lab README shows its current capacity model and mapping diff (run `npm run docs:labs` to refresh)', () => {
  for (const lab of LABS) {
    const text = readFileSync(readmePath(lab), 'utf8');
    assert.fixture(text, regenerate(text, lab, mappings), `${lab.id}/README.md is stale`);
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
