import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { detectPlatform, installHint, PLATFORM_NAMES, type Platform, type Tool } from '../../sandbox/install-hints.ts';

test('the platform comes from Node and, on Linux, from /etc/os-release', () => {
  assert.is(detectPlatform('darwin', ''), 'macos');
  assert.is(detectPlatform('win32', ''), 'windows');
  assert.is(detectPlatform('linux', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n'), 'debian');
  assert.is(detectPlatform('linux', 'ID=ubuntu\nID_LIKE=debian\n'), 'debian');
  assert.is(detectPlatform('linux', 'ID="rocky"\nID_LIKE="rhel centos fedora"\n'), 'fedora');
  assert.is(detectPlatform('linux', 'ID=arch\n'), 'linux');
  assert.is(detectPlatform('linux', ''), 'linux');
});

test('every tool has a hint for every platform, and only Debian and Ubuntu are told apt-get', () => {
  for (const platform of Object.keys(PLATFORM_NAMES) as Platform[]) {
    for (const tool of ['java', 'chromium', 'terraform', 'node'] as Tool[]) {
      const hint = installHint(tool, platform);
      assert.ok(hint.length > 10, `${tool} on ${platform}`);
      if (platform !== 'debian') assert.not.match(hint, 'apt-get', `${tool} on ${platform}: ${hint}`);
    }
  }
});

test("macOS's Java hint puts Homebrew's keg-only OpenJDK where the sandbox looks (JAVA_HOME)", () => {
  assert.match(installHint('java', 'macos'), /brew install openjdk@17 && export JAVA_HOME="\$\(brew --prefix openjdk@17\)"/);
  assert.match(installHint('java', 'windows'), 'WSL2');
});

test.run();
