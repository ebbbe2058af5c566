// Thrashing detection and mitigation of the UVM driver (uvm_perf_thrashing.c:
// thrashing_event_cb, uvm_perf_thrashing_get_hint, get_hint_for_migration_thrashing).
// A page that keeps migrating between processors within one "lapse" is thrashing;
// faults on it are first throttled (not serviced for a nap), and after `pinAfter`
// throttles the page is pinned in one place and the others map it remotely.
// State is kept per 2 MiB block in a Map, and per page in the block's array, made
// only when a page of the block first needs state (two processors met within one
// lapse), so untouched memory and blocks that only ever see one processor cost
// nothing per page. A page's sets of processors are bit masks: a run can track millions of
// pages, and a Set per page would make the collector's work grow with every page.

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

interface PageState {
  lastNs: number;
  events: number;
  /** processors that touched the page in this episode (bitOf) */
  processors: number;
  /** processors whose faults are being throttled (bitOf) */
  throttled: number;
  throttleEndNs: number;
  throttles: number;
  doNotThrottle: Processor | null;
  pinnedAt: Processor | null;
  unpinAtNs: number;
  revocations: boolean;
}

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
  /** per-page state by page - base, once the page is tracked (an array per block: one Map over every tracked page would grow without bound); null until a page needs one */
  states: (PageState | undefined)[] | null;
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
  /** pages pinned now, so that expiring pins does not walk every tracked page */
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
    const state = this.pageState(page, block);
    const last = state.lastNs;
    state.processors |= bitOf(processor);
    state.lastNs = nowNs;
    if (last >= 0) {
      if (nowNs - last <= this.params.lapseNs) {
        state.events++;
        if (state.events === this.params.threshold) {
          block.thrashing.add(page);
          this.stats.thrashingDetected++;
        }
        if (state.events >= this.params.threshold) block.lastThrashingNs = nowNs;
        if (kind === 'revocation') state.revocations = true;
      } else if (state.pinnedAt === null) {
        // Out of the lapse: the page starts over. (The driver resets only pages already
        // thrashing; the project's rule counts consecutive in-lapse events.)
        this.forget(page, block, nowNs);
        state.processors |= bitOf(processor);
      }
    }
    block.lastNs = nowNs;
    block.lastProcessor = processor;
  }

  /** resetPage for each page of [first, first + n): only pages a block tracks have anything to forget. */
  resetRun(first: number, n: number): void {
    const end = first + n;
    for (let page = first; page < end; ) {
      const blockEnd = Math.min(end, (this.blockOf(page) + 1) * this.pagesPerBlock);
      const block = this.blocks.get(this.blockOf(page));
      const states = block?.states;
      if (block && states) for (let q = page; q < blockEnd; q++) if (states[q - block.base]) this.forget(q, block, -1);
      page = blockEnd;
    }
  }

  /** A migration the heuristics do not count (explicit migrate/prefetch, read duplication): forget the page. */
  resetPage(page: number): void {
    const block = this.blocks.get(this.blockOf(page));
    if (block && block.states?.[page - block.base]) this.forget(page, block, -1);
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
    const s = block.states?.[page - block.base];
    if (!s || s.events < this.params.threshold) return NONE;
    this.expirePin(page, s, block, nowNs);

    const bit = bitOf(requester);
    if (s.throttled & bit) {
      if (nowNs < s.throttleEndNs && requester !== s.doNotThrottle) return { kind: 'throttle', untilNs: s.throttleEndNs };
      // A fault retried after its nap continues the episode: measure the next gap from
      // the nap's end. (The driver instead adapts its lapse to the gaps it observes.)
      s.lastNs = Math.max(s.lastNs, Math.min(s.throttleEndNs, nowNs));
      s.throttled &= ~bit;
      if (s.throttled === 0) s.throttleEndNs = 0;
    }
    if (nowNs - s.lastNs > this.params.lapseNs && s.pinnedAt === null) return NONE;

    s.processors |= bit;
    this.updateThrottlePeriod(s, requester, nowNs);
    const hint =
      s.pinnedAt !== null && s.revocations && requester !== s.doNotThrottle
        ? THROTTLE
        : this.migrationHint(s, requester, ctx);

    if (hint.kind === 'pin') {
      this.pin(page, s, block, hint.at, nowNs);
      this.stats.pins++;
      return hint;
    }
    if (hint.kind === 'throttle') {
      if (!(s.throttled & bit)) {
        s.throttled |= bit;
        if (s.pinnedAt === null) s.throttles++;
      }
      this.stats.throttles++;
      return { kind: 'throttle', untilNs: s.throttleEndNs };
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
    const s = this.stateOf(page);
    if (!s) return null;
    this.expirePin(page, s, this.block(page), nowNs);
    return s.pinnedAt;
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
    for (const page of this.pinned) {
      const s = this.stateOf(page);
      if (s && this.expirePin(page, s, this.block(page), nowNs)) out.push(page);
    }
    return out;
  }

  private migrationHint(s: PageState, requester: Processor, ctx: HintContext): ThrashingHint {
    const { preferred, residency, topology } = ctx;
    const allCanAccess = (to: Processor) => everyIn(s.processors, (p) => topology.canAccess(p, to));
    const allFast = (to: Processor) => everyIn(s.processors, (p) => topology.fastAccess(p, to));
    if (preferred !== null && allCanAccess(preferred)) return { kind: 'pin', at: preferred };
    if (!(preferred !== null && s.processors & bitOf(preferred)) && allFast(residency)) {
      // the CPU can cache device memory, the GPU cannot cache system memory: pin on the GPU
      if (residency !== 'cpu') return { kind: 'pin', at: residency };
      return requester !== 'cpu' ? { kind: 'pin', at: requester } : NONE;
    }
    if (requester === preferred) {
      if (s.pinnedAt !== null) {
        return preferred === s.pinnedAt || preferred === s.doNotThrottle ? { kind: 'pin', at: preferred } : THROTTLE;
      }
      if (preferred !== s.doNotThrottle) return THROTTLE;
      return s.throttles >= this.params.pinAfter ? { kind: 'pin', at: preferred } : NONE;
    }
    if (s.pinnedAt !== null) {
      if (requester === s.doNotThrottle) {
        if (allCanAccess(requester)) return { kind: 'pin', at: requester };
        // a location all of them reach; system memory is the one every processor maps
        return { kind: 'pin', at: allCanAccess('cpu') ? 'cpu' : requester };
      }
      return topology.canAccess(requester, s.pinnedAt) ? { kind: 'pin', at: s.pinnedAt } : THROTTLE;
    }
    if (requester !== s.doNotThrottle) return THROTTLE;
    return s.throttles >= this.params.pinAfter ? { kind: 'pin', at: requester } : NONE;
  }

  /** thrashing_throttle_update: a new period starts after the last one ended; alternate the favoured processor */
  private updateThrottlePeriod(s: PageState, requester: Processor, nowNs: number): void {
    if (nowNs > s.throttleEndNs) {
      s.throttleEndNs = nowNs + this.napNs;
      s.doNotThrottle = s.doNotThrottle === requester ? null : requester;
    } else if (s.doNotThrottle === null) {
      s.doNotThrottle = requester;
    }
  }

  private pin(page: number, s: PageState, block: BlockState, at: Processor, nowNs: number): void {
    if (s.pinnedAt === null || s.pinnedAt !== at) {
      s.throttled = 0;
      s.throttleEndNs = 0;
    }
    if (s.pinnedAt === null) {
      s.throttles = 0;
      s.unpinAtNs = this.params.unpinAfterNs > 0 ? nowNs + this.params.unpinAfterNs : Infinity;
      block.pinned++;
      this.pinned.add(page);
    }
    s.pinnedAt = at;
  }

  private expirePin(page: number, s: PageState, block: BlockState, nowNs: number): boolean {
    if (s.pinnedAt === null || nowNs < s.unpinAtNs) return false;
    s.pinnedAt = null;
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

  private resetBlock(block: BlockState): void {
    block.states?.forEach((_, i) => this.pinned.delete(block.base + i));
    block.states = null;
    block.thrashing.clear();
    block.tracking = false;
    block.lastNs = NEVER;
    block.lastProcessor = null;
    block.lastThrashingNs = null;
    block.resets++;
  }

  /** thrashing_reset_page; `lastNs` is the event that restarts the history (-1 = none) */
  private forget(page: number, block: BlockState, lastNs: number): void {
    const s = this.pageState(page, block);
    if (s.pinnedAt !== null) block.pinned--;
    this.pinned.delete(page);
    resetPageState(s, lastNs);
    block.thrashing.delete(page);
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
      b = { lastNs: NEVER, lastProcessor: null, tracking: false, lastThrashingNs: null, resets: 0, base: id * this.pagesPerBlock, states: null, thrashing: new Set(), pinned: 0 };
      this.blocks.set(id, b);
    }
    this.lastBlock = b;
    return b;
  }

  private pageState(page: number, block: BlockState): PageState {
    block.states ??= new Array<PageState | undefined>(this.pagesPerBlock);
    let s = block.states[page - block.base];
    if (!s) {
      s = freshPage();
      block.states[page - block.base] = s;
    }
    return s;
  }

  private stateOf(page: number): PageState | undefined {
    const block = this.blocks.get(this.blockOf(page));
    return block?.states?.[page - block.base];
  }
}

const NONE: ThrashingHint = { kind: 'none' };
const NEVER = -Infinity;
const NO_PAGES: ReadonlySet<number> = new Set();
const NO_EXPIRED: readonly number[] = [];
const THROTTLE = { kind: 'throttle', untilNs: 0 } as const;

function freshPage(): PageState {
  return {
    lastNs: -1,
    events: 0,
    processors: 0,
    throttled: 0,
    throttleEndNs: 0,
    throttles: 0,
    doNotThrottle: null,
    pinnedAt: null,
    unpinAtNs: Infinity,
    revocations: false,
  };
}

/** A page's state as freshPage makes it, with `lastNs`, reset in place (pages are forgotten often). */
function resetPageState(s: PageState, lastNs: number): void {
  s.lastNs = lastNs;
  s.events = 0;
  s.processors = 0;
  s.throttled = 0;
  s.throttleEndNs = 0;
  s.throttles = 0;
  s.doNotThrottle = null;
  s.pinnedAt = null;
  s.unpinAtNs = Infinity;
  s.revocations = false;
}
