// Read-mostly copies going away (uvm_va_block.c break_read_duplication_in_region):
// a write, a migration or `advise ... read-mostly unset` leaves the page on one node
// and unmaps every other holder. Shared by the CPU write path and the device layer.

import { type Cause, EventKind } from '../events';
import type { Machine } from '../machine/machine';
import type { PageStore } from './pages';

/**
 * Unmapping one holder's copy and invalidating its TLB. No measured number exists for
 * a GPU TLB invalidate (research uvm-policies-costs.md §3.1: "a few µs", [U]); a CPU
 * TLB shootdown is about 1 µs plus 0.2 µs per core [S]. One placeholder for both.
 */
export const COPY_INVALIDATE_NS = 2_000;

/** What dropping copies needs from a run: the simulator's state and the device context both fit. */
export interface CopyHost {
  readonly machine: Machine;
  readonly pages: PageStore;
  event(kind: EventKind, agent: number, from: number, to: number, cause: Cause, region: number, page: number, count: number): void;
  advance(ns: number): void;
}

/**
 * Drops the page's copies on the devices in `devices` (a bitmask): each holder loses
 * its copy and its mapping, costs one invalidation and gets a CopyDrop event from
 * its node to `kept`, the node that keeps the page. Returns the copies dropped.
 */
export function dropCopies(h: CopyHost, region: number, page: number, devices: number, kept: number, agent: number, cause: Cause): number {
  const held = h.pages.copies(region, page) & devices;
  for (let d = 0; held >> d !== 0; d++) {
    if (held & (1 << d)) h.event(EventKind.CopyDrop, agent, h.machine.devices[d], kept, cause, region, page, 1);
  }
  return releaseCopies(h, region, page, held);
}

/** dropCopies without the events, for a caller that logs them its own way. */
export function releaseCopies(h: CopyHost, region: number, page: number, devices: number): number {
  const held = h.pages.copies(region, page) & devices;
  if (held === 0) return 0;
  let dropped = 0;
  for (let m = held; m !== 0; m &= m - 1) dropped++;
  h.pages.dropCopies(region, page, held);
  h.pages.setMapped(region, page, h.pages.mapped(region, page) & ~held);
  h.advance(dropped * COPY_INVALIDATE_NS);
  return dropped;
}
