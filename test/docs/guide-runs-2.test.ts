// The guide's local commands, second shard: test/docs/guide-runs.ts says what is run and how.
import { test } from 'uvu';
import { guideRuns } from './guide-runs.ts';

await guideRuns(1);
test.run();
