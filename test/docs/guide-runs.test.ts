// The guide's local commands, first shard: test/docs/guide-runs.ts says what is run and how.
import { test } from 'uvu';
import { guideRuns } from './guide-runs.ts';

await guideRuns(0);
test.run();
