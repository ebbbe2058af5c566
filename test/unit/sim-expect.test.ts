import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventKind, type DeviceLayer } from '../../src/engine/index';
import { diagnosticsOf, errors, placingDevice, run } from './sim-helpers';

test('a failing expect on shows expected versus actual, at its line, and the run goes on', () => {
  const r = run(`thread t1 on cpu1
    A = mmap 256K
    cpu t1 write A[0:48K]
    expect A on cpu0
    cpu write A[48K:+4K]
    expect A[48K:+4K] on cpu0
    expect A[4K:12K] on cpu0,gpu0`);
  assert.deepEqual(diagnosticsOf(r, 'expect-failed'), [
    '4: A: 64 of 64 pages are not on cpu0 (12 on cpu1, 52 unpopulated), expected on cpu0',
    '7: A[4K:12K]: 2 of 2 pages are not on cpu0 or gpu0 (2 on cpu1), expected on cpu0 or gpu0',
  ]);
  assert.deepEqual(r.expects.map((e) => [e.line, e.pass]), [[4, false], [6, true], [7, false]]);
  const d = r.diagnostics.find((x) => x.code === 'expect-failed');
  assert.equal(d?.severity, 'error');
});

test('expect unpopulated counts the zero page as no memory', () => {
  const r = run(`A = mmap 16K
    cpu read A
    expect A unpopulated
    cpu write A[0:4K]
    expect A unpopulated`);
  assert.deepEqual(diagnosticsOf(r, 'expect-failed'), ['5: A: 1 of 4 pages have memory (1 on cpu0), expected unpopulated']);
});

test('expect ok / error / status read the previous call', () => {
  const r = run(`A = mmap 8K
    expect ok
    mbind A bind
    expect ok
    expect error EFAULT
    expect error EINVAL
    move_pages A query
    expect status -ENOENT`);
  assert.deepEqual(diagnosticsOf(r, 'expect-failed'), [
    '2: there is no call before this expect',
    '4: mbind at line 3 failed with EINVAL (mpol_new: bind needs a non-empty nodemask), expected success',
    '5: mbind at line 3 failed with EINVAL (mpol_new: bind needs a non-empty nodemask), expected error EFAULT',
    '8: move_pages at line 7 status is [-ENOENT,-ENOENT], expected [-ENOENT]',
  ]);
});

test('counters compare with every operator; faults, pages, migrations, time', () => {
  const r = run(`A = mmap 32K
    cpu write A
    expect faults(cpu) == 8
    expect faults(cpu) != 8
    expect pages(cpu0) >= 8
    expect pages(cpu0) < 8
    mbind A bind cpu1 flags=move
    expect migrations == 8
    expect time > 1us
    expect time <= 1us
    expect evictions == 0
    expect faults(gpu0) == 0
    expect wasted(gpu0) == 0`);
  assert.deepEqual(diagnosticsOf(r, 'expect-failed').map((m) => m.replace(/is [\d.]+ns/, 'is Tns')), [
    '4: faults(cpu) is 8, expected != 8',
    '6: pages(cpu0) is 8, expected < 8',
    '10: time is Tns, expected <= 1000ns',
  ]);
});

test('reset zeroes the cumulative counters but not the pages resident now', () => {
  const r = run(`A = mmap 32K
    cpu write A
    wait 1ms
    reset
    expect faults(cpu) == 0
    expect time == 0ns
    expect pages(cpu0) == 8
    cpu write A
    expect faults(cpu) == 0
    expect time > 0ns`);
  assert.deepEqual(errors(r), []);
  assert.equal(r.metrics.cpuFaults, 0);
  assert.ok(r.metrics.timeNs < 1e6);
});

test('expect mapped reads the device-mapped bits that the device layer sets; wasted counts untouched device pages', () => {
  const mapping: DeviceLayer = {
    execute(st, ctx) {
      placingDevice.execute(st, ctx);
      if (st.kind !== 'gpu') return;
      const range = ctx.resolve(st.range);
      if (!range) return;
      for (const part of ctx.walk(range)) if (part.region) for (let p = part.from; p < part.to; p++) ctx.pages.setMapped(part.region.index, p, 1);
    },
    finish: placingDevice.finish,
  };
  const r = run(`A = mmap 16K
    migrate A to gpu0
    expect wasted(gpu0) == 16K
    gpu read A[0:8K]
    expect A mapped gpu0`, { device: () => mapping });
  assert.deepEqual(diagnosticsOf(r, 'expect-failed'), ['5: A: 2 of 4 pages are not mapped by gpu0, expected all mapped']);
  assert.deepEqual(errors(r).length, 1);
});

test('by default device statements go to the driver layer', () => {
  const r = run(`A = mmap 16K
    gpu write A
    prefetch A to gpu0`);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.regions[0].resident, { gpu0: 4 });
  assert.deepEqual(r.metrics.wastedBytes, { gpu0: 0 });
});

test('each executed statement is a step; repeat gives one per pass; events point at their step', () => {
  const r = run(`A = mmap 64K
    phase "warm"
    repeat 2
    cpu write A[0:8K]
    end
    end
    cpu write A[8K:16K]`);
  assert.deepEqual([...r.steps.line], [1, 4, 4, 7]);
  const allocs = [...Array(r.events.length).keys()].map((i) => r.events.get(i)).filter((e) => e.kind === EventKind.Alloc);
  assert.deepEqual(allocs.map((e) => [e.step, e.line, e.page, e.count]), [[1, 4, 0, 2], [3, 7, 2, 2]]);
  assert.equal(r.steps.firstEvent[3], r.events.length - 2);
});

test('a parse error is reported with the run results', () => {
  const r = run(`A = mmap 8K
    frobnicate A
    cpu write A`);
  assert.equal(r.diagnostics[0].code, 'parse-error');
  assert.equal(r.diagnostics[0].line, 2);
  assert.deepEqual(r.regions[0].resident, { cpu0: 2 });
});

test('the same scenario gives the same result', () => {
  const text = `A = mmap 1M
    set_mempolicy interleave cpu0,cpu1
    cpu write A times=2
    move_pages A[0:64K] to cpu1`;
  const a = run(text);
  const b = run(text);
  assert.deepEqual(JSON.stringify([a.calls, a.regions, a.metrics, a.diagnostics]), JSON.stringify([b.calls, b.regions, b.metrics, b.diagnostics]));
  assert.deepEqual([...a.events.to.slice(0, a.events.length)], [...b.events.to.slice(0, b.events.length)]);
});
