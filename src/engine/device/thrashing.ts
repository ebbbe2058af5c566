// Thrashing detection and mitigation of the UVM driver (uvm_perf_thrashing.c:
// thrashing_event_cb, uvm_perf_thrashing_get_hint, get_hint_for_migration_thrashing).
// A page that keeps migrating between processors within one "lapse" is thrashing;
// faults on it are first throttled (not serviced for a nap), and after `pinAfter`
// throttles the page is pinned in one place and the others map it remotely.
// State is kept per 2 MiB block in a Map, and per page in the block's typed arrays,
// made only when a page of the block first needs state (two processors met within
// one lapse), so untouched memory and blocks that only ever see one processor cost
// nothing per page. A run can track millions of pages: a page's state is a slice of
// its block's arrays, not an object per page (objects would each be traced by the
// collector and each be a pointer to chase on a random access), and its sets of
// processors are bit masks in it.

import type { Processor, Topology } from './processor';

export interface ThrashingParams {
  enabled: boolean;
  lapseNs: number;
  /** consecutive in-lapse events that make a page thrashing */
  threshold: number;
  pinAfter: number;
  /** 0 = pinned until reset */
  unpinAfterNs: number;
  /** throttle length (uvm_perf_thrashing_nap = 1 lapse) */
  napNs?: number;
  /** quiet time after which a block's tracking is dropped (uvm_perf_thrashing_epoch = 2000 lapses) */
  epochNs?: number;
  /** uvm_perf_thrashing_max_resets */
  maxResets?: number;
}

export type ThrashingHint =
  | { kind: 'none' }
  /** do not service the fault before `untilNs`; the faulting processor retries then */
  | { kind: 'throttle'; untilNs: number }
  /** keep the page at `at`; every thrashing processor maps it there */
  | { kind: 'pin'; at: Processor };

/** What the hint needs to know about the page beyond its history. */
export interface HintContext {
  preferred: Processor | null;
  /** the processor holding the page (closest copy); 'cpu' when untracked */
  residency: Processor;
  topology: Pick<Topology, 'canAccess' | 'fastAccess'>;
}

/** Bit of a processor in a page's masks: bit 0 the CPU, bit 1 + d device d. */
const bitOf = (p: Processor): number => (p === 'cpu' ? 1 : 2 << p);

/** Whether every processor in `mask` satisfies `test`. */
function everyIn(mask: number, test: (p: Processor) => boolean): boolean {
  for (let bits = mask, d = -1; bits !== 0; bits >>>= 1, d++) {
    if (bits & 1 && !test(d < 0 ? 'cpu' : d)) return false;
  }
  return true;
}

/**
 * A page's recent history, the fields every event reads or writes: doubles at
 * `Recent.Count * (page - base) + field` in its block's `recent`.
 */
const enum Recent {
  /** the page's last counted event, -1 before the first */
  LastNs,
  /** consecutive in-lapse events */
  Events,
  /** processors that touched the page in this episode (bitOf) */
  Processors,
  Count,
}

/**
 * A page's throttling and pinning state: doubles at `Mitigation.Count * (page - base)
 * + field` in its block's `mitigation`, all 0 when fresh. They leave 0 only on a page
 * with in-lapse events (Events > 0: a revocation among them, or a thrashing page's
 * hint), and only forgetting the page brings Events back to 0, so a page whose
 * Events are 0 has them fresh: an out-of-lapse event then need not touch them (on a
 * random access, the memory it misses on is its recent history alone).
 */
const enum Mitigation {
  /** codeOf(Processor | null) */
  PinnedAt,
  /** 1 when an in-lapse event was a revocation */
  Revocations,
  /** processors whose faults are being throttled (bitOf) */
  Throttled,
  ThrottleEndNs,
  Throttles,
  /** codeOf(Processor | null) */
  DoNotThrottle,
  /** read only while PinnedAt is set (pin sets it) */
  UnpinAtNs,
  Count,
}

