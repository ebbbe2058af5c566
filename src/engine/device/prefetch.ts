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
 * A PrefetchInput whose residency is given as the block's node bytes: the fault
 * service has them already, and comparing them with the destination while counting
 * saves a pass that would write the resident bytes first.
 */
export interface NodesPrefetchInput extends Omit<PrefetchInput, 'residentAtDestination'> {
  /** node byte of block page p = byte p of `words` (four pages per word); a page is resident at the destination where its byte is `node` */
  nodesAtDestination: { words: Uint32Array; node: number };
}

/**
 * Block-relative page indices to prefetch, ascending: never a faulted page, a
 * thrashing page, or a page already resident at the destination.
 */
export function computePrefetch(input: PrefetchInput): number[] {
  const out: number[] = [];
  prefetchInto(input, 0, out);
  return out;
}

/**
 * computePrefetch's picks plus `offset`, written to out[0, n) of a list the
 * caller reuses (so that a fault service allocates no list of picks); returns n.
 */
export function prefetchInto(input: PrefetchInput | NodesPrefetchInput, offset: number, out: number[]): number {
  const { pages, faulted, threshold } = input;
  const bigPages = Math.max(1, Math.floor((input.bigPageBytes ?? 64 * 1024) / input.pageSize));
  // Ghost leaves in front of a block that starts mid big page keep the tree's
  // leaves aligned to big pages, as the driver does (prefetch_info->region.first).
  const shift = (input.firstPageInFrame ?? 0) % bigPages;
  const leafCount = shift + pages;
  const tree = leafTree(leafCount);
  const { marks, take } = tree;
  for (const p of faulted) marks[p] |= FAULTED;
  const thrashing = input.thrashing;
  if (thrashing !== undefined && thrashing.size > 0) for (const p of thrashing) if (p >= 0 && p < pages) marks[p] |= THRASHING;

  const ascending = isAscending(faulted) ? faulted : [...faulted].sort((a, b) => a - b);
  growToBigPages(marks, shift, pages, bigPages, ascending);
  if ('nodesAtDestination' in input) tree.countNodes(input.nodesAtDestination.words, input.nodesAtDestination.node, shift, pages);
  else tree.count(input.residentAtDestination, shift, pages);

  // walk from faulted pages that are not thrashing, in order; only [lo, hi) can be taken
  let lo = pages;
  let hi = 0;
  let previous = -1;
  for (const page of ascending) {
    if (page === previous || page < 0 || page >= pages || (marks[page] & (FAULTED | THRASHING)) !== FAULTED) continue;
    previous = page;
    // compute_prefetch_region: walk from the leaf to the root, keep the highest qualifying subtree
    const leaf = shift + page;
    let first = leaf;
    let outer = leaf; // empty: nothing qualifies
    for (let span = 1; ; span *= 2) {
      // span is a power of two: clearing the low bits is Math.floor(leaf / span) * span
      const start = leaf & -span;
      const stop = Math.min(start + span, leafCount);
      if ((tree.before(stop) - tree.before(start)) * 100 > (stop - start) * threshold) {
        first = start;
        outer = stop;
      }
      if (span >= leafCount) break;
    }
    const from = Math.max(first, shift) - shift;
    const to = Math.max(from, Math.min(outer, leafCount) - shift);
    take.fill(1, from, to);
    if (from < to) {
      lo = Math.min(lo, from);
      hi = Math.max(hi, to);
    }
    if (to === pages) break; // already reaches the end of the block
  }

  return tree.picks(lo, hi, offset, out);
}

/** Bits of LeafTree.marks, per block page. */
const FAULTED = 1;
const THRASHING = 2;
/** inside a big page that holds a fault (grow_fault_granularity) */
const GROWN = 4;
/** GROWN | FAULTED in each byte of a word: the marks that populate a leaf */
const POPULATING_WORD = 0x05050505;
/** FAULTED | THRASHING in each byte of a word: the marks that keep a page from being picked */
const UNPICKABLE_WORD = 0x03030303;
/** 1 in each byte of a word: four pages taken (take words), or four resident (resident words) */
const TAKEN_WORD = 0x01010101;

/** Bit 0 of each byte of the result: whether that byte of `x` is non-zero. */
function nonZeroBytes(x: number): number {
  x |= x >>> 4;
  x |= x >>> 2;
  x |= x >>> 1;
  return x & TAKEN_WORD;
}

/**
 * 1 in each byte of the result where that byte of `x` is zero, else 0: in
 * y = x & 0x7f7f7f7f, y + 0x7f7f7f7f sets a byte's top bit exactly where its low 7
 * bits are not all zero (a byte's low 7 bits plus 0x7f never carry into the next
 * byte); or-ing x adds the top bits, so the inverted top bits are the zero bytes.
 */
export function zeroBytes(x: number): number {
  return ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x | 0x7f7f7f7f) >>> 7;
}

