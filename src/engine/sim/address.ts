// The process's address space: where `mmap` puts regions (language.md: first at
// 0x7f0000000000, then after the highest end so far rounded up to 2 MiB plus a
// 2 MiB gap), how ranges resolve to pages of regions, munmap and mprotect.

import { Cause, EventKind, NO_NODE } from '../events';
import type { RangeRef, Statement } from '../syntax/ast';
import { hasMemory } from './pages';
import { samePolicy, type Policy } from './policy';
import { RangeMap, type Segment } from './rangeMap';
import type { PageProt, Region, SimState } from './state';

export const FIRST_REGION = 0x7f0000000000;
const TWO_MIB = 2 * 1024 * 1024;
/** x86-64 user address space with 4-level page tables (TASK_SIZE, 47 bits) */
const TASK_SIZE = 2 ** 47;
/** the kernel's default vm.max_map_count */
const MAX_MAP_COUNT = 65530;

/** Part of an address range: mapped pages [from, to) of a region, or a hole (region null; from/to are virtual page numbers). */
export interface Part {
  region: Region | null;
  from: number;
  to: number;
}

export interface AddressRange {
  start: number;
  length: number;
}

export function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/**
 * A range of the scenario as the address range it names. Region ranges outside
 * their region are `range-error`s; raw ranges pass as they are.
 */
export function resolveRef(s: SimState, ref: RangeRef): AddressRange | null {
  if (ref.kind === 'raw') return { start: ref.start, length: ref.length };
  const region = s.regionByName.get(ref.region);
  if (!region) {
    s.diag(ref.regionSpan, 'error', 'unknown-name', `no region named '${ref.region}'`);
    return null;
  }
  const off = ref.start ?? 0;
  const end = ref.end ?? (ref.length !== undefined ? off + ref.length : region.bytes);
  if (end < off) {
    s.diag(ref.span, 'error', 'range-error', `range ${ref.region}[${off}:${end}] runs backwards`);
    return null;
  }
  if (off < 0 || end > region.bytes) {
    s.diag(ref.span, 'error', 'range-error', `range [${off}:${end}] is outside ${ref.region} (${region.bytes} bytes)`);
    return null;
  }
  return { start: region.start + off, length: end - off };
}

/** Splits [start, start+length), extended to whole pages, into mapped parts and holes in address order. */
export function walk(s: SimState, start: number, length: number): Part[] {
  const ps = s.machine.pageSize;
  const first = Math.floor(start / ps);
  const last = Math.ceil((start + length) / ps);
  const inside = first < last ? insideOneStretch(s, first, last) : null;
  return inside ? [inside] : walkAll(s, start, length);
}

/** walk() the general way: every region's mapped pieces in the range, sorted, holes between. */
export function walkAll(s: SimState, start: number, length: number): Part[] {
  const ps = s.machine.pageSize;
  const first = Math.floor(start / ps);
  const last = Math.ceil((start + length) / ps);
  // mapped pieces never overlap: a MAP_FIXED region unmapped what it covers
  const mapped: { vpn: number; part: Part }[] = [];
  for (const r of s.byAddress) {
    const base = r.start / ps;
    if (base >= last) break;
    if (base + r.pages <= first) continue;
    const from = Math.max(first, base) - base;
    const to = Math.min(last, base + r.pages) - base;
    for (const seg of r.prot.segments(from, to)) {
      if (seg.value !== undefined && seg.value !== 'unmapped') mapped.push({ vpn: base + seg.from, part: { region: r, from: seg.from, to: seg.to } });
    }
  }
  mapped.sort((a, b) => a.vpn - b.vpn);
  const parts: Part[] = [];
  let vpn = first;
  for (const m of mapped) {
    if (m.vpn > vpn) parts.push({ region: null, from: vpn, to: m.vpn });
    parts.push(m.part);
    vpn = m.vpn + m.part.to - m.part.from;
  }
  if (vpn < last) parts.push({ region: null, from: vpn, to: last });
  return parts;
}

const stretch: Segment<PageProt> = { from: 0, to: 0, value: undefined };

/**
 * The commonest walk, of a range inside one region under one protection: that one
 * part, found without collecting and sorting every region's pieces. The general
 * walk gives the same, as mapped pieces never overlap. Null when it is not the case.
 */
