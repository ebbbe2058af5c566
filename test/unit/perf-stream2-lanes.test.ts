// A lane stepping a page at a time touches runs of mapped local pages with the
// chunk's planes and its time in locals (gpuAccess touchLocalRun); it must leave
// every other page to the general touch and give the same run as stepping touch by
// touch with the fast paths off: same events and times, metrics and residency.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fastPaths } from '../../src/engine/device/gpuAccess';
import type { SimResult } from '../../src/engine/index';
import { assertSameWithFastPathOff } from './device-sim-helpers';

function assertSameAsTouchByTouch(lines: string[]): SimResult {
  return assertSameWithFastPathOff(lines.join('\n'), (on) => (fastPaths.pageSteps = on));
}

test('runs of local pages between faults, remote pages, zero pages and read-mostly copies touch as touch by touch does', () => {
  const r = assertSameAsTouchByTouch([
    'machine x86-pcie gpu0=4M',
    'A = mmap 6M',
    'B = mmap 1M managed',
    'cpu write A',
    'gpu read A',
    'gpu read A[0:+2M] times=2',
    'advise B read-mostly',
    'cpu write B',
    'gpu read B',
    'gpu read B times=2',
    'gpu write B[0:+512K]',
    'advise A[4M:+1M] accessed-by=gpu0',
    'advise A[4M:+1M] preferred-location=cpu',
    'gpu read A[4M:+1M] times=2',
    'gpu write A[5M:+1M]',
  ]);
  assert.ok(r.metrics.evictions > 0, 'the device is too small for A');
  assert.ok(r.metrics.remoteAccesses > 0, 'some pages are touched where they are');
});

test('a coherent device node (gh200) touches remote and local runs as touch by touch does', () => {
  assertSameAsTouchByTouch(['machine gh200', 'A = mmap 8M', 'B = mmap 4M', 'cpu write A', 'gpu read A times=3', 'gpu write A[2M:+2M]', 'gpu read B', 'gpu write B']);
});

test('two devices: a local page with a read-mostly copy on another device faults on a write, as touch by touch', () => {
  const r = assertSameAsTouchByTouch([
    'machine two',
    '  node cpu0 dram 1G',
    '  node gpu0 private 64M',
    '  node gpu1 private 64M',
    'end',
    'B = mmap 2M managed',
    'advise B read-mostly',
    'gpu gpu0 write B',
    'gpu gpu1 read B',
    'gpu gpu0 read B',
    'gpu gpu0 write B',
    'gpu gpu1 read B[0:+1M]',
  ]);
  assert.ok(r.metrics.deviceFaults.gpu0 > 512, 'the write after the copies faults again');
});
