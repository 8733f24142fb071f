// The entry point cdktf.json runs (`npx tsx labs/main.ts`): synthesize every lab's stacks
// (labs/stacks.ts), quietly, as `cdktf synth` expects. `npm run synth` (labs/synth.ts) does the
// same with a summary.

import { runsAsScript } from './entry-point.ts';
import { resolveRegion } from './region.ts';
import { buildWorkshopApp } from './stacks.ts';

// cdktf.json runs this file: synthesize every stack, quietly, as `cdktf synth` expects.
if (runsAsScript(import.meta.url)) {
  const { LABS } = await import('./index.ts');
  try {
    buildWorkshopApp({ labs: LABS, outdir: process.env.CDKTF_OUTDIR || undefined, region: await resolveRegion() }).app.synth();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
