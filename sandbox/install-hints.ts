// How to install what the workshop needs, on the learner's own system: a refusal that says
// `apt-get` to a Mac user is a refusal they cannot act on. Homebrew keeps its OpenJDK off the
// PATH (keg-only), so the macOS advice sets JAVA_HOME, which the sandbox reads first.
import { readFileSync } from 'node:fs';

export type Platform = 'macos' | 'debian' | 'fedora' | 'linux' | 'windows';

export const PLATFORM_NAMES: Record<Platform, string> = {
  macos: 'macOS',
  debian: 'Debian or Ubuntu',
  fedora: 'Fedora or RHEL',
  linux: 'Linux',
  windows: 'Windows',
};

/** The learner's system, from Node's platform and, on Linux, /etc/os-release's ID and ID_LIKE. */
export function detectPlatform(platform: NodeJS.Platform = process.platform, osRelease = readOsRelease()): Platform {
  if (platform === 'darwin') return 'macos';
  if (platform === 'win32') return 'windows';
  const ids = /^ID(?:_LIKE)?=(.*)$/gm;
  const family = [...osRelease.matchAll(ids)].flatMap((m) => m[1].replace(/"/g, '').split(/\s+/));
  if (family.some((id) => ['debian', 'ubuntu'].includes(id))) return 'debian';
  if (family.some((id) => ['fedora', 'rhel', 'centos'].includes(id))) return 'fedora';
  return 'linux';
}

function readOsRelease(): string {
  try {
    return readFileSync('/etc/os-release', 'utf8');
  } catch {
    return '';
  }
}

export type Tool = 'java' | 'chromium' | 'terraform' | 'node';

/** Windows runs the workshop inside WSL2 (or the dev container): the sandbox's servers and scripts assume a Unix shell. */
const WINDOWS = 'on Windows, run the workshop in WSL2 (wsl --install -d Ubuntu, then follow the Debian or Ubuntu steps inside it) or in the dev container';

const HINTS: Record<Tool, Record<Platform, string>> = {
  java: {
    macos: 'brew install openjdk@17 && export JAVA_HOME="$(brew --prefix openjdk@17)" (add the export to ~/.zshrc)',
    debian: 'sudo apt-get install -y openjdk-17-jre-headless',
    fedora: 'sudo dnf install -y java-17-openjdk-headless',
    linux: "install a Java 17 runtime with your system's package manager (or from https://adoptium.net) and set JAVA_HOME to it",
    windows: WINDOWS,
  },
  chromium: {
    macos: 'brew install --cask chromium, or set CHROME_PATH to Google Chrome\'s binary ("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")',
    debian: 'sudo apt-get install -y chromium (Ubuntu: the chromium-browser snap), or set CHROME_PATH to a Chrome or Chromium binary',
    fedora: 'sudo dnf install -y chromium, or set CHROME_PATH to a Chrome or Chromium binary',
    linux: 'install Chromium with your package manager, or set CHROME_PATH to a Chrome or Chromium binary',
    windows: WINDOWS,
  },
  terraform: {
    macos: 'brew tap hashicorp/tap && brew install hashicorp/tap/terraform (or brew install opentofu)',
    debian: "add HashiCorp's apt repository and sudo apt-get install terraform (https://developer.hashicorp.com/terraform/install), or install OpenTofu",
    fedora: "add HashiCorp's dnf repository and sudo dnf install terraform (https://developer.hashicorp.com/terraform/install), or install OpenTofu",
    linux: 'install Terraform 1.5 or newer (https://developer.hashicorp.com/terraform/install) or OpenTofu',
    windows: WINDOWS,
  },
  node: {
    macos: 'brew install node@22, or use nvm (nvm install 22)',
    debian: "install Node.js 22 from NodeSource or with nvm (nvm install 22); Debian's own package may be older",
    fedora: 'sudo dnf install -y nodejs22, or use nvm (nvm install 22)',
    linux: 'install Node.js 22 with nvm (nvm install 22) or from https://nodejs.org',
    windows: WINDOWS,
  },
};

/** One clause: how to install `tool` on `platform`. */
export function installHint(tool: Tool, platform: Platform = detectPlatform()): string {
  return HINTS[tool][platform];
}
