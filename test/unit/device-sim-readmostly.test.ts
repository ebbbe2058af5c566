// Read-mostly duplication under the uvm driver (research uvm-policies-costs.md §1.7):
// copies live in the page store and count on every node that holds them; writes,
// migrations and `advise ... read-mostly unset` collapse them; the timeline shows
// the page on its newest copy and, after a collapse, where it stayed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventKind } from '../../src/engine/events';
import type { SimResult } from '../../src/engine/index';
import { Timeline } from '../../src/engine/timeline/timeline';
import { callAt } from './sim-helpers';
import { diags, failedExpects, pagesOn, sim } from './device-sim-helpers';

/** 16 pages of managed memory written by the CPU, then advised read-mostly and read by the GPU (line 4). */
const COPIED = `machine x86-pcie
  A = mmap 64K managed
  cpu write A
  advise A read-mostly
  gpu read A`;

/** Pages of events of one kind, as "from->to" by node index. */
function moves(r: SimResult, kind: EventKind): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < r.events.length; i++) {
    if (r.events.kind[i] !== kind) continue;
    const key = `${r.events.from[i]}->${r.events.to[i]}`;
    out[key] = (out[key] ?? 0) + r.events.count[i];
  }
  return out;
}

const CPU0 = 0;
const GPU0 = 2;

test('a device read of a read-mostly page makes a copy that counts on both nodes', () => {
  const r = sim(`${COPIED}
    expect A on cpu0
    expect A on gpu0
    expect A on cpu0,gpu0
    expect pages(cpu0) == 16
    expect pages(gpu0) == 16
    expect A mapped gpu0
    expect migrations == 0`);
  assert.deepEqual(failedExpects(r), []);
  assert.deepEqual(r.regions[0].resident, { cpu0: 16, gpu0: 16 });
  assert.equal(r.regions[0].unpopulated, 0);
  assert.equal(r.metrics.peakPages.gpu0, 16);
  assert.deepEqual(moves(r, EventKind.Copy), { [`${CPU0}->${GPU0}`]: 16 });
});

test('expect on a node the page has no copy on still fails, and names where the pages are', () => {
  const r = sim(`${COPIED}
    expect A on cpu1`);
  assert.deepEqual(failedExpects(r), ['6: A: 16 of 16 pages are not on cpu1 (16 on cpu0, 16 on gpu0), expected on cpu1']);
});

test('a CPU write drops the device copies: a CPU fault per page, the page stays in system memory', () => {
  const before = sim(COPIED);
  const r = sim(`${COPIED}
    cpu write A
    expect A on cpu0
    expect pages(gpu0) == 0
    expect faults(cpu) == 32`);
  assert.deepEqual(failedExpects(r), []);
  assert.equal(r.regions[0].resident.gpu0, undefined);
  assert.deepEqual(moves(r, EventKind.CopyDrop), { [`${GPU0}->${CPU0}`]: 16 });
  // the device lost its mapping: reading again faults and copies again
  const again = sim(`${COPIED}
    cpu write A
    gpu read A
    expect pages(gpu0) == 16`);
  assert.deepEqual(failedExpects(again), []);
  assert.equal(again.metrics.deviceFaults.gpu0, 2 * before.metrics.deviceFaults.gpu0);
  assert.ok(r.metrics.timeNs > before.metrics.timeNs + 16 * 2_000, 'each dropped copy costs an invalidation');
});

test('a CPU read leaves the copies alone', () => {
  const r = sim(`${COPIED}
    cpu read A
    expect pages(gpu0) == 16`);
  assert.deepEqual(failedExpects(r), []);
  assert.deepEqual(moves(r, EventKind.CopyDrop), {});
});

test('a device write collapses the copies onto the writer without copying data', () => {
  const r = sim(`${COPIED}
    gpu write A
    expect A on gpu0
    expect pages(cpu0) == 0
    expect pages(gpu0) == 16
    expect migrations == 0`);
  assert.deepEqual(failedExpects(r), []);
  assert.deepEqual(r.regions[0].resident, { gpu0: 16 });
  assert.deepEqual(moves(r, EventKind.CopyDrop), { [`${CPU0}->${GPU0}`]: 16 });
  // the page is the driver's now: the CPU takes it back as from any device page
  const back = sim(`${COPIED}
    gpu write A
    cpu read A
    expect A on cpu0
    expect pages(gpu0) == 0`);
  assert.deepEqual(failedExpects(back), []);
});

test('prefetch to the device on a read-mostly range makes copies: the kernel then takes no fault', () => {
  const r = sim(`machine x86-pcie
    A = mmap 64K managed
    cpu write A
    advise A read-mostly
    prefetch A to gpu0
    expect ok
    expect A on cpu0
    expect A on gpu0
    gpu read A
    expect faults(gpu0) == 0
    expect migrations == 0`);
  assert.deepEqual(failedExpects(r), []);
  assert.deepEqual(callAt(r, 5).pagesByNode, { gpu0: 16 });
  assert.deepEqual(moves(r, EventKind.Copy), { [`${CPU0}->${GPU0}`]: 16 });
});

