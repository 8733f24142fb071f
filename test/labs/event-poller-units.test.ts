// Event Poller Units: 10 pollers or 20 MB/s fill one, whichever a load reaches first.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EVENT_POLLER_UNIT_BYTES_PER_SEC, KAFKA_POLLER_BYTES_PER_SEC, POLLERS_PER_EVENT_POLLER_UNIT } from '../../labs/aws-limits.ts';
import { combinedLoad, eventPollerUnits, eventPollerUnitsBound } from '../../labs/event-poller-units.ts';

const MB = 1024 * 1024;

test("AWS's numbers: 10 pollers and 20 MB/s to an EPU, 5 MB/s to a poller, so four saturated pollers fill one", () => {
  assert.is(POLLERS_PER_EVENT_POLLER_UNIT, 10);
  assert.is(EVENT_POLLER_UNIT_BYTES_PER_SEC, 20 * MB);
  assert.is(EVENT_POLLER_UNIT_BYTES_PER_SEC / KAFKA_POLLER_BYTES_PER_SEC, 4);
});

test('low throughput: the pollers decide, 10 to an EPU', () => {
  assert.is(eventPollerUnits({ pollers: 2, bytesPerSec: 0.3 * MB }), 1);
  assert.is(eventPollerUnits({ pollers: 10, bytesPerSec: 15 * MB }), 1);
  assert.is(eventPollerUnits({ pollers: 11, bytesPerSec: 1 * MB }), 2);
  assert.match(eventPollerUnitsBound({ pollers: 11, bytesPerSec: 1 * MB }), '11 pollers ÷ 10 per EPU');
});

test('high throughput: the bytes decide, and pollers sit fewer to an EPU', () => {
  assert.is(eventPollerUnits({ pollers: 4, bytesPerSec: 20 * MB }), 1, 'four pollers at their 5 MB/s fill exactly one EPU');
  assert.is(eventPollerUnits({ pollers: 4, bytesPerSec: 20 * MB + 1 }), 2);
  assert.is(eventPollerUnits({ pollers: 12, bytesPerSec: 60 * MB }), 3, '12 pollers would fit 2 EPUs; 60 MB/s needs 3');
  assert.is(eventPollerUnits({ pollers: 4, bytesPerSec: 60 * MB }), 3);
  assert.is(eventPollerUnitsBound({ pollers: 12, bytesPerSec: 60 * MB }), '60 MB/s read ÷ 20 MB/s per EPU');
});

test("a poller group's load is its mappings' pollers and bytes together", () => {
  const group = combinedLoad([
    { pollers: 1, bytesPerSec: 1.5 * MB },
    { pollers: 3, bytesPerSec: 14 * MB },
    { pollers: 2, bytesPerSec: 9 * MB },
  ]);
  assert.equal(group, { pollers: 6, bytesPerSec: 24.5 * MB });
  assert.is(eventPollerUnits(group), 2);
});

test.run();