/** A `Processor | null` as a field: null 0 (fresh), the CPU 1, device d d + 2. */
const NO_PROCESSOR = 0;
const codeOf = (p: Processor | null): number => (p === null ? NO_PROCESSOR : p === 'cpu' ? 1 : p + 2);
const processorOf = (code: number): Processor | null => (code === NO_PROCESSOR ? null : code === 1 ? 'cpu' : code - 2);

interface BlockState {
  /** NEVER before the block's first event (a number, not null: V8 then updates it in place instead of boxing each new time) */
  lastNs: number;
  lastProcessor: Processor | null;
  /** per-page tracking exists (two processors met within one lapse) */
  tracking: boolean;
  lastThrashingNs: number | null;
  resets: number;
  /** first page of the block */
  base: number;
  /**
   * each page's Recent fields, NO_RECORDS until a page of the block first needs
   * state, then for every page: a page without history is fresh (LastNs -1, Events
   * and Processors 0, Mitigation 0), so forgetting it changes nothing, and its
   * Events (0) are below any threshold (≥ 1).
   */
  recent: Float64Array;
  /**
   * each page's Mitigation fields, NO_RECORDS until a page of the block first has
   * an in-lapse event: only pages with Events > 0 have them read. (Most tracked
   * blocks of a random workload never need them, and typed arrays count as external
   * memory, whose growth makes V8 collect garbage.)
   */
  mitigation: Float64Array;
  thrashing: Set<number>;
  pinned: number;
}

export interface ThrashingStats {
  thrashingDetected: number;
  throttles: number;
  pins: number;
}

export class ThrashingTracker {
  private readonly blocks = new Map<number, BlockState>();
  /** the block block() returned last */
  private lastBlock: BlockState | null = null;
  /** pages pinned now (exactly the records whose PinnedAt is set), so that expiring pins does not walk every tracked page */
  private readonly pinned = new Set<number>();
  private readonly napNs: number;
  private readonly epochNs: number;
  private readonly maxResets: number;
  readonly stats: ThrashingStats = { thrashingDetected: 0, throttles: 0, pins: 0 };

  /** `page` numbers are global page numbers; `pagesPerBlock` groups them into 2 MiB blocks. */
  constructor(
    private readonly params: ThrashingParams,
    private readonly pagesPerBlock: number,
  ) {
    this.napNs = params.napNs ?? params.lapseNs;
    this.epochNs = params.epochNs ?? params.lapseNs * 2000;
    this.maxResets = params.maxResets ?? 4;
  }

  /**
   * A migration of `page` to `processor` caused by a fault, a prefetch or an access
   * counter (a move, outside read-mostly ranges), or a revocation of its permissions.
   */
  recordEvent(page: number, processor: Processor, nowNs: number, kind: 'migration' | 'revocation' = 'migration'): void {
    if (this.params.enabled) this.record(page, this.block(page), processor, nowNs, kind);
  }

  /** recordEvent for each page of [first, first + n) in order, all at `nowNs`. */
  recordRun(first: number, n: number, processor: Processor, nowNs: number): void {
    if (this.params.enabled) this.recordPages(first, n, processor, null, 0, nowNs);
  }

  /** recordEvent for each page first + i of [first, first + n) in order, at `times[at + i]`. */
  recordRunAt(first: number, n: number, processor: Processor, times: Float64Array, at: number): void {
    if (this.params.enabled) this.recordPages(first, n, processor, times, at, 0);
  }

  /**
   * The pages' events block by block; page first + i happens at `times[at + i]`, or
   * at `nowNs` without times. Fast path: in a block that does not track its pages,
   * the first page's event either starts tracking or leaves the block's last event
   * at (its time, processor); the same processor's next events then only move that
   * time on, so the block's last page's time is all they change. Only tracking
   * blocks need an event per page.
   */
  private recordPages(first: number, n: number, processor: Processor, times: Float64Array | null, at: number, nowNs: number): void {
    const end = first + n;
    const timeShift = at - first;
    for (let page = first; page < end; ) {
      const block = this.block(page);
      const blockEnd = Math.min(end, block.base + this.pagesPerBlock);
      this.record(page, block, processor, times ? times[page + timeShift] : nowNs, 'migration');
      if (block.tracking) {
        for (let q = page + 1; q < blockEnd; q++) this.record(q, block, processor, times ? times[q + timeShift] : nowNs, 'migration');
      } else if (times) block.lastNs = times[blockEnd - 1 + timeShift];
      page = blockEnd;
    }
  }

