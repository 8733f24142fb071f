// Poller groups: mappings that share Event Poller Units, within AWS's per-group limits.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventPollerUnits } from '../../../labs/event-poller-units.ts';
import { PollerGroupError, PollerGroups } from '../../../sandbox/kafka-esm/poller-group.ts';

const MB = 1024 * 1024;
const pollersOnly = (pollers: number) => () => ({ pollers, bytesPerSec: 0 });

test("ten one-poller mappings under 2 MB/s take ten EPUs alone and one EPU in a group (AWS's own example)", () => {
  const groups = new PollerGroups();
  for (let i = 0; i < 10; i++) groups.join('bookings', `m${i}`, 1, () => ({ pollers: 1, bytesPerSec: 1.5 * MB }));
  assert.is(groups.eventPollerUnits('bookings'), 1, '10 pollers and 15 MB/s fit one EPU');
  assert.is(
    Array.from({ length: 10 }, () => eventPollerUnits({ pollers: 1, bytesPerSec: 1.5 * MB })).reduce((a, b) => a + b, 0),
    10,
  );
});

test("a group's EPUs follow its mappings' pollers as they scale", () => {
  const groups = new PollerGroups();
  let pollers = 4;
  groups.join('g', 'a', 12, () => ({ pollers, bytesPerSec: 0 }));
  groups.join('g', 'b', 12, pollersOnly(7));
  assert.is(groups.eventPollerUnits('g'), 2, '11 pollers: 2 EPUs');
  pollers = 12;
  assert.is(groups.eventPollerUnits('g'), 2, '19 pollers: still 2');
  pollers = 1;
  groups.leave('g', 'b');
  assert.is(groups.eventPollerUnits('g'), 1);
  assert.is(groups.mappings('g'), 1);
});

test("a group's EPUs come from its mappings' throughput together: two 12 MB/s mappings of 2 pollers need 2 EPUs", () => {
  const groups = new PollerGroups();
  let bytesPerSec = 12 * MB;
  groups.join('g', 'a', 2, () => ({ pollers: 2, bytesPerSec }));
  groups.join('g', 'b', 2, () => ({ pollers: 2, bytesPerSec: 12 * MB }));
  assert.is(groups.eventPollerUnits('g'), 2, '4 pollers would fit one EPU, 24 MB/s does not');
  bytesPerSec = 1 * MB;
  assert.is(groups.eventPollerUnits('g'), 1, '13 MB/s fits one EPU again');
});

test('the 101st mapping of a group is refused, and so is one that takes the maximum pollers past 2,000', () => {
  const groups = new PollerGroups();
  for (let i = 0; i < 100; i++) groups.join('many', `m${i}`, 1, pollersOnly(1));
  assert.throws(
    () => groups.join('many', 'm100', 1, pollersOnly(1)),
    (e: Error) => e instanceof PollerGroupError && /at most 100/.test(e.message),
  );
  groups.join('big', 'a', 1500, pollersOnly(1));
  assert.throws(
    () => groups.join('big', 'b', 501, pollersOnly(1)),
    (e: Error) => e instanceof PollerGroupError && /add up to 2001; a group allows at most 2000/.test(e.message),
  );
  groups.join('big', 'c', 500, pollersOnly(1));
  assert.is(groups.mappings('big'), 2, 'exactly 2,000 is allowed; the refused mapping did not join');
});

test.run();
