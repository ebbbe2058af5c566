// Waste, oversubscription and the examples: what a run reports at its end.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diags, failedExpects, sim } from './device-sim-helpers';
import { callAt, errors } from './sim-helpers';

test('seed (a): mbind to a cdm GPU node with no kernel wastes it; on x86-pcie the same mbind is EINVAL', () => {
  const text = `machine power9-nvlink
    A = mmap 256M
    mbind A bind gpu0
    cpu write A`;
  const p9 = sim(text);
  assert.equal(p9.metrics.wastedBytes.gpu0, 256 * 1024 * 1024);
  assert.equal(diags(p9, 'wasted-device-memory').length, 1);
  assert.match(diags(p9, 'wasted-device-memory')[0], /256 MiB on gpu0 never accessed by a device/);
  const x86 = sim(text, { machine: 'x86-pcie' });
  assert.equal(callAt(x86, 3).errno, 'EINVAL');
  assert.equal(x86.metrics.wastedBytes.gpu0, 0);
});

test('prefetched memory no device touches is waste, reported at the prefetch', () => {
  const r = sim(`machine x86-pcie
    A = mmap 4M
    cpu write A
    prefetch A to gpu0
    gpu read A[0:1M]`);
  assert.equal(r.metrics.wastedBytes.gpu0, 3 * 1024 * 1024);
  assert.deepEqual(diags(r, 'wasted-device-memory').map((d) => d.split(':')[0]), ['4']);
});

test('memory the device used is not waste', () => {
  const r = sim(`machine x86-pcie
    A = mmap 4M
    gpu write A`);
  assert.equal(r.metrics.wastedBytes.gpu0, 0);
  assert.deepEqual(diags(r, 'wasted-device-memory'), []);
});

test('metrics: faults by agent, batches, bytes by direction and cause, peak residency', () => {
  const m = sim(`machine x86-pcie
    A = mmap 2M
    cpu write A
    gpu read A
    cpu read A[0:4K]`, { set: { prefetch: 'off' } }).metrics;
  assert.equal(m.deviceFaults.gpu0, 512);
  assert.equal(m.faultBatches, 2);
  assert.equal(m.cpuFaults, 513);
  assert.deepEqual(m.migratedBytes, { 'cpu0->gpu0': 2 * 1024 * 1024, 'gpu0->cpu0': 4096 });
  assert.deepEqual(m.migratedBytesByCause, { fault: 2 * 1024 * 1024, 'cpu fault': 4096 });
  assert.equal(m.peakPages.gpu0, 512);
  assert.ok(m.timeNs > 2 * 45_000, 'two fault batches at least');
});

test('every example passes: no failed expect and no error diagnostic', () => {
  const dir = join(__dirname, '../../../examples');
  const files = readdirSync(dir).filter((f) => f.endsWith('.mplace'));
  assert.ok(files.includes('wasted-mbind.mplace') && files.includes('oversubscription.mplace'));
  for (const f of files) {
    const r = sim(readFileSync(join(dir, f), 'utf8'), { file: f });
    assert.deepEqual([...failedExpects(r), ...errors(r)], [], f);
  }
});

test('the oversubscription example runs on all four presets, and ranks them by link', () => {
  const text = readFileSync(join(__dirname, '../../../examples/oversubscription.mplace'), 'utf8');
  const time = (machine: string) => {
    const r = sim(text, { machine });
    assert.deepEqual(errors(r), [], machine);
    assert.ok(r.metrics.evictions > 0, machine);
    return r.metrics.timeNs;
  };
  const [x86, p9, gh] = [time('x86-pcie'), time('power9-nvlink'), time('gh200')];
  assert.ok(gh < p9 && p9 < x86, `gh200 ${gh} < power9-nvlink ${p9} < x86-pcie ${x86}`);
});
