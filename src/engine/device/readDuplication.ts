// Read duplication (cudaMemAdviseSetReadMostly) in the uvm driver, on `managed`
// memory only: the driver does not implement it for HMM or ATS ranges (uvm_hmm.c,
// uvm_va_block.c: TODO Bug 3660922). A read fault or a prefetch by a device gives
// it a read-only copy and the page stays where it is (uvm_va_block.c
// block_select_processor_residency, uvm_migrate.c); the page store keeps the copy
// and counts it on the device's node. Writes and migrations collapse the copies
// (sim/copies.ts, placement.ts); unsetting the hint collapses them at once.

import { Cause, EventKind } from '../events';
import type { DeviceContext } from '../sim/device';
import { dropCopies } from '../sim/copies';
import { CHUNK_MASK, CHUNK_SHIFT } from '../sim/pages';
import type { Region } from '../sim/state';
import type { DeviceRun } from './deviceRun';
import { causeAt, evictBlock, placeOnDevice, type CauseOf } from './placement';
import type { Processor } from './processor';

/** True when a device read or prefetch of the page makes a copy rather than a move. */
export function duplicatesOnRead(run: DeviceRun, r: Region, page: number): boolean {
  return run.params.policy === 'uvm' && r.backing === 'managed' && run.advice.has(r.index) && run.advice.at(r.index, page).readMostly;
}

/** The processors holding the page: where it is, then each device with a copy. */
export function holders(run: DeviceRun, node: number, copies: number): Processor[] {
  const at = run.processorAt(node);
  const out: Processor[] = at === null ? [] : [at];
  for (let d = 0; copies >> d !== 0; d++) if (copies & (1 << d) && d !== at) out.push(d);
  return out;
}

/**
 * Gives `device` read-only copies of pages[0..count) (region pages, ascending, each
 * with memory on another node) and maps them. Each contiguous run from one node is
 * one transfer, as the copy engine does it; a page the device already holds is only
 * mapped. Copies take device memory from the block's 2 MiB chunk like the pages
 * themselves (evicting the oldest-filled chunk when none is free); a device smaller
 * than one chunk maps the page where it is instead. Returns the copies made.
 */
export function addCopies(
  run: DeviceRun,
  ctx: DeviceContext,
  r: Region,
  pages: ArrayLike<number>,
  count: number,
  device: number,
  causeOf: CauseOf,
  agent: number,
): number {
  const store = ctx.pages;
  const devNode = ctx.machine.devices[device];
  const bit = 1 << device;
  let total = 0;
  for (let k = 0; k < count; ) {
    const src = store.node(r.index, pages[k]);
    const block = run.blockOf(r, pages[k]);
    let e = k + 1;
    while (e < count && pages[e] === pages[e - 1] + 1 && store.node(r.index, pages[e]) === src && run.blockOf(r, pages[e]) === block) e++;
    let need = 0;
    for (let q = k; q < e; q++) if (src !== devNode && (store.copies(r.index, pages[q]) & bit) === 0) need++;
    if (need > 0 && !takeChunk(run, ctx, r, block, device, need)) {
      for (let q = k; q < e; q++) store.setMapped(r.index, pages[q], store.mapped(r.index, pages[q]) | bit);
      k = e;
      continue;
    }
    let made = 0;
    for (let q = k; q < e; q++) {
      const p = pages[q];
      store.setMapped(r.index, p, store.mapped(r.index, p) | bit);
      if (src === devNode || store.copies(r.index, p) & bit) continue;
      store.addCopy(r.index, p, device);
      ctx.event(EventKind.Copy, agent, src, devNode, causeAt(causeOf, p), r.index, p, 1);
      made++;
    }
    if (made > 0) {
      ctx.advance(ctx.costs.copyNs(src, devNode, made * run.pageSize));
      // a copy nobody reads is waste, reported at the statement that made it
      run.blockSpan.set(block, ctx.span);
    }
    total += made;
    k = e;
  }
  return total;
}

/** Room for `pages` copies in the block's chunk on the device; false when the device is smaller than one chunk. */
function takeChunk(run: DeviceRun, ctx: DeviceContext, r: Region, block: number, device: number, pages: number): boolean {
  const a = run.rt.pools[device].allocate(block, pages);
  if (a.kind === 'full') return false;
  if (a.kind === 'evicted') evictBlock(run, ctx, device, a.evictedBlock);
  run.blockRegion.set(block, r.index);
  return true;
}

/**
 * `advise ... read-mostly unset`: the driver collapses every duplicated page at once
 * (uvm_policy.c va_block_unset_read_duplication_locked): onto the preferred location
 * when it holds a copy, else onto the first holder in processor order, the CPU
 * before the devices. Nothing is copied; the other holders are unmapped.
 */
export function collapseOnUnset(run: DeviceRun, ctx: DeviceContext, r: Region, from: number, to: number): void {
  const store = ctx.pages;
  for (let p = from; p < to; ) {
    const chunkEnd = Math.min(to, ((p >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
    const copies = store.peek(r.index, p)?.copies;
    if (!copies) {
      p = chunkEnd;
      continue;
    }
    for (; p < chunkEnd; p++) {
      const held = copies[p & CHUNK_MASK];
      if (held === 0) continue;
      const node = store.node(r.index, p);
      const keeper = keeperOf(holders(run, node, held), run.advice.at(r.index, p).preferred);
      // a copy that becomes the page takes its place in the device's chunk pool
      if (keeper !== 'cpu' && keeper !== run.processorAt(node)) placeOnDevice(run, ctx, r, [p], 1, keeper, Cause.Hint, 0);
      // what stayed (the CPU keeps it, or the device had no room) keeps the page where it is
      dropCopies(ctx, r.index, p, 0xff, store.node(r.index, p), 0, Cause.Hint);
    }
  }
}

function keeperOf(holding: readonly Processor[], preferred: Processor | null): Processor {
  if (preferred !== null && holding.includes(preferred)) return preferred;
  if (holding.includes('cpu')) return 'cpu';
  return Math.min(...(holding as number[]));
}