test('advise read-mostly unset collapses the copies at once: onto the CPU, or onto a preferred location holding one', () => {
  const r = sim(`${COPIED}
    advise A read-mostly unset
    expect A on cpu0
    expect pages(gpu0) == 0
    gpu read A
    expect A on gpu0
    expect pages(cpu0) == 0`);
  assert.deepEqual(failedExpects(r), [], 'without the hint a read migrates');
  const preferred = sim(`machine x86-pcie
    A = mmap 64K managed
    cpu write A
    advise A read-mostly
    prefetch A to gpu0
    advise A preferred-location=gpu0
    advise A read-mostly unset
    expect A on gpu0
    expect pages(cpu0) == 0
    expect migrations == 0`);
  assert.deepEqual(failedExpects(preferred), []);
  assert.deepEqual(moves(preferred, EventKind.CopyDrop), { [`${CPU0}->${GPU0}`]: 16 });
});

test('the timeline shows the newest copy, then the node that kept the page', () => {
  const r = sim(`${COPIED}
    cpu write A
    gpu read A
    gpu write A`);
  const t = new Timeline(r);
  const at = (line: number): number[] => {
    let step = -1;
    for (let s = 0; s < r.steps.length; s++) if (r.steps.line[s] === line) step = s;
    return [...new Set(t.stateAt(step))];
  };
  assert.deepEqual(at(3), [CPU0]);
  assert.deepEqual(at(5), [GPU0], 'the read made a copy on gpu0');
  assert.deepEqual(at(6), [CPU0], 'the CPU write kept the page on cpu0');
  assert.deepEqual(at(7), [GPU0], 'read again, a copy on gpu0');
  assert.deepEqual(at(8), [GPU0], 'the GPU write kept it on gpu0');
});

test('copies no device reads are waste, reported at the prefetch that made them', () => {
  const r = sim(`machine x86-pcie
    A = mmap 64K managed
    cpu write A
    advise A read-mostly
    prefetch A to gpu0
    gpu read A[0:32K]
    expect wasted(gpu0) == 32768`);
  assert.deepEqual(failedExpects(r), []);
  assert.equal(r.metrics.wastedBytes.gpu0, 32768);
  assert.deepEqual(
    diags(r, 'wasted-device-memory').map((d) => d.split(':')[0]),
    ['5'],
  );
  const collapsed = sim(`machine x86-pcie
    A = mmap 64K managed
    cpu write A
    advise A read-mostly
    prefetch A to gpu0
    cpu write A`);
  assert.equal(collapsed.metrics.wastedBytes.gpu0, 0, 'dropped copies are no longer waste');
});

test('two devices: a write by the page holder drops the other copy; a write by the copy holder takes the page over', () => {
  const r = sim(`machine twogpu
    node cpu0 dram 1G
    node dev0 private 64M
    node dev1 private 64M
    end
    A = mmap 64K managed
    gpu dev0 write A
    advise A read-mostly
    gpu dev1 read A
    expect A on dev0
    expect A on dev1
    gpu dev0 write A
    expect pages(dev1) == 0
    gpu dev1 read A
    gpu dev1 write A
    expect A on dev1
    expect pages(dev0) == 0
    expect pages(cpu0) == 0`);
  assert.deepEqual(failedExpects(r), []);
  assert.deepEqual(moves(r, EventKind.CopyDrop), { '2->1': 16, '1->2': 16 });
});

test('unset with no CPU copy: the lowest-numbered device keeps the page', () => {
  const r = sim(`machine twogpu
    node cpu0 dram 1G
    node dev0 private 64M
    node dev1 private 64M
    end
    A = mmap 64K managed
    gpu dev1 write A
    advise A read-mostly
    gpu dev0 read A
    advise A read-mostly unset
    expect A on dev0
    expect pages(dev1) == 0`);
  assert.deepEqual(failedExpects(r), []);
});

test('per-node counts agree with the pages themselves through copies, collapses and evictions', () => {
  // a 4 MiB device: copies take chunks too, so reading 6 MiB evicts
  const scenario = `machine small
    node cpu0 dram 1G
    node gpu0 private 4M
    end
    A = mmap 8M managed
    cpu write A
    advise A read-mostly
    gpu read A[0:6M]
    prefetch A[4M:8M] to gpu0
    gpu write A[2M:3M]
    cpu write A[5M:6M]
    gpu write A[6M:8M]
    gpu read A
    advise A read-mostly unset
    gpu write A[0:1M]`;
  const first = sim(scenario);
  assert.deepEqual(first.diagnostics.filter((d) => d.severity === 'error'), []);
  const { resident } = first.regions[0];
  assert.ok((resident.gpu0 ?? 0) <= 1024, 'never more than the device holds');
  assert.equal(first.regions[0].unpopulated, 0);
  assert.ok((resident.cpu0 ?? 0) + (resident.gpu0 ?? 0) >= 2048, 'every page is somewhere');
  const again = sim(`${scenario}
    expect pages(gpu0) == ${resident.gpu0 ?? 0}
    expect pages(cpu0) == ${resident.cpu0}`);
  assert.deepEqual(failedExpects(again), []);
});

test('munmap frees the copies with the page', () => {
  const r = sim(`${COPIED}
    munmap A
    expect pages(gpu0) == 0
    expect pages(cpu0) == 0`);
  assert.deepEqual(failedExpects(r), []);
});

test('system-allocated memory does not duplicate: the hint warns and a read migrates', () => {
  const r = sim(`machine x86-pcie
    A = mmap 64K
    cpu write A
    advise A read-mostly
    gpu read A
    expect A on gpu0
    expect pages(cpu0) == 0`);
  assert.deepEqual(failedExpects(r), []);
  assert.equal(diags(r, 'policy-no-effect').length, 1);
  assert.match(diags(r, 'policy-no-effect')[0], /^4: read duplication works on managed memory only/);
  assert.equal(pagesOn(r, 'A', 'gpu0'), 16);
});
