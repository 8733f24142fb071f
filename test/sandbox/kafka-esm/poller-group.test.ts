// Poller groups: mappings that share Event Poller Units, within AWS's per-group limits.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dedicatedEventPollerUnits, PollerGroupError, PollerGroups } from '../../../sandbox/kafka-esm/poller-group.ts';

test("ten one-poller mappings take ten EPUs alone and one EPU in a group (AWS's own example)", () => {
  const groups = new PollerGroups();
  for (let i = 0; i < 10; i++) groups.join('bookings', `m${i}`, 1, () => 1);
  assert.is(groups.eventPollerUnits('bookings'), 1);
  assert.is(
    Array.from({ length: 10 }, () => dedicatedEventPollerUnits(1)).reduce((a, b) => a + b, 0),
    10,
  );
});

test("a group's EPUs follow its mappings' pollers as they scale", () => {
  const groups = new PollerGroups();
  let pollers = 4;
  groups.join('g', 'a', 12, () => pollers);
  groups.join('g', 'b', 12, () => 7);
  assert.is(groups.eventPollerUnits('g'), 2, '11 pollers: 2 EPUs');
  pollers = 12;
  assert.is(groups.eventPollerUnits('g'), 2, '19 pollers: still 2');
  pollers = 1;
  groups.leave('g', 'b');
  assert.is(groups.eventPollerUnits('g'), 1);
  assert.is(groups.mappings('g'), 1);
});

test('the 101st mapping of a group is refused, and so is one that takes the maximum pollers past 2,000', () => {
  const groups = new PollerGroups();
  for (let i = 0; i < 100; i++) groups.join('many', `m${i}`, 1, () => 1);
  assert.throws(
    () => groups.join('many', 'm100', 1, () => 1),
    (e: Error) => e instanceof PollerGroupError && /at most 100/.test(e.message),
  );
  groups.join('big', 'a', 1500, () => 1);
  assert.throws(
    () => groups.join('big', 'b', 501, () => 1),
    (e: Error) => e instanceof PollerGroupError && /add up to 2001; a group allows at most 2000/.test(e.message),
  );
  groups.join('big', 'c', 500, () => 1);
  assert.is(groups.mappings('big'), 2, 'exactly 2,000 is allowed; the refused mapping did not join');
});

test.run();