function insideOneStretch(s: SimState, first: number, last: number): Part | null {
  const ps = s.machine.pageSize;
  const regions = s.byAddress;
  // the last region that starts at or before page `first`
  let lo = 0;
  let hi = regions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (regions[mid].start / ps <= first) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return null;
  const r = regions[lo - 1];
  const base = r.start / ps;
  if (last > base + r.pages) return null;
  const from = first - base;
  const to = last - base;
  const prot = r.prot.stretchAt(from, stretch);
  if (prot.value === undefined || prot.value === 'unmapped' || prot.to < to) return null;
  return { region: r, from, to };
}

export function mmap(s: SimState, st: Extract<Statement, { kind: 'mmap' }>): void {
  const ps = s.machine.pageSize;
  if (st.bytes <= 0) {
    s.diag(st.span, 'error', 'range-error', `mmap of ${st.bytes} bytes: Linux refuses a zero-length mapping (EINVAL)`);
    return;
  }
  if (st.at !== undefined && st.at % ps !== 0) {
    s.diag(st.span, 'error', 'range-error', `at=0x${st.at.toString(16)} is not page aligned`);
    return;
  }
  if (s.regions.length >= MAX_MAP_COUNT) {
    s.diag(st.span, 'error', 'range-error', `more than ${MAX_MAP_COUNT} mappings: mmap fails with ENOMEM (vm.max_map_count)`);
    return;
  }
  const pages = Math.ceil(st.bytes / ps);
  const start = st.at ?? (s.regions.length === 0 ? FIRST_REGION : roundUp(s.highestEnd, TWO_MIB) + TWO_MIB);
  if (start + pages * ps > TASK_SIZE) {
    s.diag(st.span, 'error', 'range-error', `mmap of ${st.bytes} bytes at 0x${start.toString(16)} would end past the 128 TiB user address space (ENOMEM)`);
    return;
  }
  // MAP_FIXED replaces whatever was mapped there
  if (st.at !== undefined) unmapRange(s, start, pages * ps, 0);
  const region: Region = {
    index: s.pages.addRegion(pages),
    name: st.name.name,
    start,
    bytes: st.bytes,
    pages,
    backing: st.backing,
    privateFile: st.backing === 'file' && st.private,
    mappedBy: st.mappedBy ?? 1,
    path: st.path,
    line: st.span.line,
    prot: new RangeMap<PageProt>(),
    policy: new RangeMap<Policy>(samePolicy),
  };
  region.prot.set(0, pages, st.prot);
  s.regions.push(region);
  s.regionByName.set(region.name, region);
  const at = s.byAddress.findIndex((r) => r.start > start);
  s.byAddress.splice(at < 0 ? s.byAddress.length : at, 0, region);
  s.highestEnd = Math.max(s.highestEnd, start + pages * ps);
}

/** Frees every page in the range and leaves a hole; `agent` is the thread that unmaps. */
export function unmapRange(s: SimState, start: number, length: number, agent: number): void {
  for (const part of walk(s, start, length)) {
    const r = part.region;
    if (!r) continue;
    s.pages.forEachSet(r.index, part.from, part.to, (page, node) => {
      if (hasMemory(node)) s.event(EventKind.Free, agent, node, NO_NODE, Cause.Unmap, r.index, page, 1);
      s.pages.clear(r.index, page);
    });
    r.prot.set(part.from, part.to, 'unmapped');
    r.policy.set(part.from, part.to, undefined);
  }
}

export function munmap(s: SimState, ref: RangeRef): void {
  const range = resolveRef(s, ref);
  if (range) unmapRange(s, range.start, range.length, 0);
}

export function mprotect(s: SimState, ref: RangeRef, prot: PageProt): void {
  const range = resolveRef(s, ref);
  if (!range) return;
  for (const part of walk(s, range.start, range.length)) if (part.region) part.region.prot.set(part.from, part.to, prot);
}

/** False once every page of the region was unmapped. */
export function isMapped(r: Region): boolean {
  return r.prot.segments(0, r.pages).some((seg) => seg.value !== 'unmapped');
}