/** Populated leaves among the 4 pages of a marks word and a resident word (resident bytes any non-zero value). */
function populatedIn(markWord: number, residentWord: number): number {
  return Math.imul(nonZeroBytes((markWord & POPULATING_WORD) | residentWord), 0x01010101) >>> 24;
}

function isAscending(list: readonly number[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i] < list[i - 1]) return false;
  return true;
}

/**
 * The work arrays of one computePrefetch, reused from call to call (it runs for
 * every serviced block and is not reentrant). A leaf is populated when its page
 * is grown, faulted or resident at the destination; ghost leaves never are.
 * Populated leaves are counted per group of 4 leaves, so a subtree's count costs
 * two lookups and a few leaves at its ends: the walk asks only for subtrees, and
 * one pass over the block is what the count costs.
 */
class LeafTree {
  /** per block page: FAULTED | THRASHING | GROWN */
  readonly marks: Uint8Array;
  readonly take: Uint8Array;
  private readonly takeWords: Uint32Array;
  private readonly markWords: Uint32Array;
  /** groups[g]: populated leaves in [0, 4g) */
  private readonly groups: Uint32Array;
  private resident: ArrayLike<number | boolean> = [];
  private shift = 0;
  /** residentWords holds the resident bytes (count took its fast path) */
  private residentInWords = false;
  private readonly residentWords: Uint32Array;
  private readonly residentBytes: Uint8Array;

  constructor(readonly size: number) {
    // whole words, so that the marks can be read 4 at a time
    const words = Math.ceil(size / 4);
    this.markWords = new Uint32Array(words);
    this.marks = new Uint8Array(this.markWords.buffer);
    this.takeWords = new Uint32Array(words);
    this.take = new Uint8Array(this.takeWords.buffer);
    this.groups = new Uint32Array(words + 1);
    this.residentWords = new Uint32Array(words);
    this.residentBytes = new Uint8Array(this.residentWords.buffer);
  }

  /** Clears the marks and picks for a tree of `leaves` leaves. */
  reset(leaves: number): void {
    this.marks.fill(0, 0, leaves);
    this.take.fill(0, 0, leaves);
  }

  /** Counts the populated leaves per group, once the marks are final. */
  count(resident: ArrayLike<number | boolean>, shift: number, pages: number): void {
    this.resident = resident;
    this.shift = shift;
    const { groups } = this;
    const fullGroups = (shift + pages) >> 2;
    // a resident array shorter than the block reads as not resident past its end: the per-leaf path keeps that
    const words = shift % 4 === 0 && resident.length >= pages ? this.wordsOf(resident, pages) : null;
    this.residentInWords = words !== null;
    if (words !== null) {
      // Fast path: with groups aligned to 4 pages, a group is one word of marks and
      // one of resident bytes, and its count is the number of non-zero bytes of their
      // OR: the same leaves the per-leaf test below counts as populated.
      const ghost = shift >> 2;
      groups.fill(0, 0, ghost + 1);
      const marks = this.markWords;
      for (let g = ghost, w = 0, sum = 0; g < fullGroups; g++, w++) {
        sum += populatedIn(marks[w], words[w]);
        groups[g + 1] = sum;
      }
      return;
    }
    this.countLeaves(fullGroups);
  }

  /**
   * count, for residency given as node bytes four per word: a page is resident
   * where its byte is `node`. Each resident word is zeroBytes(node word ^ node in
   * every byte), the byte-by-byte comparison four pages at a time; they are kept
   * in residentWords, which picks and populated then read as count's copy.
   */
  countNodes(nodeWords: Uint32Array, node: number, shift: number, pages: number): void {
    this.resident = this.residentBytes;
    this.shift = shift;
    this.residentInWords = true;
    const spread = Math.imul(node, 0x01010101);
    const resident = this.residentWords;
    const words = (pages + 3) >> 2;
    const fullGroups = (shift + pages) >> 2;
    if (shift % 4 !== 0) {
      for (let w = 0; w < words; w++) resident[w] = zeroBytes(nodeWords[w] ^ spread);
      this.countLeaves(fullGroups);
      return;
    }
    // Fast path: count's word loop, each resident word made on the way from its node word
    const { groups } = this;
    const ghost = shift >> 2;
    groups.fill(0, 0, ghost + 1);
    const marks = this.markWords;
    let w = 0;
    for (let g = ghost, sum = 0; g < fullGroups; g++, w++) {
      const y = nodeWords[w] ^ spread;
      if (y === 0) {
        // Fast path: four pages on `node`: zeroBytes(0) is TAKEN_WORD, and four
        // resident leaves are four populated ones whatever their marks
        resident[w] = TAKEN_WORD;
        sum += 4;
      } else {
        const residentWord = zeroBytes(y);
        resident[w] = residentWord;
        // four unmarked pages off `node` (a block the device has little of) populate none
        if ((marks[w] | residentWord) !== 0) sum += populatedIn(marks[w], residentWord);
      }
      groups[g + 1] = sum;
    }
    // the block's last, partial word: picked from, never counted as a group
    if (w < words) resident[w] = zeroBytes(nodeWords[w] ^ spread);
  }

