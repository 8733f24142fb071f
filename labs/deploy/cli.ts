// What labs/deploy.ts and labs/destroy.ts share as command-line programs: a project error is one
// line on stderr and the exit code its category gives (labs/workshop-error.ts), not a stack
// trace; anything else is a bug and keeps its trace.
import { WorkshopError } from '../workshop-error.ts';

export async function runCli(run: (argv: string[]) => Promise<number>): Promise<void> {
  try {
    process.exitCode = await run(process.argv.slice(2));
  } catch (error) {
    if (error instanceof WorkshopError) {
      console.error(error.message);
      process.exitCode = error.exitCode;
      return;
    }
    throw error;
  }
}