  private record(page: number, block: BlockState, processor: Processor, nowNs: number, kind: 'migration' | 'revocation'): void {
    if (!block.tracking) {
      const meets =
        block.lastNs !== NEVER && block.lastProcessor !== processor && nowNs - block.lastNs <= this.params.lapseNs;
      if (!meets) {
        block.lastNs = nowNs;
        block.lastProcessor = processor;
        return;
      }
      block.tracking = true;
    }
    this.makeRecent(block);
    const { recent } = block;
    const i = page - block.base;
    const r = Recent.Count * i;
    const last = recent[r + Recent.LastNs];
    if (last >= 0 && nowNs - last <= this.params.lapseNs) {
      // Events > 0 from here on: the page's Mitigation fields may be read
      const mitigation = this.mitigationOf(block);
      recent[r + Recent.LastNs] = nowNs;
      recent[r + Recent.Processors] |= bitOf(processor);
      const events = ++recent[r + Recent.Events];
      if (events === this.params.threshold) {
        block.thrashing.add(page);
        this.stats.thrashingDetected++;
      }
      if (events >= this.params.threshold) block.lastThrashingNs = nowNs;
      if (kind === 'revocation') mitigation[Mitigation.Count * i + Mitigation.Revocations] = 1;
    } else if (block.pinned === 0 || block.mitigation[Mitigation.Count * i + Mitigation.PinnedAt] === NO_PROCESSOR) {
      // Out of the lapse on a page not pinned: the page starts over with this event.
      // (The driver resets only pages already thrashing; the project's rule counts
      // consecutive in-lapse events.) A fresh page's first event lands here too, and
      // starting it over is recording the event on it. Fast path: block.pinned counts
      // the block's pinned pages, so with none the page's pin need not be read.
      this.forget(page, block, nowNs, bitOf(processor));
    } else {
      // a pinned page keeps its history
      recent[r + Recent.LastNs] = nowNs;
      recent[r + Recent.Processors] |= bitOf(processor);
    }
    block.lastNs = nowNs;
    block.lastProcessor = processor;
  }

  /** resetPage for each page of [first, first + n): only blocks with records have anything to forget. */
  resetRun(first: number, n: number): void {
    const end = first + n;
    for (let page = first; page < end; ) {
      const blockEnd = Math.min(end, (this.blockOf(page) + 1) * this.pagesPerBlock);
      const block = this.blocks.get(this.blockOf(page));
      if (block && block.recent !== NO_RECORDS) for (let q = page; q < blockEnd; q++) this.forget(q, block, -1, 0);
      page = blockEnd;
    }
  }

  /** A migration the heuristics do not count (explicit migrate/prefetch, read duplication): forget the page. */
  resetPage(page: number): void {
    const block = this.blocks.get(this.blockOf(page));
    if (block && block.recent !== NO_RECORDS) this.forget(page, block, -1, 0);
  }

