// `npm run synth`: synthesize the base stack and every lab's stack to cdktf.out, offline, and
// say which stacks were written and how long it took. An invalid lab stops it with the
// validation message (what is wrong, the allowed range, the AWS rule) and exit code 1.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runsAsScript } from './entry-point.ts';
import type { LabSpec } from './lab-spec.ts';
import { LabSpecError } from './lab-spec.ts';
import { REHEARSAL_PROVIDER_VARIABLE, rehearsalProviderFromEnv, rewriteForRehearsal } from './rehearsal-provider.ts';
import { DEFAULT_OUTDIR, REPO_ROOT } from './stack-contract.ts';
import { buildWorkshopApp, type WorkshopAppOptions } from './stacks.ts';

export interface SynthResult {
  outdir: string;
  /** Stack names in the order they were written (base first). */
  stacks: string[];
  /** Wall time of building the constructs (bundling included) and writing the output. */
  buildMs: number;
  writeMs: number;
}

export function synthesize(options: WorkshopAppOptions): SynthResult {
  const started = performance.now();
  const { app } = buildWorkshopApp(options);
  const built = performance.now();
  app.synth();
  const written = performance.now();
  const outdir = options.outdir ?? DEFAULT_OUTDIR;
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, unknown> };
  const stacks = Object.keys(manifest.stacks);
  const rehearsal = rehearsalProviderFromEnv();
  if (rehearsal) {
    const changes = rewriteForRehearsal(outdir, stacks, rehearsal);
    console.log(
      `REHEARSAL (${REHEARSAL_PROVIDER_VARIABLE} is set): the stacks were rewritten for hashicorp/aws ${rehearsal.version}; ${changes.length} changes:`,
    );
    for (const c of changes) console.log(`  ${c.address}.${c.argument}: ${c.change} (${c.why})`);
  }
  return { outdir, stacks, buildMs: built - started, writeMs: written - built };
}

/** Prints the outcome; returns the process exit code. */
export function runSynth(labs: readonly LabSpec[], options: Omit<WorkshopAppOptions, 'labs'> = {}): number {
  try {
    const result = synthesize({ ...options, labs });
    const where = relative(REPO_ROOT, result.outdir) || result.outdir;
    for (const stack of result.stacks) console.log(`  ${join(where, 'stacks', stack, 'cdk.tf.json')}`);
    const seconds = (result.buildMs + result.writeMs) / 1000;
    console.log(
      `Synthesized ${result.stacks.length} stacks (${result.stacks.join(', ')}) in ${seconds.toFixed(2)} s ` +
        `(constructs and bundles ${(result.buildMs / 1000).toFixed(2)} s, writing ${(result.writeMs / 1000).toFixed(2)} s).`,
    );
    return 0;
  } catch (error) {
    if (error instanceof LabSpecError) {
      console.error(`Synth stopped: ${error.message}`);
      console.error(`Fix labs/${error.labId}/spec.ts and run npm run synth again.`);
      return 1;
    }
    console.error(`Synth failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (runsAsScript(import.meta.url)) {
  const { LABS } = await import('./index.ts');
  const { resolveRegion } = await import('./region.ts');
  const { validateShippedLab } = await import('./spec-source.ts');
  try {
    // Validated here first so a refused key is reported at its line in the lab's files.
    for (const lab of LABS) await validateShippedLab(lab);
    process.exitCode = runSynth(LABS, { region: await resolveRegion() });
  } catch (error) {
    if (!(error instanceof LabSpecError)) throw error;
    console.error(`Synth stopped: ${error.message}`);
    process.exitCode = 1;
  }
}
