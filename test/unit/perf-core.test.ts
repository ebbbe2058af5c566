// The kernel-side simulator's fast paths must do exactly what the general paths do:
// a CPU pass taking back a run of device-private pages at once (access.ts takeBack),
// Touchers reused from statement to statement, the one-stretch walk of an address
// range (address.ts), RangeMap.stretchAt and PageStore.placeRun.

import { test } from 'node:test';
import { observable } from './device-sim-helpers';
import assert from 'node:assert/strict';
import { driverLayer } from '../../src/engine/device/layer';
import type { DeviceLayerFactory, SimResult } from '../../src/engine/index';
import { costModelFor } from '../../src/engine/machine/costs';
import { buildMachine } from '../../src/engine/machine/machine';
import { walk, walkAll } from '../../src/engine/sim/address';
import { PageStore } from '../../src/engine/sim/pages';
import { RangeMap, type Segment } from '../../src/engine/sim/rangeMap';
import { Runner } from '../../src/engine/sim/run';
import { SimState } from '../../src/engine/sim/state';
import { parse } from '../../src/engine/syntax/parser';
import { run } from './sim-helpers';

interface Left {
  page: number;
  from: number;
  leftAt: number;
}

/** What the device layer heard: each page that left with its time, and the number of calls. */
interface Heard {
  pages: Left[];
  calls: number;
}

/** The real device layer, recording each page pagesLeftDevice hands over and the time it left. */
function recording(heard: Heard): DeviceLayerFactory {
  return (first) => {
    const inner = driverLayer(first);
    return {
      execute: (st, ctx) => inner.execute(st, ctx),
      finish: (ctx) => inner.finish(ctx),
      pagesLeftDevice(ctx, r, from0, end, from, leftAt) {
        heard.calls++;
        for (let p = from0; p < end; p++) heard.pages.push({ page: p, from, leftAt: leftAt[p - from0] });
        inner.pagesLeftDevice?.(ctx, r, from0, end, from, leftAt);
      },
    };
  };
}


/**
 * A scenario run twice: under `mbind A <policy>`, where every page that comes back
 * from device memory lands by the run (one default-like policy over the range), and
 * under a one-node interleave, which picks the node page by page and so takes back
 * one page at a time. Both pick the same nodes.
 */
function runsAndSinglePages(machine: string, body: string[], runPolicy: string, pagePolicy: string) {
  const text = (policy: string) => [machine, 'A = mmap 8M', `mbind A ${policy}`, ...body].join('\n');
  const runCalls: Heard = { pages: [], calls: 0 };
  const pageCalls: Heard = { pages: [], calls: 0 };
  const runs = run(text(runPolicy), { device: recording(runCalls) });
  const pages = run(text(pagePolicy), { device: recording(pageCalls) });
  return { runs, pages, runCalls, pageCalls };
}

test('a CPU pass takes back runs of device-private pages exactly as page by page', () => {
  const { runs, pages, runCalls, pageCalls } = runsAndSinglePages(
    'machine x86-pcie gpu0=64M',
    ['repeat 3', '  cpu write A', '  gpu read A', 'end', 'cpu read A[1M:+3M]', 'gpu write A stride=12K', 'cpu write A'],
    'preferred cpu0',
    'interleave cpu0',
  );
  assert.equal(runs.diagnostics.filter((d) => d.severity === 'error').length, 0);
  const migrations = runs.events.kind.slice(0, runs.events.length).filter((k, i) => k === 2 && runs.events.cause[i] === 6 && runs.events.count[i] > 1);
  assert.ok(migrations.length > 0, 'the CPU takes back runs of several pages');
  assert.deepEqual(observable(runs), observable(pages));
  // the device layer hears of every page at the time it left, in the same order, a run at a time
  assert.ok(runCalls.pages.length > 1000);
  assert.deepEqual(runCalls.pages, pageCalls.pages);
  assert.equal(pageCalls.calls, pageCalls.pages.length);
  assert.ok(runCalls.calls * 100 < runCalls.pages.length, `${runCalls.calls} calls for ${runCalls.pages.length} pages`);
});

test('a take-back that fills its node goes on on the next node at the same page as page by page', () => {
  // cpu0 holds 1525 pages: the third chunk's take-back overflows to cpu1 in its middle
  const { runs, pages, runCalls, pageCalls } = runsAndSinglePages(
    'machine x86-pcie cpu0=6100K gpu0=64M',
    ['gpu write A', 'cpu write A'],
    'preferred cpu0',
    'interleave cpu0',
  );
  assert.deepEqual(runs.regions[0].resident, { cpu0: 1525, cpu1: 523 });
  assert.deepEqual(observable(runs), observable(pages));
  assert.deepEqual(runCalls.pages, pageCalls.pages);
});

