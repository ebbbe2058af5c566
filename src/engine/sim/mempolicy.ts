// mbind, set_mempolicy and get_mempolicy with the kernel's checks in the kernel's
// order (mm/mempolicy.c: kernel_mbind -> sanitize_mpol_flags -> get_nodes ->
// do_mbind -> mpol_new -> mpol_set_nodemask -> queue_pages_range -> mbind_range;
// kernel_set_mempolicy; kernel_get_mempolicy -> do_get_mempolicy).

import { Cause, NO_NODE, ZERO_PAGE } from '../events';
import { MPOL, MPOL_F, MPOL_MF, type NodeList, type Statement } from '../syntax/ast';
import { resolveRef, roundUp, walk, type Part } from './address';
import { touchOne } from './access';
import { movePage } from './migrate';
import { MAX_NUMNODES, maskText, memoryNodes, nodeOfId, readMask, type UserMask } from './nodemask';
import { hasMemory } from './pages';
import { describeMode, describePolicy, samePolicy, type Policy } from './policy';
import type { Region, SimState } from './state';

const MODE_FLAGS = MPOL.F_STATIC_NODES | MPOL.F_RELATIVE_NODES | MPOL.F_NUMA_BALANCING;

type Refusal = { errno: string; reason: string };
type Made = { policy: Policy | null } | Refusal;

function refused(x: object): x is Refusal {
  return 'errno' in x;
}

/** sanitize_mpol_flags: split the mode argument into mode and mode flags. */
function sanitize(value: number): { mode: number; flags: number } | Refusal {
  const flags = value & MODE_FLAGS;
  const mode = value & ~MODE_FLAGS;
  if (mode >>> 0 >= MPOL.MAX) return { errno: 'EINVAL', reason: `sanitize_mpol_flags: mode ${mode} is not below MPOL_MAX (${MPOL.MAX})` };
  if (flags & MPOL.F_STATIC_NODES && flags & MPOL.F_RELATIVE_NODES) {
    return { errno: 'EINVAL', reason: 'sanitize_mpol_flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES together' };
  }
  if (flags & MPOL.F_NUMA_BALANCING && mode !== MPOL.BIND && mode !== MPOL.PREFERRED_MANY) {
    return { errno: 'EINVAL', reason: `sanitize_mpol_flags: MPOL_F_NUMA_BALANCING needs MPOL_BIND or MPOL_PREFERRED_MANY, not ${describeMode(mode, 0)}` };
  }
  return { mode, flags };
}

function getNodes(mask: UserMask): Refusal | null {
  return mask.tooBig === null ? null : { errno: 'EINVAL', reason: `get_nodes: node ${mask.tooBig} is outside 0..MAX_NUMNODES-1 (${MAX_NUMNODES})` };
}

/** mpol_new, then mpol_set_nodemask (the user's nodes within the nodes that have memory). */
function newPolicy(s: SimState, mode: number, flags: number, mask: UserMask): Made {
  const given = mask.ids.length > 0 || mask.zoneDevice.length > 0;
  const name = describeMode(mode, 0);
  if (mode === MPOL.DEFAULT) {
    return given ? { errno: 'EINVAL', reason: 'mpol_new: MPOL_DEFAULT takes no nodes' } : { policy: null };
  }
  if (!given) {
    if (mode === MPOL.PREFERRED) {
      if (flags & (MPOL.F_STATIC_NODES | MPOL.F_RELATIVE_NODES)) return { errno: 'EINVAL', reason: 'mpol_new: MPOL_PREFERRED with no nodes cannot take static or relative' };
      return { policy: { mode: MPOL.LOCAL, flags, nodes: [], userIds: [], origin: s.span } };
    }
    if (mode !== MPOL.LOCAL) return { errno: 'EINVAL', reason: `mpol_new: ${name} needs a non-empty nodemask` };
  }
  if (mode === MPOL.LOCAL) {
    if (given || flags & (MPOL.F_STATIC_NODES | MPOL.F_RELATIVE_NODES)) return { errno: 'EINVAL', reason: 'mpol_new: MPOL_LOCAL takes no nodes and no static/relative flag' };
    return { policy: { mode, flags, nodes: [], userIds: [], origin: s.span } };
  }
  const allowed = memoryNodes(s);
  let nodes: number[];
  if (flags & MPOL.F_RELATIVE_NODES) {
    // mpol_relative_nodemask: bit k means the k-th allowed node, folded onto the allowed set
    nodes = [...new Set(mask.ids.map((id) => allowed[id % allowed.length]))];
  } else {
    nodes = allowed.filter((n) => mask.ids.includes(s.machine.nodes[n].numaId as number));
  }
  nodes.sort((a, b) => (s.machine.nodes[a].numaId as number) - (s.machine.nodes[b].numaId as number));
  if (nodes.length === 0) {
    const why = mask.zoneDevice.length > 0 ? `${mask.zoneDevice.join(',')} is ZONE_DEVICE memory, not a NUMA node in N_MEMORY` : `no node of ${maskText(s, mask)} has memory`;
    return { errno: 'EINVAL', reason: `mpol_set_nodemask: ${name} nodes ∩ N_MEMORY is empty (${why})` };
  }
  if (mode === MPOL.PREFERRED) nodes = nodes.slice(0, 1);
  return { policy: { mode, flags, nodes, userIds: mask.ids, origin: s.span } };
}

