// What labs/deploy.ts and labs/destroy.ts share as command-line programs: a DeployError is one
// line on stderr and exit 1, not a stack trace; anything else is a bug and keeps its trace.
import { DeployError } from './deploy-error.ts';

export async function runCli(run: (argv: string[]) => Promise<number>): Promise<void> {
  try {
    process.exitCode = await run(process.argv.slice(2));
  } catch (error) {
    if (error instanceof DeployError) {
      console.error(error.message);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}