  /** The driver's advice for a fault on `page` by `requester` at `nowNs`. */
  hint(page: number, requester: Processor, nowNs: number, ctx: HintContext): ThrashingHint {
    if (!this.params.enabled) return NONE;
    const block = this.blocks.get(this.blockOf(page));
    if (!block || !block.tracking) return NONE;
    if (this.epochOver(block, nowNs)) {
      this.resetBlock(block);
      return NONE;
    }
    const { recent, mitigation } = block;
    const i = page - block.base;
    const r = Recent.Count * i;
    const m = Mitigation.Count * i;
    if (recent === NO_RECORDS || recent[r + Recent.Events] < this.params.threshold) return NONE;
    this.expirePin(page, block, nowNs);

    const bit = bitOf(requester);
    const code = codeOf(requester);
    if (mitigation[m + Mitigation.Throttled] & bit) {
      const throttleEndNs = mitigation[m + Mitigation.ThrottleEndNs];
      if (nowNs < throttleEndNs && code !== mitigation[m + Mitigation.DoNotThrottle]) return { kind: 'throttle', untilNs: throttleEndNs };
      // A fault retried after its nap continues the episode: measure the next gap from
      // the nap's end. (The driver instead adapts its lapse to the gaps it observes.)
      recent[r + Recent.LastNs] = Math.max(recent[r + Recent.LastNs], Math.min(throttleEndNs, nowNs));
      mitigation[m + Mitigation.Throttled] &= ~bit;
      if (mitigation[m + Mitigation.Throttled] === 0) mitigation[m + Mitigation.ThrottleEndNs] = 0;
    }
    if (nowNs - recent[r + Recent.LastNs] > this.params.lapseNs && mitigation[m + Mitigation.PinnedAt] === NO_PROCESSOR) return NONE;

    recent[r + Recent.Processors] |= bit;
    this.updateThrottlePeriod(mitigation, m, code, nowNs);
    const hint =
      mitigation[m + Mitigation.PinnedAt] !== NO_PROCESSOR && mitigation[m + Mitigation.Revocations] && code !== mitigation[m + Mitigation.DoNotThrottle]
        ? THROTTLE
        : this.migrationHint(recent[r + Recent.Processors], mitigation, m, requester, ctx);

    if (hint.kind === 'pin') {
      this.pin(page, block, hint.at, nowNs);
      this.stats.pins++;
      return hint;
    }
    if (hint.kind === 'throttle') {
      if (!(mitigation[m + Mitigation.Throttled] & bit)) {
        mitigation[m + Mitigation.Throttled] |= bit;
        if (mitigation[m + Mitigation.PinnedAt] === NO_PROCESSOR) mitigation[m + Mitigation.Throttles]++;
      }
      this.stats.throttles++;
      return { kind: 'throttle', untilNs: mitigation[m + Mitigation.ThrottleEndNs] };
    }
    return NONE;
  }

  /** true when the block of `page` tracks its pages one by one (two processors met there within one lapse) */
  tracking(page: number): boolean {
    return this.blocks.get(this.blockOf(page))?.tracking ?? false;
  }

  isThrashing(page: number): boolean {
    return this.blocks.get(this.blockOf(page))?.thrashing.has(page) ?? false;
  }

  /** where the page is pinned at `nowNs`, or null */
  pinnedAt(page: number, nowNs: number): Processor | null {
    const block = this.blocks.get(this.blockOf(page));
    if (!block || block.mitigation === NO_RECORDS) return null;
    this.expirePin(page, block, nowNs);
    return processorOf(block.mitigation[Mitigation.Count * (page - block.base) + Mitigation.PinnedAt]);
  }

  /** thrashing pages of the 2 MiB block `block`, as block-relative indices (for the prefetcher) */
  thrashingInBlock(block: number): ReadonlySet<number> {
    // a page joins a block's thrashing set only where thrashingDetected counts it: none yet, no set to look up
    if (this.stats.thrashingDetected === 0) return NO_PAGES;
    const b = this.blocks.get(block);
    if (!b || b.thrashing.size === 0) return NO_PAGES;
    const base = block * this.pagesPerBlock;
    return new Set([...b.thrashing].map((p) => p - base));
  }

  /** Unpin every page whose pin expired by `nowNs`; returns them so their remote mappings can be dropped. */
  expirePins(nowNs: number): readonly number[] {
    // runs on every gpu statement: nothing pinned is the common case, so no array then
    if (this.pinned.size === 0) return NO_EXPIRED;
    const out: number[] = [];
    for (const page of this.pinned) if (this.expirePin(page, this.block(page), nowNs)) out.push(page);
    return out;
  }