/**
 * sanitize_mpol_flags and get_nodes on the mode and node arguments. Null when the
 * statement names a node that does not exist (diagnostic given, statement skipped).
 */
function policyArgs(s: SimState, st: { mode: { value: number }; nodes?: NodeList }): { mask: UserMask; mode: number; flags: number } | Refusal | null {
  const mask = readMask(s, st.nodes);
  if (!mask) return null;
  const san = sanitize(st.mode.value);
  if (refused(san)) return san;
  return getNodes(mask) ?? { mask, ...san };
}

type MbindStatement = Extract<Statement, { kind: 'mbind' }>;

export function mbind(s: SimState, st: MbindStatement): void {
  const range = resolveRef(s, st.range);
  if (!range) return;
  const args = policyArgs(s, st);
  if (!args) return;
  const fail = (r: Refusal): void => void s.call(st.span, { op: 'mbind', ret: -1, errno: r.errno, reason: r.reason, pagesByNode: {} });
  if (refused(args)) return fail(args);
  const ps = s.machine.pageSize;
  let flags = st.flags;
  if (flags & ~(MPOL_MF.STRICT | MPOL_MF.MOVE | MPOL_MF.MOVE_ALL)) return fail({ errno: 'EINVAL', reason: `do_mbind: flags 0x${(flags >>> 0).toString(16)} are outside MPOL_MF_VALID (strict, move, move_all)` });
  if (flags & MPOL_MF.MOVE_ALL && !s.capSysNice) return fail({ errno: 'EPERM', reason: 'do_mbind: MPOL_MF_MOVE_ALL needs CAP_SYS_NICE' });
  if (range.start % ps !== 0) return fail({ errno: 'EINVAL', reason: `do_mbind: start 0x${range.start.toString(16)} is not page aligned` });
  if (args.mode === MPOL.DEFAULT) flags &= ~MPOL_MF.STRICT;
  const len = roundUp(range.length, ps);
  if (len === 0) return void s.call(st.span, { op: 'mbind', ret: 0, errno: null, reason: 'do_mbind: length 0, nothing to do', pagesByNode: {} });
  const made = newPolicy(s, args.mode, args.flags, args.mask);
  if (refused(made)) return fail(made);
  const policy = made.policy;
  const parts = walk(s, range.start, len);

  // queue_pages_range: holes (unless MPOL_DEFAULT) and, with STRICT alone, misplaced pages, in address order
  const strictOnly = (flags & MPOL_MF.STRICT) !== 0 && (flags & (MPOL_MF.MOVE | MPOL_MF.MOVE_ALL)) === 0;
  for (const part of parts) {
    if (!part.region) {
      if (args.mode !== MPOL.DEFAULT) return fail({ errno: 'EFAULT', reason: `queue_pages_range: no mapping at 0x${(part.from * ps).toString(16)} inside the range` });
      continue;
    }
    if (!strictOnly) continue;
    const r = part.region;
    let misplaced = -1;
    s.pages.forEachSet(r.index, part.from, part.to, (page, node) => {
      if (misplaced < 0 && hasMemory(node) && s.machine.nodes[node].numaId !== null && !inMask(s, args.mask, node)) misplaced = page;
    });
    if (misplaced >= 0) {
      const node = s.pages.node(r.index, misplaced);
      return fail({ errno: 'EIO', reason: `queue_folios_pte_range: ${r.name} page ${misplaced} is on ${s.nodeName(node)}, outside ${maskText(s, args.mask)}, and MPOL_MF_STRICT is set without MOVE; the policy is not installed` });
    }
  }

  const mapped = parts.filter((p): p is Part & { region: Region } => p.region !== null);
  const unchanged = mapped.every((p) => p.region.policy.segments(p.from, p.to).every((seg) => samePolicy(seg.value ?? null, policy)));
  for (const p of mapped) p.region.policy.set(p.from, p.to, policy ?? undefined);

  const moving = (flags & (MPOL_MF.MOVE | MPOL_MF.MOVE_ALL)) !== 0;
  const { pagesByNode, skipped, failed, stayedOn } = resident(s, mapped, policy, args.mask, flags);
  const what = `installed ${describePolicy(policy, s.machine)} on ${mapped.reduce((n, p) => n + p.to - p.from, 0)} pages`;
  if (failed > 0 && flags & MPOL_MF.STRICT) {
    s.call(st.span, { op: 'mbind', ret: -1, errno: 'EIO', reason: `do_mbind: ${what}, but ${failed} misplaced pages could not be moved and MPOL_MF_STRICT is set`, pagesByNode, skipped });
    return;
  }
  const moved = Object.values(pagesByNode).reduce((a, b) => a + b, 0);
  s.call(st.span, { op: 'mbind', ret: 0, errno: null, reason: moving ? `${what}; moved ${moved} pages` : what, pagesByNode, skipped: skipped.length ? skipped : undefined });
  const stayed = [...stayedOn.values()].reduce((a, b) => a + b, 0);
  if (stayed > 0) {
    const where = [...stayedOn].map(([n, c]) => `${c} on ${s.nodeName(n)}`).join(', ');
    s.diag(st.span, 'warning', 'policy-no-effect', `mbind without move leaves resident pages where they are: ${stayed} pages stay outside ${maskText(s, args.mask)} (${where}); add flags=move to move them`);
  } else if (unchanged) {
    s.diag(st.span, 'warning', 'policy-no-effect', `the range already has the policy ${describePolicy(policy, s.machine)}`);
  }
}

