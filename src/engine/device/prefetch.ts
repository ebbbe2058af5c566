// The UVM density prefetcher (uvm_perf_prefetch.c, uvm_perf_prefetch_prenotify_fault_migrations):
// inside one 2 MiB VA block, faults first grow to whole big pages, then for each
// faulted page the highest subtree of a binary tree over the block's pages that is
// more than `threshold` percent populated (resident at the destination or faulted)
// is prefetched.

export const VA_BLOCK_BYTES = 2 * 1024 * 1024;

export interface PrefetchInput {
  /** pages in this VA block (fewer than 2 MiB / pageSize at the edge of a range) */
  pages: number;
  pageSize: number;
  /** index of the block's first page within its 2 MiB frame (non-zero for a range starting mid-frame) */
  firstPageInFrame?: number;
  /** 1 for each block page already resident at the destination */
  residentAtDestination: ArrayLike<number | boolean>;
  /** block-relative indices of the pages faulted in this batch */
  faulted: readonly number[];
  /** block-relative indices of thrashing pages: never grown, walked from or prefetched */
  thrashing?: ReadonlySet<number>;
  /** percent; a subtree qualifies when count * 100 > pages * threshold */
  threshold: number;
  /** big page faults grow to (UVM_BIG_PAGE_SIZE, 64 KiB) */
  bigPageBytes?: number;
}

/**
 * Block-relative page indices to prefetch, ascending: never a faulted page, a
 * thrashing page, or a page already resident at the destination.
 */
export function computePrefetch(input: PrefetchInput): number[] {
  const { pages, faulted, threshold } = input;
  const bigPages = Math.max(1, Math.floor((input.bigPageBytes ?? 64 * 1024) / input.pageSize));
  // Ghost leaves in front of a block that starts mid big page keep the tree's
  // leaves aligned to big pages, as the driver does (prefetch_info->region.first).
  const shift = (input.firstPageInFrame ?? 0) % bigPages;
  const leafCount = shift + pages;
  // per block page: 1 faulted, 2 thrashing (typed scratch: this runs for every serviced block)
  const { marks, leaves, prefix, take } = scratch(leafCount);
  for (const p of faulted) marks[p] |= FAULTED;
  for (const p of input.thrashing ?? []) if (p >= 0 && p < pages) marks[p] |= THRASHING;

  const ascending = [...faulted].sort((a, b) => a - b);
  growToBigPages(leaves, shift, pages, bigPages, ascending, marks);
  // a leaf is populated when grown, resident or faulted; one pass sets it and sums the prefix
  const resident = input.residentAtDestination;
  for (let i = 0; i < shift; i++) prefix[i + 1] = prefix[i] + leaves[i];
  for (let p = 0, i = shift; p < pages; p++, i++) {
    if (resident[p] || marks[p] & FAULTED) leaves[i] = 1;
    prefix[i + 1] = prefix[i] + leaves[i];
  }

  // walk from faulted pages that are not thrashing, in order; only [lo, hi) can be taken
  let lo = pages;
  let hi = 0;
  let previous = -1;
  for (const page of ascending) {
    if (page === previous || page < 0 || page >= pages || marks[page] !== FAULTED) continue;
    previous = page;
    const [first, outer] = highestDenseSubtree(shift + page, leafCount, prefix, threshold);
    const from = Math.max(first, shift) - shift;
    const to = Math.max(from, Math.min(outer, leafCount) - shift);
    take.fill(1, from, to);
    if (from < to) {
      lo = Math.min(lo, from);
      hi = Math.max(hi, to);
    }
    if (to === pages) break; // already reaches the end of the block
  }

  const out: number[] = [];
  for (let p = lo; p < hi; p++) if (take[p] && marks[p] === 0 && !resident[p]) out.push(p);
  return out;
}

const FAULTED = 1;
const THRASHING = 2;

interface Scratch {
  marks: Uint8Array;
  leaves: Uint8Array;
  prefix: Uint32Array;
  take: Uint8Array;
}
let buffers: Scratch | null = null;

/** Zeroed work arrays for a tree of `leaves` leaves, reused from call to call (the function is not reentrant). */
function scratch(leaves: number): Scratch {
  if (!buffers || buffers.leaves.length < leaves) {
    buffers = { marks: new Uint8Array(leaves), leaves: new Uint8Array(leaves), prefix: new Uint32Array(leaves + 1), take: new Uint8Array(leaves) };
  }
  buffers.marks.fill(0, 0, leaves);
  buffers.leaves.fill(0, 0, leaves);
  buffers.take.fill(0, 0, leaves);
  return buffers;
}

/** grow_fault_granularity: fill every big page (and the partial prefix/suffix) holding a fault (`faulted` ascending) and no thrashing page. */
function growToBigPages(leaves: Uint8Array, shift: number, pages: number, bigPages: number, faulted: readonly number[], marks: Uint8Array): void {
  let last = -1;
  for (const p of faulted) {
    const region = Math.floor((shift + p) / bigPages);
    if (region === last) continue;
    last = region;
    const from = Math.max(region * bigPages, shift);
    const to = Math.min((region + 1) * bigPages, shift + pages);
    let clean = true;
    for (let leaf = from; leaf < to && clean; leaf++) clean = (marks[leaf - shift] & THRASHING) === 0;
    if (clean) leaves.fill(1, from, to);
  }
}

/** compute_prefetch_region: walk from a leaf to the root, keep the highest qualifying subtree. */
function highestDenseSubtree(leaf: number, leafCount: number, prefix: Uint32Array, threshold: number): [number, number] {
  let best: [number, number] = [leaf, leaf]; // empty: nothing qualifies
  for (let span = 1; ; span *= 2) {
    const first = Math.floor(leaf / span) * span;
    const outer = Math.min(first + span, leafCount);
    const count = prefix[outer] - prefix[first];
    if (count * 100 > (outer - first) * threshold) best = [first, outer];
    if (span >= leafCount) return best;
  }
}

/**
 * The policy gate around the prefetcher: the driver never prefetches away from a
 * preferred location, and on a block's first touch toward the preferred location
 * it populates the whole block.
 */
export function prefetchMode(opts: {
  preferredIsSet: boolean;
  destinationIsPreferred: boolean;
  blockUntouched: boolean;
}): 'whole-block' | 'density' | 'none' {
  if (opts.blockUntouched && opts.destinationIsPreferred) return 'whole-block';
  if (opts.preferredIsSet && !opts.destinationIsPreferred) return 'none';
  return 'density';
}
