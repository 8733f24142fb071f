// Loaded before each AWS command's own modules (package.json: `tsx --import
// ./labs/aws-path-preflight.ts labs/deploy.ts`): the stacks import CDK Terrain statically, so a
// missing toolchain or an older Node.js would otherwise end the command while it loads, with a
// stack trace and before any of its own lines could say what to run.
import { findAwsToolchain } from './aws-toolchain.ts';
import { olderNodeProblem } from './scripts-node.ts';
import { EXIT } from './workshop-error.ts';

const toolchain = findAwsToolchain();
const problem = olderNodeProblem() ?? ('problem' in toolchain ? toolchain.problem : undefined);
if (problem) {
  console.error(problem);
  process.exit(EXIT.environment.code);
}