  /** get_hint_for_migration_thrashing for a page whose Processors are `processors` and Mitigation fields are at `m` */
  private migrationHint(processors: number, mitigation: Float64Array, m: number, requester: Processor, ctx: HintContext): ThrashingHint {
    const { preferred, residency, topology } = ctx;
    const pinnedAt = processorOf(mitigation[m + Mitigation.PinnedAt]);
    const doNotThrottle = processorOf(mitigation[m + Mitigation.DoNotThrottle]);
    const pinAfterThrottles = mitigation[m + Mitigation.Throttles] >= this.params.pinAfter;
    const allCanAccess = (to: Processor) => everyIn(processors, (p) => topology.canAccess(p, to));
    const allFast = (to: Processor) => everyIn(processors, (p) => topology.fastAccess(p, to));
    if (preferred !== null && allCanAccess(preferred)) return { kind: 'pin', at: preferred };
    if (!(preferred !== null && processors & bitOf(preferred)) && allFast(residency)) {
      // the CPU can cache device memory, the GPU cannot cache system memory: pin on the GPU
      if (residency !== 'cpu') return { kind: 'pin', at: residency };
      return requester !== 'cpu' ? { kind: 'pin', at: requester } : NONE;
    }
    if (requester === preferred) {
      if (pinnedAt !== null) {
        return preferred === pinnedAt || preferred === doNotThrottle ? { kind: 'pin', at: preferred } : THROTTLE;
      }
      if (preferred !== doNotThrottle) return THROTTLE;
      return pinAfterThrottles ? { kind: 'pin', at: preferred } : NONE;
    }
    if (pinnedAt !== null) {
      if (requester === doNotThrottle) {
        if (allCanAccess(requester)) return { kind: 'pin', at: requester };
        // a location all of them reach; system memory is the one every processor maps
        return { kind: 'pin', at: allCanAccess('cpu') ? 'cpu' : requester };
      }
      return topology.canAccess(requester, pinnedAt) ? { kind: 'pin', at: pinnedAt } : THROTTLE;
    }
    if (requester !== doNotThrottle) return THROTTLE;
    return pinAfterThrottles ? { kind: 'pin', at: requester } : NONE;
  }

  /** thrashing_throttle_update: a new period starts after the last one ended; alternate the favoured processor (`requester` as codeOf) */
  private updateThrottlePeriod(mitigation: Float64Array, m: number, requester: number, nowNs: number): void {
    if (nowNs > mitigation[m + Mitigation.ThrottleEndNs]) {
      mitigation[m + Mitigation.ThrottleEndNs] = nowNs + this.napNs;
      mitigation[m + Mitigation.DoNotThrottle] = mitigation[m + Mitigation.DoNotThrottle] === requester ? NO_PROCESSOR : requester;
    } else if (mitigation[m + Mitigation.DoNotThrottle] === NO_PROCESSOR) {
      mitigation[m + Mitigation.DoNotThrottle] = requester;
    }
  }

  /** Pins `page` (a thrashing page: its block has records) at `at`. */
  private pin(page: number, block: BlockState, at: Processor, nowNs: number): void {
    const { mitigation } = block;
    const m = Mitigation.Count * (page - block.base);
    const pinnedAt = mitigation[m + Mitigation.PinnedAt];
    if (pinnedAt !== codeOf(at)) {
      mitigation[m + Mitigation.Throttled] = 0;
      mitigation[m + Mitigation.ThrottleEndNs] = 0;
    }
    if (pinnedAt === NO_PROCESSOR) {
      mitigation[m + Mitigation.Throttles] = 0;
      mitigation[m + Mitigation.UnpinAtNs] = this.params.unpinAfterNs > 0 ? nowNs + this.params.unpinAfterNs : Infinity;
      block.pinned++;
      this.pinned.add(page);
    }
    mitigation[m + Mitigation.PinnedAt] = codeOf(at);
  }