test('a take-back under BIND that runs out of memory stops at the page that finds no room, its clock page by page', () => {
  const text = ['machine x86-pcie cpu1=5M gpu0=64M', 'A = mmap 8M', 'mbind A bind cpu1', 'gpu write A', 'cpu write A'].join('\n');
  const r = run(text, { device: driverLayer });
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['oom-kill']);
  assert.deepEqual(r.regions[0].resident, { cpu1: 1280, gpu0: 768 });
  assert.equal(r.metrics.cpuFaults, 1281, 'the page that found no room faulted too');
  assert.equal(r.metrics.migrations, 1280);
  // fault, copy and access of each page taken back, then the fault that found no room
  const { machine } = buildMachine(parse(text).statements);
  const costs = costModelFor(machine);
  const [cpu0, cpu1, gpu0] = ['cpu0', 'cpu1', 'gpu0'].map((n) => machine.nodes.findIndex((x) => x.name === n));
  let now = r.steps.time[r.steps.length - 2];
  for (let page = 0; page < 1280; page++) {
    if (page > 0) now += costs.accessNs(cpu0, cpu1, machine.pageSize);
    now += costs.cpuFaultNs;
    now += costs.copyNs(gpu0, cpu1, machine.pageSize);
  }
  now += costs.accessNs(cpu0, cpu1, machine.pageSize);
  now += costs.cpuFaultNs;
  assert.equal(r.steps.time[r.steps.length - 1], now);
});

test('a reused Toucher reads the policies of now, not of its last statement', () => {
  const r = run(
    ['machine x86-pcie gpu0=64M', 'A = mmap 64K', 'cpu write A', 'gpu write A', 'mbind A bind cpu1', 'cpu write A', 'expect A on cpu1'].join('\n'),
    { device: driverLayer },
  );
  assert.deepEqual(r.regions[0].resident, { cpu1: 16 });
  assert.ok(r.expects.every((e) => e.pass));
});

test('a reused Toucher takes the access times of the node its thread runs on now', () => {
  const stepNs = (r: SimResult, line: number): number => {
    const i = Array.from(r.steps.line).lastIndexOf(line);
    return r.steps.time[i] - r.steps.time[i - 1];
  };
  const moved = run(['machine x86-pcie', 'A = mmap 4M', 'thread t1 on cpu0', 'cpu t1 write A', 'thread t1 on cpu1', 'cpu t1 write A'].join('\n'));
  const fresh = run(['machine x86-pcie', 'A = mmap 4M', 'thread t0 on cpu0', 'cpu write A', 'thread t1 on cpu1', 'cpu t1 write A'].join('\n'));
  assert.equal(stepNs(moved, 6), stepNs(fresh, 6));
  assert.notEqual(stepNs(moved, 6), stepNs(moved, 4), 'remote writes cost more than local ones');
});

test('the one-stretch walk gives what the general walk gives', () => {
  const text = [
    'machine x86-pcie',
    'A = mmap 8M',
    'B = mmap 2M',
    'C = mmap 64K at=0x7f0000100000',
    'munmap A[3M:+64K]',
    'mprotect B[64K:+8K] r',
    'mprotect B[1M:+4K] none',
    'D = mmap 16K',
  ].join('\n');
  const scenario = parse(text);
  const { machine } = buildMachine(scenario.statements);
  const s = new SimState(machine, costModelFor(machine));
  new Runner(s, driverLayer, {}).run(scenario.statements);
  assert.equal(s.diagnostics.length, 0, JSON.stringify(s.diagnostics));
  const ps = machine.pageSize;
  const lo = s.byAddress[0].start - 4 * ps;
  const hi = Math.max(...s.regions.map((r) => r.start + r.pages * ps)) + 4 * ps;
  let x = 12345;
  const next = (n: number): number => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % n;
  };
  for (let i = 0; i < 20000; i++) {
    const start = lo + next(hi - lo);
    const length = i % 3 === 0 ? next(3 * ps) : next(64 * ps);
    assert.deepEqual(walk(s, start, length), walkAll(s, start, length), `walk(0x${start.toString(16)}, ${length})`);
  }
});

test('RangeMap.stretchAt gives the segment (or gap) of segments() that holds the page', () => {
  const map = new RangeMap<string>();
  const n = 400;
  let x = 7;
  const next = (k: number): number => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % k;
  };
  const into: Segment<string> = { from: 0, to: 0, value: undefined };
  for (let round = 0; round < 200; round++) {
    const from = next(n);
    map.set(from, from + 1 + next(40), round % 5 === 0 ? undefined : 'v' + next(3));
    const all = map.segments(0, n);
    for (let page = 0; page < n; page++) {
      const seg = all.find((g) => g.from <= page && page < g.to) as Segment<string>;
      const got = map.stretchAt(page, into);
      assert.deepEqual({ ...got, to: Math.min(got.to, n) }, seg, `page ${page}`);
    }
  }
});

test('PageStore.placeRun leaves what place() page by page leaves, copies included', () => {
  // nodes 0 and 1 are system memory, 2 and 3 are devices 0 and 1
  const make = (): PageStore => {
    const store = new PageStore(4, [2, 3]);
    store.addRegion(1024);
    for (let p = 0; p < 40; p++) store.setNode(0, p, 0);
    for (let p = 0; p < 40; p += 3) store.addCopy(0, p, 0);
    for (let p = 0; p < 40; p += 5) store.addCopy(0, p, 1);
    return store;
  };
  for (const to of [1, 2, 3, 255]) {
    const runs = make();
    const pages = make();
    runs.placeRun(runs.chunk(0, 0), 4, 30, 0, to);
    for (let i = 4; i < 34; i++) pages.place(pages.chunk(0, 0), i, to);
    const state = (store: PageStore) => {
      const c = store.chunk(0, 0);
      return { node: [...c.node], touched: [...c.touched], copies: [...(c.copies ?? [])], used: [...store.used], peak: [...store.peak] };
    };
    assert.deepEqual(state(runs), state(pages), `to ${to}`);
  }
});