  /** The group counts leaf by leaf, from the marks and this.resident. */
  private countLeaves(fullGroups: number): void {
    const { groups } = this;
    groups[0] = 0;
    for (let g = 0, sum = 0; g < fullGroups; g++) {
      for (let leaf = 4 * g; leaf < 4 * g + 4; leaf++) sum += this.populated(leaf);
      groups[g + 1] = sum;
    }
  }

  /**
   * The pages of [lo, hi) taken and neither faulted, thrashing nor resident,
   * ascending, plus `offset`, written to out[0, n); returns n. Fast path: when
   * count read the resident bytes as words, four pages at a time, from their take,
   * marks and resident words (pickWord). A word of four resident pages (each byte
   * non-zero) picks none, so it is passed over with one test: in a block the
   * device holds nearly all of, as when the CPU took a few pages back, most are.
   */
  picks(lo: number, hi: number, offset: number, out: number[]): number {
    if (!this.residentInWords) return this.pickEach(lo, hi, offset, out, 0);
    const head = Math.min(hi, (lo + 3) & ~3);
    const tail = Math.max(head, hi & ~3);
    let n = this.pickEach(lo, head, offset, out, 0);
    const { residentWords } = this;
    for (let w = head >> 2, end = tail >> 2; w < end; w++) if (residentWords[w] !== TAKEN_WORD) n = this.pickWord(w, offset, out, n);
    return this.pickEach(tail, hi, offset, out, n);
  }

  /**
   * The picks of the four pages of word w, plus `offset`, onto out from out[n];
   * returns the new n. Bit 0 of each byte of `pickable` is the per-page test of
   * that byte's page (take bytes are 0 or 1).
   */
  private pickWord(w: number, offset: number, out: number[], n: number): number {
    const pickable = this.takeWords[w] & ~(nonZeroBytes(this.markWords[w] & UNPICKABLE_WORD) | nonZeroBytes(this.residentWords[w]));
    const q = 4 * w + offset;
    if (pickable === TAKEN_WORD) {
      out[n] = q;
      out[n + 1] = q + 1;
      out[n + 2] = q + 2;
      out[n + 3] = q + 3;
      return n + 4;
    }
    if (pickable !== 0) for (let j = 0; j < 4; j++) if ((pickable >>> (8 * j)) & 1) out[n++] = q + j;
    return n;
  }

  /** picks for [from, to), page by page, plus `offset`, onto out from out[n]; returns the new n. */
  private pickEach(from: number, to: number, offset: number, out: number[], n: number): number {
    const { take, marks, resident } = this;
    for (let p = from; p < to; p++) if (take[p] && (marks[p] & (FAULTED | THRASHING)) === 0 && !resident[p]) out[n++] = p + offset;
    return n;
  }

  /** Populated leaves in [0, leaf). */
  before(leaf: number): number {
    let n = this.groups[leaf >> 2];
    for (let i = leaf & ~3; i < leaf; i++) n += this.populated(i);
    return n;
  }

  private populated(leaf: number): number {
    const p = leaf - this.shift;
    return p >= 0 && (this.marks[p] & (GROWN | FAULTED) || this.resident[p]) ? 1 : 0;
  }

  /** The resident bytes of the block's pages as words (a copy: the caller's bytes need not sit on a word boundary), or null when they are not bytes. */
  private wordsOf(resident: ArrayLike<number | boolean>, pages: number): Uint32Array | null {
    if (!(resident instanceof Uint8Array)) return null;
    this.residentBytes.set(resident.length === pages ? resident : resident.subarray(0, pages));
    return this.residentWords;
  }
}

let trees: LeafTree | null = null;

function leafTree(leaves: number): LeafTree {
  if (!trees || trees.size < leaves) trees = new LeafTree(leaves);
  trees.reset(leaves);
  return trees;
}

/** grow_fault_granularity: mark GROWN every page of each big page (and the partial prefix/suffix) holding a fault (`faulted` ascending) and no thrashing page. */
function growToBigPages(marks: Uint8Array, shift: number, pages: number, bigPages: number, faulted: readonly number[]): void {
  let last = -1;
  for (const p of faulted) {
    const region = Math.floor((shift + p) / bigPages);
    if (region === last) continue;
    last = region;
    const from = Math.max(region * bigPages, shift) - shift;
    const to = Math.min((region + 1) * bigPages, shift + pages) - shift;
    let clean = true;
    for (let q = from; q < to && clean; q++) clean = (marks[q] & THRASHING) === 0;
    if (clean) for (let q = from; q < to; q++) marks[q] |= GROWN;
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
