// A UVMSmart log set against memplace's replay of it (media/docs/uvmsmart.md): the
// invariants that hold whatever the two models disagree on, on a hand-made log whose
// footprint (3 MiB) is larger than its device memory (2 MiB).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { uvmSmartToScenario, type ConvertOptions } from '../../src/engine/import/uvmsmart';
import { simulateText } from '../../src/engine/simulate';

const LOG = readFileSync(join(__dirname, '../../../test/fixtures/uvmsmart/oversubscribed.log'), 'utf8');
const PAGE = 4096;
const DEVICE_PAGES = (2 * 1024 * 1024) / PAGE;

/** The log's transfers, read here with a regex of their own, independent of the reader. */
const transfers = [...LOG.matchAll(/^F:\s*(\d+)----T:\s*\d+ \t St: ([0-9a-f]+) Sz: (\d+) .*T: (\w+)\(/gm)].map((m) => ({
  startCycle: Number(m[1]),
  page: parseInt(m[2], 16) / PAGE,
  pages: Number(m[3]) / PAGE,
  kind: m[4],
}));
const fetched = transfers.filter((t) => t.kind === 'memcpy_h2d');
const fetchedPages = fetched.reduce((sum, t) => sum + t.pages, 0);
const distinctPages = new Set(fetched.flatMap((t) => Array.from({ length: t.pages }, (_, i) => t.page + i))).size;
/** A total as printed in the log, e.g. `Page_tot_fault: 40`. */
const printed = (name: string) => Number(new RegExp(`${name}:?\\s+(\\d+)`).exec(LOG)?.[1]);

async function replay(set: Record<string, string> = {}, options: ConvertOptions = {}) {
  const conversion = await uvmSmartToScenario(LOG.split('\n'), options);
  const result = simulateText(conversion.text, { set });
  assert.deepEqual(
    result.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const toDevice = (result.metrics.migratedBytes['cpu0->gpu0'] ?? 0) / PAGE;
  return { conversion, metrics: result.metrics, toDevice };
}

test("the log's totals are the ones printed in it", async () => {
  const { reference, totals } = await uvmSmartToScenario(LOG.split('\n'));
  assert.equal(reference.farFaults, printed('Page_tot_fault'));
  assert.equal(reference.evictedPages, printed('Page_evict_dirty') + printed('Page_evict_not_dirty'));
  assert.equal(reference.pagesToDevice, fetchedPages);
  assert.equal(reference.pagesToDevice, printed('Page_validate'));
  assert.equal(totals.counts.Page_tot_thrash, printed('Page_tot_thrash'));
  // UVMSmart's kernel+fault time is the kernel's cycles plus one fault latency per far fault
  const faultCycles = printed('page_fault_latency') * printed('Page_tot_fault');
  assert.equal(totals.times.Tot_kernel_exec_time_and_fault_time.cycles, totals.times.Tot_kernel_exec_time.cycles + faultCycles);
});

for (const prefetch of ['on', 'off']) {
  test(`prefetch=${prefetch}: memplace faults on no more pages than the log fetches`, async () => {
    const { metrics } = await replay({ prefetch });
    assert.ok(metrics.deviceFaults.gpu0 > 0);
    assert.ok(metrics.deviceFaults.gpu0 <= fetchedPages, `${metrics.deviceFaults.gpu0} device faults, ${fetchedPages} pages fetched in the log`);
  });

  test(`prefetch=${prefetch}: with a device smaller than the footprint, every touched page is migrated in and room is made by evicting`, async () => {
    const { metrics, toDevice } = await replay({ prefetch });
    assert.ok(distinctPages > DEVICE_PAGES);
    assert.ok(toDevice >= distinctPages, `${toDevice} pages migrated to the device, ${distinctPages} distinct pages touched`);
    assert.ok(metrics.evictions >= distinctPages - DEVICE_PAGES, `${metrics.evictions} evictions`);
    assert.equal(metrics.migratedBytesByCause.eviction / PAGE, metrics.evictions);
  });
}

test('the host initialisation is outside the counters, and the log’s time 0 comes after it', async () => {
  const { metrics } = await replay();
  // the host's writes are before `reset`; only the GPU side is counted
  assert.equal(metrics.cpuFaults, 0);
  // the clock runs from the log's time 0 at least to its last transfer's start
  const lastStartNs = Math.max(...transfers.map((t) => t.startCycle)); // 1000 MHz: 1 cycle = 1 ns
  assert.ok(metrics.timeNs >= lastStartNs, `${metrics.timeNs} ns simulated, last transfer at ${lastStartNs} ns`);
});

test('without the host initialisation, first touches allocate on the device and nothing is copied in', async () => {
  const { toDevice, metrics } = await replay({}, { hostInit: false });
  assert.ok(metrics.deviceFaults.gpu0 > 0);
  assert.ok(toDevice < distinctPages, `${toDevice} pages migrated to the device`);
});
