// End of run: device memory that no device ever accessed (semantics §3 rule 11),
// reported at the statement that put it there: the driver call or device access
// whose prefetch placed it, or the mempolicy call (mbind, set_mempolicy) under
// which the kernel allocated it. Also the run's thrashing and eviction warnings.

import type { DeviceContext } from '../sim/device';
import { CHUNK_PAGES } from '../sim/pages';
import type { Region } from '../sim/state';
import type { Span } from '../syntax/ast';
import { formatBytes } from '../report/units';
import { DeviceFlag, type DeviceRun } from './deviceRun';

/** The statement whose policy placed a kernel-allocated page (mbind, set_mempolicy), else `mmapSpan`, the region's mmap line. */
function kernelSpan(ctx: DeviceContext, r: Region, page: number, mmapSpan: Span): Span {
  return ctx.policyAt(r, page, ctx.threads[0], true)?.origin ?? mmapSpan;
}

interface WasteEntry {
  span: Span;
  pages: number;
  byDriver: boolean;
}

/** Wasted pages per statement position (line and column), in the order first seen. */
class WasteTally {
  readonly bySpan = new Map<string, WasteEntry>();
  // the entry of each span object seen, so that a page needs no key of its own
  private readonly ofSpan = new Map<Span, WasteEntry>();

  entryOf(span: Span, byDriver: boolean): WasteEntry {
    let entry = this.ofSpan.get(span);
    if (!entry) {
      const key = `${span.line}:${span.column}`;
      entry = this.bySpan.get(key);
      if (!entry) this.bySpan.set(key, (entry = { span, pages: 0, byDriver }));
      this.ofSpan.set(span, entry);
    }
    return entry;
  }
}

export function reportWaste(run: DeviceRun | null, ctx: DeviceContext): void {
  for (const node of ctx.machine.devices) {
    const name = ctx.machine.nodes[node].name;
    const bytes = ctx.wastedBytes(node);
    ctx.metrics.wastedBytes[name] = bytes;
    if (bytes === 0) continue;
    const tally = new WasteTally();
    const bit = 1 << (ctx.machine.nodes[node].device ?? 0);
    for (const r of ctx.regions) {
      const mmapSpan: Span = { line: r.line, column: 1, endLine: r.line, endColumn: 1 };
      // the block of the last driver-placed page and its entry: one lookup per block, not per page
      let block = -1;
      let blockEntry: WasteEntry | null = null;
      for (let first = 0; first < r.pages; first += CHUNK_PAGES) {
        const c = ctx.pages.peek(r.index, first);
        if (!c) continue;
        for (let i = 0; i < CHUNK_PAGES && first + i < r.pages; i++) {
          // a read-mostly copy its device never read is the driver's waste too
          const unreadCopy = c.copies !== null && (c.copies[i] & bit) !== 0 && (c.touched[i] & bit) === 0;
          if (!unreadCopy && (c.node[i] !== node || c.touched[i] !== 0)) continue;
          const byDriver = unreadCopy || (run !== null && (c.flags[i] & DeviceFlag.OnDevice) !== 0);
          if (byDriver && run) {
            const b = run.blockOf(r, first + i);
            if (b !== block) {
              block = b;
              const span = run.blockSpan.get(b);
              blockEntry = span ? tally.entryOf(span, true) : null;
            }
            if (blockEntry) {
              blockEntry.pages++;
              continue;
            }
          }
          tally.entryOf(kernelSpan(ctx, r, first + i, mmapSpan), byDriver).pages++;
        }
      }
    }
    for (const { span, pages, byDriver } of tally.bySpan.values()) {
      const size = formatBytes(pages * ctx.machine.pageSize);
      const why = byDriver
        ? 'the driver placed it (prefetch, migration, read-mostly copy or advice) and no device touched it since'
        : 'the kernel placed it under a memory policy; steering device memory with mbind wastes it when no device runs (the HMM design warns about this)';
      ctx.diag(span, 'warning', 'wasted-device-memory', `${size} on ${name} never accessed by a device: ${why}`);
    }
  }
  if (!run) return;
  for (const [device, t] of run.evicted) {
    const name = ctx.machine.nodes[ctx.machine.devices[device]].name;
    ctx.diag(t.span, 'warning', 'device-oversubscribed', `${name} is full: the driver evicted ${t.pages} pages (${formatBytes(t.pages * run.pageSize)}) in ${t.events} 2 MiB chunks to system memory, oldest-filled first, starting here`);
  }
  const { throttles, pins } = run.rt.thrashing.stats;
  const response = `the driver throttled ${throttles} faults and pinned ${pins} pages`;
  if (run.thrashing) {
    ctx.diag(run.thrashing.span, 'warning', 'thrashing', `${run.thrashing.pages} pages migrated back and forth between processors (${run.params.thrashThreshold} times within ${run.params.thrashLapseNs / 1000} µs); ${response}`);
  } else if (run.pingPong && run.pingPong.pages >= run.params.thrashThreshold) {
    const detection = !run.params.thrashing ? 'thrashing detection is off' : throttles + pins > 0 ? response : 'thrashing detection did not trigger (the moves were further apart than the lapse)';
    ctx.diag(run.pingPong.span, 'warning', 'thrashing', `${run.pingPong.pages} times a device faulted back a page the CPU had taken from it (CPU/device ping-pong); ${detection}`);
  }
}
