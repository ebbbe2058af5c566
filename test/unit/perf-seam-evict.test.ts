// Eviction by runs (placement.ts evictRuns) must do exactly what the general
// eviction (evictPages: a page list through moveToSystem) does. A one-node
// interleave keeps the general path (its policy picks per page), `preferred` takes
// the runs; both pick the same nodes, so every result must be the same.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SimResult } from '../../src/engine/index';
import { EventKind } from '../../src/engine/events';
import { observable, sim } from './device-sim-helpers';


/** What a run leaves, and its calls but the first (it installs the policy, whose name differs). */
const observableWithCalls = (r: SimResult) => ({ ...observable(r), calls: r.calls.slice(1) });

/** The scenario under `mbind A <policy>` for the runs and the one-node interleave for the general path. */
function byRunsAndByPages(machine: string, body: string[], node: string, mmap = 'A = mmap 16M'): { runs: SimResult; pages: SimResult } {
  const text = (policy: string) => [machine, mmap, `mbind A ${policy} ${node}`, ...body].join('\n');
  return { runs: sim(text('preferred')), pages: sim(text('interleave')) };
}

const evictions = (r: SimResult): number => Array.from(r.events.kind.slice(0, r.events.length)).filter((k) => k === EventKind.Evict).length;

test('evicting blocks with holes and a second policy range inside them, by runs as by pages', () => {
  const { runs, pages } = byRunsAndByPages(
    'machine x86-pcie gpu0=4M',
    [
      // a range of one block goes to cpu1 under both: the runs split at its edges
      'mbind A[2248K:+300K] bind cpu1',
      // one goes to cpu0 as its neighbours do: one run across its edges
      'mbind A[5M:+100K] bind cpu0',
      'gpu write A[0:+4M]',
      // holes: pages the CPU took back, every other 64K, and single pages
      'cpu write A[64K:+64K]',
      'cpu write A[2304K:+4K]',
      'cpu write A[3M:+8K]',
      'gpu read A[4M:+6M]',
      'cpu read A',
      'gpu write A stride=12K',
      'gpu read A[8M:+8M]',
    ],
    'cpu0',
  );
  assert.equal(runs.diagnostics.filter((d) => d.severity === 'error').length, 0);
  assert.ok(evictions(runs) > 10, 'the scenario must evict');
  assert.ok(runs.metrics.migratedBytes['gpu0->cpu1'] > 0, 'evictions must reach the second range');
  assert.deepEqual(observableWithCalls(runs), observableWithCalls(pages));
});

test('a region that starts inside a 2 MiB block is evicted in runs across its chunks as by pages', () => {
  const { runs, pages } = byRunsAndByPages(
    'machine x86-pcie gpu0=4M',
    ['gpu write A[0:+6M]', 'cpu write A[1088K:+4K]', 'gpu read A[6M:+8M]'],
    'cpu0',
    'A = mmap 16M at=0x7f0000011000',
  );
  assert.equal(runs.diagnostics.filter((d) => d.severity === 'error').length, 0);
  assert.ok(evictions(runs) > 0, 'the scenario must evict');
  assert.deepEqual(observableWithCalls(runs), observableWithCalls(pages));
});

test('an eviction whose node is full goes to the next node, by runs as by pages', () => {
  const { runs, pages } = byRunsAndByPages('machine x86-pcie cpu0=3M gpu0=4M', ['gpu write A', 'cpu read A[0:+1M]', 'gpu read A'], 'cpu0');
  assert.ok(runs.metrics.migratedBytes['gpu0->cpu1'] > 0, 'evictions must overflow to cpu1');
  assert.deepEqual(observableWithCalls(runs), observableWithCalls(pages));
});

test('an eviction that finds no system memory stops the run by runs as by pages', () => {
  const { runs, pages } = byRunsAndByPages('machine x86-pcie cpu0=2M cpu1=2M gpu0=4M', ['gpu write A', 'gpu write A'], 'cpu0');
  assert.ok(runs.diagnostics.some((d) => d.code === 'oom-kill'), 'the run must stop');
  assert.ok(runs.metrics.evictions > 0, 'some pages were evicted before memory ran out');
  assert.deepEqual(observableWithCalls(runs), observableWithCalls(pages));
});

test('a thread whose task policy binds it still evicts to the VMA policy, by runs as by pages', () => {
  const { runs, pages } = byRunsAndByPages(
    'machine x86-pcie gpu0=4M',
    ['thread t1 on cpu1', 'set_mempolicy t1 bind cpu1', 'gpu write A[0:+6M]', 'cpu t1 write A[1M:+1M]', 'gpu read A[6M:+6M]'],
    'cpu1',
  );
  assert.ok(evictions(runs) > 0, 'the scenario must evict');
  assert.deepEqual(observableWithCalls(runs), observableWithCalls(pages));
});
