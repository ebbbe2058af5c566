// Decoding of the NUMA-specific argument shapes strace prints (strace src/numa.c):
// policy modes with mode flags, mbind/move_pages/get_mempolicy flags and node masks.
// Values are those of include/uapi/linux/mempolicy.h.

import { MPOL, MPOL_F, MPOL_MF } from '../../syntax/ast';
import { parseArrayArg, parseFlags, parseInteger } from './args';

export const MODE_NAMES: Readonly<Record<string, number>> = {
  MPOL_DEFAULT: MPOL.DEFAULT,
  MPOL_PREFERRED: MPOL.PREFERRED,
  MPOL_BIND: MPOL.BIND,
  MPOL_INTERLEAVE: MPOL.INTERLEAVE,
  MPOL_LOCAL: MPOL.LOCAL,
  MPOL_PREFERRED_MANY: MPOL.PREFERRED_MANY,
  MPOL_WEIGHTED_INTERLEAVE: MPOL.WEIGHTED_INTERLEAVE,
  MPOL_F_STATIC_NODES: MPOL.F_STATIC_NODES,
  MPOL_F_RELATIVE_NODES: MPOL.F_RELATIVE_NODES,
  MPOL_F_NUMA_BALANCING: MPOL.F_NUMA_BALANCING,
};

/** mbind and move_pages flags; MPOL_MF_LAZY is printed by newer strace though the kernel rejects it. */
export const MF_NAMES: Readonly<Record<string, number>> = {
  MPOL_MF_STRICT: MPOL_MF.STRICT,
  MPOL_MF_MOVE: MPOL_MF.MOVE,
  MPOL_MF_MOVE_ALL: MPOL_MF.MOVE_ALL,
  MPOL_MF_LAZY: 8,
};

export const GET_FLAG_NAMES: Readonly<Record<string, number>> = {
  MPOL_F_NODE: MPOL_F.NODE,
  MPOL_F_ADDR: MPOL_F.ADDR,
  MPOL_F_MEMS_ALLOWED: MPOL_F.MEMS_ALLOWED,
};

export const parseMode = (text: string): number | undefined => parseFlags(text, MODE_NAMES);
export const parseMfFlags = (text: string): number | undefined => parseFlags(text, MF_NAMES);
export const parseGetFlags = (text: string): number | undefined => parseFlags(text, GET_FLAG_NAMES);

/**
 * A node mask argument. `nodes` are the set bits the kernel reads: get_nodes()
 * uses maxnode−1 bits, so higher bits are ignored. `unreadable` when strace
 * printed a pointer (it could not read the mask) or a word is not a number;
 * `truncated` when the word list ends in `...` (higher words unknown).
 */
export type Nodemask =
  | { kind: 'null' }
  | { kind: 'nodes'; nodes: number[]; truncated: boolean }
  | { kind: 'unreadable'; text: string };

/** Node ids above this are not listed one by one (the kernel rejects masks over a page anyway). */
const MAX_LISTED_BIT = 1 << 15;

export function parseNodemask(text: string, maxnode: number | undefined): Nodemask {
  const array = parseArrayArg(text);
  if (array === undefined || array.kind === 'pointer') return { kind: 'unreadable', text: text.trim() };
  if (array.kind === 'null') return { kind: 'null' };
  const words: bigint[] = [];
  for (const item of array.items) {
    const word = parseMaskWord(item);
    if (word === undefined) return { kind: 'unreadable', text: text.trim() };
    words.push(word);
  }
  const bitsPerWord = array.items.every((w) => /^(0x)?[0-9a-f]{8}$/i.test(w.trim())) ? 32 : 64;
  const usable = Math.min(maxnode === undefined ? Infinity : maxnode - 1, MAX_LISTED_BIT);
  const nodes: number[] = [];
  words.forEach((word, w) => {
    for (let b = 0; b < bitsPerWord && word !== 0n; b++, word >>= 1n) {
      const node = w * bitsPerWord + b;
      if ((word & 1n) === 1n && node < usable) nodes.push(node);
    }
  });
  return { kind: 'nodes', nodes, truncated: array.truncated };
}

/** One mask word: hex with or without `0x` (printf's `%#0*lx` pads a zero word to `000000000000000000`). */
function parseMaskWord(text: string): bigint | undefined {
  const t = text.trim().replace(/^0x/i, '');
  if (!/^[0-9a-f]+$/i.test(t)) return undefined;
  const word = BigInt('0x' + t);
  return word < 1n << 64n ? word : undefined;
}

/** maxnode as the kernel checks it: more than a page of bits is EINVAL before anything else. */
export const MAX_KERNEL_MAXNODE = 4096 * 8 + 1;

export function parseMaxnode(text: string): number | undefined {
  const n = parseInteger(text);
  return n !== undefined && n >= 0 ? n : undefined;
}
