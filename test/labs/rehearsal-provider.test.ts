// The synth's rehearsal hook: off unless WORKSHOP_REHEARSAL_PROVIDER names a file; a file that is
// not {version, schema} is refused in one line; set, `npm run synth`'s synthesize passes every
// stack through the rehearsal copy.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LABS } from '../../labs/index.ts';
import { REHEARSAL_PROVIDER_VARIABLE, rehearsalProviderFromEnv } from '../../labs/rehearsal-provider.ts';
import { synthesize } from '../../labs/synth.ts';

const dir = mkdtempSync(join(tmpdir(), 'klw-rehearsal-hook-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('unset, the synth writes the stacks as users get them', () => {
  assert.is(rehearsalProviderFromEnv({}), undefined);
});

test('a file that is not {version, schema} is refused in one line naming the variable', () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"version": "5.100.0"}');
  assert.throws(
    () => rehearsalProviderFromEnv({ [REHEARSAL_PROVIDER_VARIABLE]: bad }),
    (e: Error) => e.message.includes(REHEARSAL_PROVIDER_VARIABLE) && !e.message.includes('\n'),
  );
  assert.throws(() => rehearsalProviderFromEnv({ [REHEARSAL_PROVIDER_VARIABLE]: join(dir, 'missing.json') }), /not a readable JSON file/);
});

// The rewrite on the real provider's schema, and its printed changes, are the deploy rehearsal's
// (test/stacks/deploy-rehearsal.test.ts): that schema is Terraform's to give.
test('set, the synth rewrites through the rehearsal copy, which refuses to drop what it cannot name; unset, nothing changes', () => {
  const file = join(dir, 'provider.json');
  writeFileSync(file, JSON.stringify({ version: '5.100.0', schema: { resource_schemas: {}, data_source_schemas: {} } }));
  const previous = process.env[REHEARSAL_PROVIDER_VARIABLE];
  process.env[REHEARSAL_PROVIDER_VARIABLE] = file;
  try {
    // An empty schema knows no resource: the copy must refuse rather than drop them silently.
    assert.throws(
      () => synthesize({ labs: [LABS[0]], outdir: join(dir, 'out'), stateDir: join(dir, 'state'), region: 'eu-west-1' }),
      /lacks what the stack uses/,
    );
  } finally {
    if (previous === undefined) delete process.env[REHEARSAL_PROVIDER_VARIABLE];
    else process.env[REHEARSAL_PROVIDER_VARIABLE] = previous;
  }
  // Without the variable the same synth succeeds and the stack keeps the pinned provider.
  const result = synthesize({ labs: [LABS[0]], outdir: join(dir, 'out2'), stateDir: join(dir, 'state'), region: 'eu-west-1' });
  const base = JSON.parse(readFileSync(join(result.outdir, 'stacks', 'base', 'cdk.tf.json'), 'utf8'));
  assert.is.not(base.terraform.required_providers.aws.version, '5.100.0');
});

test.run();