interface ResidentOutcome {
  pagesByNode: Record<string, number>;
  skipped: { pages: number; why: string }[];
  /** misplaced pages that could not be moved */
  failed: number;
  /** without MOVE: misplaced pages left where they are, per node */
  stayedOn: Map<number, number>;
}

/**
 * What mbind does to the pages already resident in the range: with MOVE or
 * MOVE_ALL, pages outside the mask migrate to where the new policy allocates
 * (alloc_migration_target_by_mpol); without, they stay and are counted.
 * Device memory and the zero page are never queued (queue_folios_pte_range).
 */
function resident(s: SimState, mapped: (Part & { region: Region })[], policy: Policy | null, mask: UserMask, flags: number): ResidentOutcome {
  const out: ResidentOutcome = { pagesByNode: {}, skipped: [], failed: 0, stayedOn: new Map() };
  const moving = (flags & (MPOL_MF.MOVE | MPOL_MF.MOVE_ALL)) !== 0;
  const caller = s.threads[0];
  let device = 0;
  let shared = 0;
  for (const p of mapped) {
    const r = p.region;
    s.pages.forEachSet(r.index, p.from, p.to, (page, node) => {
      if (!hasMemory(node)) return;
      if (s.machine.nodes[node].numaId === null) return void device++;
      if (policy !== null && inMask(s, mask, node)) return;
      if (!moving) {
        if (mask.ids.length > 0) out.stayedOn.set(node, (out.stayedOn.get(node) ?? 0) + 1);
        return;
      }
      if (r.mappedBy > 1 && !(flags & MPOL_MF.MOVE_ALL)) return void shared++;
      const to = s.alloc.pick(policy, caller.node, s.ilx(r, page));
      if (to === NO_NODE) return void out.failed++;
      if (to === node) return;
      movePage(s, r, page, node, to, Cause.PolicyCall, 0);
      const name = s.nodeName(to);
      out.pagesByNode[name] = (out.pagesByNode[name] ?? 0) + 1;
    });
  }
  const skip = (pages: number, why: string): void => {
    if (pages > 0) out.skipped.push({ pages, why });
  };
  skip(device, 'device memory (ZONE_DEVICE) is not on the LRU: mbind never moves it');
  skip(shared, 'mapped by another process: only MPOL_MF_MOVE_ALL moves shared pages');
  skip(out.failed, `no room on ${describePolicy(policy, s.machine)}`);
  return out;
}

/** Is the page's node in the mask the caller passed (queue_folio_required)? */
function inMask(s: SimState, mask: UserMask, node: number): boolean {
  return mask.ids.includes(s.machine.nodes[node].numaId as number);
}

type SetStatement = Extract<Statement, { kind: 'set_mempolicy' }>;

export function setMempolicy(s: SimState, st: SetStatement): void {
  const thread = s.threadByName(st.thread?.name);
  if (!thread) return void s.diag(st.thread?.span ?? st.span, 'error', 'unknown-name', `no thread named '${st.thread?.name}'`);
  const args = policyArgs(s, st);
  if (!args) return;
  const fail = (r: Refusal): void => void s.call(st.span, { op: 'set_mempolicy', ret: -1, errno: r.errno, reason: r.reason, pagesByNode: {} });
  if (refused(args)) return fail(args);
  const made = newPolicy(s, args.mode, args.flags, args.mask);
  if (refused(made)) return fail(made);
  const same = samePolicy(thread.policy, made.policy);
  thread.policy = made.policy;
  s.call(st.span, { op: 'set_mempolicy', ret: 0, errno: null, reason: `${thread.name} now allocates under ${describePolicy(made.policy, s.machine)}`, pagesByNode: {} });
  if (same) s.diag(st.span, 'warning', 'policy-no-effect', `${thread.name} already has the policy ${describePolicy(made.policy, s.machine)}`);
}

