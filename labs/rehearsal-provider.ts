// The synth's one hook for a rehearsal on an older provider: when WORKSHOP_REHEARSAL_PROVIDER names
// a file holding {version, schema} (`terraform providers schema -json` of that provider), every
// synthesized stack is rewritten as modules/provider-rehearsal.ts's rehearsalCopy makes it, and
// each change is printed with the release that added what was left out. Nobody sets it by
// accident: only the deploy rehearsal (test/stacks/deploy-rehearsal.test.ts) does, and the synth
// says so loudly whenever it is set.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ProviderSchema, type RehearsalChange, rehearsalCopy } from '../modules/provider-rehearsal.ts';

export const REHEARSAL_PROVIDER_VARIABLE = 'WORKSHOP_REHEARSAL_PROVIDER';

export interface RehearsalProvider {
  /** The provider release the rehearsal has, e.g. 5.100.0. */
  version: string;
  schema: ProviderSchema;
}

/** The rehearsal provider named by the environment, or undefined (the normal case). */
export function rehearsalProviderFromEnv(env: NodeJS.ProcessEnv = process.env): RehearsalProvider | undefined {
  const file = env[REHEARSAL_PROVIDER_VARIABLE];
  if (!file) return undefined;
  let parsed: Partial<RehearsalProvider>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<RehearsalProvider>;
  } catch (error) {
    throw new Error(
      `${REHEARSAL_PROVIDER_VARIABLE}=${file} is not a readable JSON file (${(error as Error).message}): unset it, or point it at {version, schema}.`,
    );
  }
  if (typeof parsed.version !== 'string' || !parsed.schema?.resource_schemas) {
    throw new Error(
      `${REHEARSAL_PROVIDER_VARIABLE}=${file} must hold {"version": "<provider release>", "schema": <terraform providers schema -json's aws entry>}.`,
    );
  }
  return parsed as RehearsalProvider;
}

/** Rewrites each stack's cdk.tf.json in `outdir` for the rehearsal provider; returns every change. */
export function rewriteForRehearsal(outdir: string, stacks: readonly string[], provider: RehearsalProvider): RehearsalChange[] {
  const all: RehearsalChange[] = [];
  for (const stack of stacks) {
    const file = join(outdir, 'stacks', stack, 'cdk.tf.json');
    const { tf, changes } = rehearsalCopy(JSON.parse(readFileSync(file, 'utf8')), provider.version, provider.schema);
    writeFileSync(file, JSON.stringify(tf, null, 2));
    all.push(...changes);
  }
  return all;
}
