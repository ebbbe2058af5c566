// Driver calls (advise, prefetch, migrate) and the kernel's HMM selftests
// (tools/testing/selftests/mm/hmm-tests.c, research kernel-semantics.md §3) that
// the language can express, run with the mirror driver as the test driver is.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callAt } from './sim-helpers';
import { diags, failedExpects, pagesOn, sim } from './device-sim-helpers';

const TWO_PRIVATE = `machine twogpu
  node cpu0 dram 1G
  node dev0 private 64M
  node dev1 private 64M
end
driver mirror`;

test('migrate to the device: untouched anonymous pages are allocated there, nothing is copied', () => {
  const r = sim(`machine x86-pcie
    A = mmap 1M
    migrate A to gpu0
    expect ok
    expect A on gpu0`);
  assert.deepEqual(failedExpects(r), []);
  assert.equal(r.metrics.migrations, 0);
  assert.deepEqual(callAt(r, 3).pagesByNode, { gpu0: 256 });
});

test('migrate_shared: shmem cannot go to device memory (ENOENT, nothing moved, reason given)', () => {
  const r = sim(`machine x86-pcie
    driver mirror
    S = mmap 1M shared
    migrate S to gpu0
    expect error ENOENT`);
  assert.deepEqual(failedExpects(r), []);
  const call = callAt(r, 4);
  assert.deepEqual(call.pagesByNode, {});
  assert.equal(call.skipped?.[0].pages, 256);
  assert.match(call.skipped?.[0].why ?? '', /shared memory \(shmem\) stays in system memory/);
});

test('file-backed pages are skipped with their reason; prefetch succeeds for what it can', () => {
  const r = sim(`machine x86-pcie
    F = mmap 64K file "f"
    cpu read F
    prefetch F to gpu0`);
  const call = callAt(r, 4);
  assert.equal(call.errno, null);
  assert.match(call.skipped?.[0].why ?? '', /file-backed pages stay in system memory/);
  assert.equal(pagesOn(r, 'F', 'cpu0'), 16);
});

test('migrate_mixed: prot=none or a hole in the range is EINVAL', () => {
  const r = sim(`machine x86-pcie
    driver mirror
    A = mmap 24K prot=none
    migrate A to gpu0
    expect error EINVAL
    mprotect A rw
    munmap A[4K:8K]
    migrate A[0:12K] to gpu0
    expect error EINVAL
    cpu write A[8K:24K]
    migrate A[8K:24K] to gpu0
    expect ok`);
  assert.deepEqual(failedExpects(r), []);
  assert.equal(pagesOn(r, 'A', 'gpu0'), 4);
});

test('migrate_mixed: a page on another device is not taken (ENOENT)', () => {
  const r = sim(`${TWO_PRIVATE}
    A = mmap 8K
    cpu write A
    migrate A[4K:8K] to dev1
    expect ok
    migrate A[4K:8K] to dev0
    expect error ENOENT`);
  assert.deepEqual(failedExpects(r), []);
  assert.match(callAt(r, 11).skipped?.[0].why ?? '', /another device's memory/);
});

test('migrate, migrate_fault, migrate back: pages go to the device, CPU reads bring them back one by one', () => {
  const r = sim(`machine x86-pcie
    driver mirror
    A = mmap 4M
    cpu write A
    migrate A to gpu0
    expect A on gpu0
    move_pages A[0:4K] query
    expect status -ENOENT
    cpu read A[0:2M]
    expect A[0:2M] on cpu0
    migrate A to gpu0
    expect A on gpu0
    migrate A to cpu
    expect A on cpu0`);
  assert.deepEqual(failedExpects(r), []);
  assert.equal(r.metrics.migrations, 1024 + 512 + 512 + 1024);
});

test('migrate_multiple: ten rounds of migrate and CPU read-back', () => {
  const r = sim(`machine x86-pcie
    driver mirror
    A = mmap 4M
    cpu write A
    repeat 10
      migrate A to gpu0
      cpu read A
    end
    expect A on cpu0`);
  assert.deepEqual(failedExpects(r), []);
  assert.equal(r.metrics.migrations, 10 * 2 * 1024);
});

test('anon_read / anon_write: device faults map the zero page on reads, allocate on writes', () => {
  const r = sim(`machine x86-pcie
    driver mirror
    A = mmap 4M
    gpu read A
    expect A unpopulated
    expect A mapped gpu0
    B = mmap 4M
    gpu write B
    expect B on cpu0
    expect faults(cpu) == 0`);
  assert.deepEqual(failedExpects(r), []);
});

test('anon_write_prot: a device write to a read-only mapping is refused', () => {
  const r = sim(`machine x86-pcie
    driver mirror
    A = mmap 4M prot=r
    gpu read A[0:4K]
    gpu write A
    mprotect A rw
    gpu write A
    expect A on cpu0`);
  assert.deepEqual(failedExpects(r), []);
  assert.deepEqual(diags(r, 'segv').map((d) => d.split(':')[0]), ['5']);
});

test('file_read / file_write: the device reads and writes the page cache in place', () => {
  const r = sim(`machine x86-pcie
    driver mirror
    F = mmap 4M file "f"
    gpu read F
    G = mmap 4M file "g"
    gpu write G
    expect F on cpu0
    expect G on cpu0
    expect migrations == 0`);
  assert.deepEqual(failedExpects(r), []);
});

test('double_map: a fault by one device migrates the page back from the other device first', () => {
  const r = sim(`${TWO_PRIVATE}
    A = mmap 24K
    cpu write A
    gpu dev0 read A
    gpu dev1 read A
    migrate A to dev1
    gpu dev0 read A
    expect A on cpu0
    expect A mapped dev0`);
  assert.deepEqual(failedExpects(r), []);
});

test('advise records the call; the mirror driver warns that it has no advice', () => {
  const uvm = sim(`machine x86-pcie
    A = mmap 1M
    advise A preferred-location=gpu0
    expect ok`);
  assert.deepEqual(failedExpects(uvm), []);
  assert.match(callAt(uvm, 3).reason, /set preferred-location=gpu0 on 256 pages/);
  const mirror = sim(`machine x86-pcie
    driver mirror
    A = mmap 1M
    advise A read-mostly`);
  assert.equal(diags(mirror, 'policy-no-effect').length, 1);
});

test('preferred location on the device: the first touch of a block populates the whole block', () => {
  const r = sim(`machine x86-pcie
    A = mmap 2M managed
    advise A preferred-location=gpu0
    gpu read A[0:4K]
    expect A on gpu0`);
  assert.deepEqual(failedExpects(r), []);
  assert.equal(r.metrics.deviceFaults.gpu0, 1);
});

test('prefetch moves in bulk and maps: the kernel that follows takes no fault', () => {
  const r = sim(`machine x86-pcie
    A = mmap 8M managed
    cpu write A
    prefetch A to gpu0
    gpu read A
    expect faults(gpu0) == 0
    expect A on gpu0`);
  assert.deepEqual(failedExpects(r), []);
  assert.equal(r.metrics.migratedBytesByCause.hint, 8 * 1024 * 1024);
});

test('a call naming no known node or device is an unknown-name error', () => {
  const r = sim(`machine x86-pcie
    A = mmap 1M
    prefetch A to gpu7`);
  assert.match(diags(r, 'unknown-name')[0], /no node or device named 'gpu7'/);
});
