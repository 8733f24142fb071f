// `workshop pack [--out DIR] [--platforms LIST]`: writes the venue pack (venue-pack.ts) an
// instructor serves on the room's network or copies to USB sticks, so a room installs with no
// internet. Needs the npm registry and the jars (cached, or Maven Central) once, on the
// instructor's laptop, before the event.
import { join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '../../labs/stack-contract.ts';
import { EXIT } from '../../labs/workshop-error.ts';
import { parseCommandArgs } from '../command-args.ts';
import { NODE_BINARY_PINS, PINNED_NODE_VERSION } from '../node-binary/pins.ts';
import { PACK_PLATFORMS, parsePlatform, writeVenuePack } from './venue-pack.ts';

export const DEFAULT_PACK_DIR = join(REPO_ROOT, 'dist', 'venue-pack');

export async function packCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('pack', { args, options: { out: { type: 'string' }, platforms: { type: 'string' } } });
  const out = resolve(values.out ?? DEFAULT_PACK_DIR);
  // By default every system whose Node.js binary the registry publishes; one the registry lacks is
  // named here, and refused when asked for (publishedPin says why).
  const lacking = values.platforms ? [] : PACK_PLATFORMS.filter((p) => 'unpublished' in NODE_BINARY_PINS[p]);
  for (const platform of lacking) {
    console.log(
      `Leaving out ${platform}: the npm registry has no ${NODE_BINARY_PINS[platform].package}@${PINNED_NODE_VERSION}, so no install can bring its Node.js.`,
    );
  }
  const platforms = (values.platforms ?? PACK_PLATFORMS.filter((p) => !lacking.includes(p)).join(','))
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map(parsePlatform);
  const inHere = relative(process.cwd(), out);
  const shown = inHere === '' ? '.' : inHere.startsWith('..') ? out : inHere;
  console.log(`Writing the venue pack to ${shown} for ${platforms.map((p) => p.name).join(', ')}...`);
  const started = performance.now();
  const pack = await writeVenuePack({ out, platforms, log: (line) => console.log(line) });
  console.log(
    [
      `Venue pack: ${pack.npmPackages} npm packages and ${pack.jars} jars, ${pack.files} files, ${Math.round(pack.bytes / 1e6)} MB, in ${((performance.now() - started) / 1000).toFixed(0)} s.`,
      `Serve it to the room: node ${join(shown, 'serve.mjs')} --host 0.0.0.0 (or copy the folder to USB sticks as it is: a learner runs node serve.mjs from the stick).`,
    ].join('\n'),
  );
  return EXIT.passed.code;
}