type GetStatement = Extract<Statement, { kind: 'get_mempolicy' }>;

/** The mode and node names get_mempolicy reports for a policy. */
function report(s: SimState, p: Policy | null): { mode: string; nodes: string[] } {
  if (!p) return { mode: 'default', nodes: [] };
  const nodes =
    p.flags & (MPOL.F_STATIC_NODES | MPOL.F_RELATIVE_NODES)
      ? p.userIds.map((id) => {
          const n = nodeOfId(s, id);
          return n === null ? String(id) : s.nodeName(n);
        })
      : p.nodes.map((n) => s.nodeName(n));
  return { mode: describeMode(p.mode, p.flags), nodes };
}

export function getMempolicy(s: SimState, st: GetStatement): void {
  const thread = s.threadByName(st.thread?.name);
  if (!thread) return void s.diag(st.thread?.span ?? st.span, 'error', 'unknown-name', `no thread named '${st.thread?.name}'`);
  const range = st.addr ? resolveRef(s, st.addr) : null;
  if (st.addr && !range) return;
  // the syscall returns 0; what it writes to *mode and *nodemask is the record's `policy`
  const done = (reason: string, policy: { mode: string; nodes: string[] }): void =>
    void s.call(st.span, { op: 'get_mempolicy', ret: 0, errno: null, reason, pagesByNode: {}, policy });
  const fail = (errno: string, reason: string): void => void s.call(st.span, { op: 'get_mempolicy', ret: -1, errno, reason, pagesByNode: {} });
  const f = st.flags;
  if (f & ~(MPOL_F.NODE | MPOL_F.ADDR | MPOL_F.MEMS_ALLOWED)) return fail('EINVAL', `do_get_mempolicy: unknown flags 0x${(f >>> 0).toString(16)}`);
  if (f & MPOL_F.MEMS_ALLOWED) {
    if (f & (MPOL_F.NODE | MPOL_F.ADDR)) return fail('EINVAL', 'do_get_mempolicy: MPOL_F_MEMS_ALLOWED cannot be combined with MPOL_F_NODE or MPOL_F_ADDR');
    return done('the nodes the cpuset allows (every node with memory)', { mode: 'default', nodes: memoryNodes(s).map((n) => s.nodeName(n)) });
  }
  if (!(f & MPOL_F.ADDR)) {
    if (range && range.start !== 0) return fail('EINVAL', 'do_get_mempolicy: an address needs MPOL_F_ADDR');
    const p = thread.policy;
    if (f & MPOL_F.NODE) {
      if (!p || (p.mode !== MPOL.INTERLEAVE && p.mode !== MPOL.WEIGHTED_INTERLEAVE)) return fail('EINVAL', 'do_get_mempolicy: MPOL_F_NODE without MPOL_F_ADDR needs an interleave task policy');
      // next_node_in(il_prev): set_mempolicy resets the rotor, and only allocations
      // outside any mapping advance it, which a scenario cannot make: the first node
      const node = p.nodes[0];
      return done(`the next interleave allocation of ${thread.name} goes to ${s.nodeName(node)}`, { mode: s.nodeName(node), nodes: [s.nodeName(node)] });
    }
    return done(`task policy of ${thread.name}`, report(s, p));
  }
  if (!range || range.start === 0) return fail('EFAULT', 'do_get_mempolicy: MPOL_F_ADDR with address 0: vma_lookup finds no mapping');
  const part = walk(s, range.start, 1)[0];
  const r = part.region;
  if (!r) return fail('EFAULT', `do_get_mempolicy: no mapping at 0x${range.start.toString(16)}`);
  const page = part.from;
  if (f & MPOL_F.NODE) {
    if (r.prot.at(page) === 'none') return fail('EFAULT', `lookup_node: ${r.name} is mapped prot=none, get_user_pages cannot read it`);
    // lookup_node: a GUP read faults the page in (zero page, or back from device-private memory)
    touchOne(s, thread, r, page, false);
    if (s.stopped) return;
    const node = s.pages.node(r.index, page);
    const at = node === ZERO_PAGE ? memoryNodes(s)[0] : node;
    const name = s.nodeName(at);
    return done(`${r.name} page ${page} is on ${name}${node === ZERO_PAGE ? ' (the zero page)' : ''}`, { mode: name, nodes: [name] });
  }
  const p = r.policy.at(page) ?? null;
  return done(p ? `policy of ${r.name} at page ${page}` : `${r.name} has no policy of its own at page ${page}: MPOL_DEFAULT (the task policy is not consulted)`, report(s, p));
}