  /** Unpins `page` (its block has records) if its pin expired by `nowNs`; true if it did. */
  private expirePin(page: number, block: BlockState, nowNs: number): boolean {
    const { mitigation } = block;
    const m = Mitigation.Count * (page - block.base);
    if (mitigation[m + Mitigation.PinnedAt] === NO_PROCESSOR || nowNs < mitigation[m + Mitigation.UnpinAtNs]) return false;
    mitigation[m + Mitigation.PinnedAt] = NO_PROCESSOR;
    block.pinned--;
    this.pinned.delete(page);
    return true;
  }

  private epochOver(block: BlockState, nowNs: number): boolean {
    return (
      block.lastThrashingNs !== null &&
      nowNs - block.lastThrashingNs > this.epochNs &&
      block.pinned === 0 &&
      block.resets < this.maxResets
    );
  }

  /** Drops the block's history; only when none of its pages is pinned (epochOver), so `pinned` holds none of them. */
  private resetBlock(block: BlockState): void {
    block.recent = NO_RECORDS;
    block.mitigation = NO_RECORDS;
    block.thrashing.clear();
    block.tracking = false;
    block.lastNs = NEVER;
    block.lastProcessor = null;
    block.lastThrashingNs = null;
    block.resets++;
  }

  /**
   * thrashing_reset_page on a page of a block with records; `lastNs` and `processors`
   * are the event that restarts the history (-1 and 0: none).
   */
  private forget(page: number, block: BlockState, lastNs: number, processors: number): void {
    const { recent, mitigation } = block;
    const i = page - block.base;
    const r = Recent.Count * i;
    const m = Mitigation.Count * i;
    // Fast path: with Events 0 the Mitigation fields are all 0 already (see Mitigation)
    // and the page is not thrashing (it joins `thrashing` when its Events reach the
    // threshold), so there is no pin to drop and nothing else to reset.
    if (recent[r + Recent.Events] !== 0) {
      if (mitigation[m + Mitigation.PinnedAt] !== NO_PROCESSOR) {
        block.pinned--;
        this.pinned.delete(page);
      }
      mitigation.fill(0, m, m + Mitigation.Count);
      recent[r + Recent.Events] = 0;
      block.thrashing.delete(page);
    }
    recent[r + Recent.LastNs] = lastNs;
    recent[r + Recent.Processors] = processors;
  }

  private blockOf(page: number): number {
    return Math.floor(page / this.pagesPerBlock);
  }

  private block(page: number): BlockState {
    // runs of pages ask for the same block again and again; blocks are never replaced
    const last = this.lastBlock;
    if (last !== null && page >= last.base && page < last.base + this.pagesPerBlock) return last;
    const id = this.blockOf(page);
    let b = this.blocks.get(id);
    if (!b) {
      b = { lastNs: NEVER, lastProcessor: null, tracking: false, lastThrashingNs: null, resets: 0, base: id * this.pagesPerBlock, recent: NO_RECORDS, mitigation: NO_RECORDS, thrashing: new Set(), pinned: 0 };
      this.blocks.set(id, b);
    }
    this.lastBlock = b;
    return b;
  }

  /** Makes the block's Recent fields, every page fresh, when a page of the block first needs state. */
  private makeRecent(block: BlockState): void {
    if (block.recent !== NO_RECORDS) return;
    block.recent = new Float64Array(Recent.Count * this.pagesPerBlock);
    for (let r = 0; r < block.recent.length; r += Recent.Count) block.recent[r + Recent.LastNs] = -1;
  }

  /** The block's Mitigation fields, made (all 0: fresh) for its first in-lapse event. */
  private mitigationOf(block: BlockState): Float64Array {
    if (block.mitigation === NO_RECORDS) block.mitigation = new Float64Array(Mitigation.Count * this.pagesPerBlock);
    return block.mitigation;
  }
}

const NONE: ThrashingHint = { kind: 'none' };
const NEVER = -Infinity;
const NO_PAGES: ReadonlySet<number> = new Set();
/** a block's `recent` and `mitigation` before any page of it needs state */
const NO_RECORDS = new Float64Array(0);
const NO_EXPIRED: readonly number[] = [];
const THROTTLE = { kind: 'throttle', untilNs: 0 } as const;
