// move_pages(2) and migrate_pages(2) (mm/migrate.c kernel_move_pages,
// do_pages_move, add_folio_for_migration, do_pages_stat_array; mm/mempolicy.c
// kernel_migrate_pages, do_migrate_pages), and the page move they share with
// mbind(MOVE).

import { Cause, EventKind, NO_NODE, ZERO_PAGE } from '../events';
import { MPOL_MF, type NodeItem, type Statement } from '../syntax/ast';
import { resolveRef, walk } from './address';
import { MAX_NUMNODES, maskText, memoryNodes, nodeOfId, readMask } from './nodemask';
import { CHUNK_PAGES } from './pages';
import type { Region, SimState } from './state';

/** Moves one resident page to `to`: copy time, a Migrate event, the metrics; device mappings are invalidated. */
export function movePage(s: SimState, r: Region, page: number, from: number, to: number, cause: Cause, agent: number): void {
  s.pages.setNode(r.index, page, to);
  s.pages.setMapped(r.index, page, 0);
  s.now += s.costs.copyNs(from, to, s.machine.pageSize);
  s.countMigration(from, to, 1, cause);
  s.event(EventKind.Migrate, agent, from, to, cause, r.index, page, 1);
  if (s.machine.nodes[from].device !== null && s.onPagesLeftDevice) {
    s.leftAt[0] = s.now;
    s.onPagesLeftDevice(r, page, page + 1, from, s.leftAt);
  }
}

/** Largest move_pages call memplace simulates: one status per page is kept. */
const MAX_STATUS = 1 << 22;

type MovePagesStatement = Extract<Statement, { kind: 'move_pages' }>;

/** The NUMA id a move_pages target stands for; null after an unknown-name diagnostic. ZONE_DEVICE memory has none (-1). */
function targetId(s: SimState, item: NodeItem): number | null {
  if (item.kind === 'id') return item.id;
  if (item.kind === 'ids') return item.from;
  const n = s.nodeByName(item.name);
  if (n === null) {
    s.diag(item.span, 'error', 'unknown-name', `the machine has no node named '${item.name}'`);
    return null;
  }
  return s.machine.nodes[n].numaId ?? -1;
}

export function movePages(s: SimState, st: MovePagesStatement): void {
  const range = resolveRef(s, st.range);
  if (!range) return;
  const id = st.target ? targetId(s, st.target) : undefined;
  if (id === null) return;
  const flags = st.moveAll ? MPOL_MF.MOVE_ALL : st.target ? MPOL_MF.MOVE : 0;
  const fail = (errno: string, reason: string): void => void s.call(st.span, { op: 'move_pages', ret: -1, errno, reason, pagesByNode: {} });
  if (flags & MPOL_MF.MOVE_ALL && !s.capSysNice) return fail('EPERM', 'kernel_move_pages: MPOL_MF_MOVE_ALL needs CAP_SYS_NICE');
  const parts = range.length === 0 ? [] : walk(s, range.start, range.length);
  const pages = parts.reduce((n, p) => n + p.to - p.from, 0);
  if (pages > MAX_STATUS) {
    s.diag(st.span, 'error', 'input-too-large', `move_pages over ${pages} pages: memplace reports at most ${MAX_STATUS} page statuses per call`);
    return;
  }
  if (!s.charge(pages)) return;
  const status: string[] = [];
  const holeStatus = (count: number): void => {
    for (let i = 0; i < count; i++) status.push('-EFAULT');
  };

  if (id === undefined) {
    // do_pages_stat_array: where each page is, without faulting anything in
    for (const part of parts) {
      if (!part.region) holeStatus(part.to - part.from);
      else s.pages.forEach(part.region.index, part.from, part.to, (_p, node) => status.push(queryStatus(s, node)));
    }
    s.call(st.span, { op: 'move_pages', ret: 0, errno: null, reason: `reported the node of ${status.length} pages`, status, pagesByNode: {} });
    return;
  }

  const target = id >= 0 && id < MAX_NUMNODES ? nodeOfId(s, id) : null;
  if (parts.length > 0 && (target === null || !memoryNodes(s).includes(target))) {
    const what = st.target?.kind === 'name' ? `${st.target.name} is device memory with no NUMA id` : `node ${id} does not exist or has no memory`;
    return fail('ENODEV', `do_pages_move: ${what} (not in N_MEMORY)`);
  }
  const to = target as number;
  const toName = s.nodeName(to);
  let moved = 0;
  let full = false;
  const skipped = new Map<string, number>();
  const skip = (why: string): void => void skipped.set(why, (skipped.get(why) ?? 0) + 1);
  for (const part of parts) {
    const r = part.region;
    if (!r) {
      holeStatus(part.to - part.from);
      skipped.set('no mapping', (skipped.get('no mapping') ?? 0) + part.to - part.from);
      continue;
    }
    s.pages.forEach(r.index, part.from, part.to, (page, node) => {
      if (full) return;
      const no = notMovable(s, node);
      if (no) {
        status.push(no.status);
        return skip(no.why);
      }
      if (node === to) return void status.push(toName);
      if (r.mappedBy > 1 && !(flags & MPOL_MF.MOVE_ALL)) {
        status.push('-EACCES');
        return skip('mapped by another process: needs MPOL_MF_MOVE_ALL');
      }
      // __GFP_THISNODE: the exact node or nothing; migrate_pages_batch stops at the first failed allocation
      if (!s.alloc.hasRoom(to)) return void (full = true);
      movePage(s, r, page, node, to, Cause.PolicyCall, 0);
      moved++;
      status.push(toName);
    });
  }
  const pagesByNode = moved ? { [toName]: moved } : {};
  if (full) {
    const reason = `do_pages_move: no room on ${toName} for a page (__GFP_THISNODE), so migrate_pages fails the call; ${moved} pages moved before that stay moved`;
    return void s.call(st.span, { op: 'move_pages', ret: -1, errno: 'ENOMEM', reason, pagesByNode });
  }
  s.call(st.span, {
    op: 'move_pages',
    ret: 0,
    errno: null,
    reason: `moved ${moved} pages to ${toName}`,
    status,
    pagesByNode,
    skipped: skipped.size ? [...skipped].map(([why, pages]) => ({ pages, why })) : undefined,
  });
}

/** Pages move_pages never moves, with their status (add_folio_for_migration), or null. */
function notMovable(s: SimState, node: number): { status: string; why: string } | null {
  if (node === NO_NODE) return { status: '-ENOENT', why: 'not present (never touched)' };
  if (node === ZERO_PAGE) return { status: '-EFAULT', why: 'the zero page' };
  if (s.machine.nodes[node].numaId === null) return { status: '-ENOENT', why: `on ${s.nodeName(node)}: ZONE_DEVICE memory` };
  return null;
}

/** Status of a page in query mode (nodes == NULL, do_pages_stat_array). */
function queryStatus(s: SimState, node: number): string {
  return notMovable(s, node)?.status ?? s.nodeName(node);
}

type MigratePagesStatement = Extract<Statement, { kind: 'migrate_pages' }>;

export function migratePages(s: SimState, st: MigratePagesStatement): void {
  const oldMask = readMask(s, st.from);
  if (!oldMask) return;
  const newMask = readMask(s, st.to);
  if (!newMask) return;
  const fail = (errno: string, reason: string): void => void s.call(st.span, { op: 'migrate_pages', ret: -1, errno, reason, pagesByNode: {} });
  const big = oldMask.tooBig ?? newMask.tooBig;
  if (big !== null) return fail('EINVAL', `get_nodes: node ${big} is outside 0..MAX_NUMNODES-1`);
  const allowed = memoryNodes(s).map((n) => s.machine.nodes[n].numaId as number);
  const outside = newMask.ids.some((id) => !allowed.includes(id)) || newMask.zoneDevice.length > 0;
  if (outside && !s.capSysNice) return fail('EPERM', `kernel_migrate_pages: ${maskText(s, newMask)} is not within the cpuset's nodes and the process lacks CAP_SYS_NICE`);
  const to = newMask.ids.filter((id) => allowed.includes(id));
  if (to.length === 0) return fail('EINVAL', `kernel_migrate_pages: ${maskText(s, newMask)} ∩ the allowed nodes is empty`);
  const from = oldMask.ids;
  const moveAll = s.capSysNice;

  // do_migrate_pages: pick a source whose destination is not a pending source when possible
  const pending = new Set(from);
  const pagesByNode: Record<string, number> = {};
  let sharedSkipped = 0;
  for (;;) {
    let source = -1;
    let dest = -1;
    for (const sId of [...pending].sort((a, b) => a - b)) {
      if (from.length !== to.length && to.includes(sId)) continue;
      const d = to[from.indexOf(sId) % to.length];
      if (sId === d) continue;
      source = sId;
      dest = d;
      if (!pending.has(d)) break;
    }
    if (source < 0) break;
    pending.delete(source);
    const a = nodeOfId(s, source);
    const b = nodeOfId(s, dest) as number;
    if (a === null) continue;
    const r = migrateNode(s, a, b, moveAll);
    sharedSkipped += r.shared;
    if (r.moved) pagesByNode[s.nodeName(b)] = (pagesByNode[s.nodeName(b)] ?? 0) + r.moved;
    if (r.full) {
      // migrate_to_node returned -ENOMEM: do_migrate_pages stops and returns it
      const reason = `do_migrate_pages: no room on ${s.nodeName(b)} (__GFP_THISNODE), migrate_to_node fails with ENOMEM; pages moved before that stay moved`;
      return void s.call(st.span, { op: 'migrate_pages', ret: -1, errno: 'ENOMEM', reason, pagesByNode });
    }
  }
  // skipping a shared page is not a failure (migrate_folio_add)
  const skipped = sharedSkipped ? [{ pages: sharedSkipped, why: 'mapped by another process: moved only with CAP_SYS_NICE' }] : [];
  const moved = Object.values(pagesByNode).reduce((x, y) => x + y, 0);
  s.call(st.span, { op: 'migrate_pages', ret: 0, errno: null, reason: `moved ${moved} pages from ${maskText(s, oldMask)} to ${maskText(s, newMask)}`, pagesByNode, skipped: skipped.length ? skipped : undefined });
}

/** migrate_to_node: every page of the process on `from` goes to exactly `to` (device memory is never on a NUMA node's list). */
function migrateNode(s: SimState, from: number, to: number, moveAll: boolean): { moved: number; full: boolean; shared: number } {
  const out = { moved: 0, full: false, shared: 0 };
  for (const r of s.regions) {
    for (let first = 0; first < r.pages; first += CHUNK_PAGES) {
      const chunk = s.pages.peek(r.index, first);
      if (!chunk) continue;
      const end = Math.min(r.pages, first + CHUNK_PAGES);
      for (let page = first; page < end; page++) {
        if (chunk.node[page - first] !== from) continue;
        if (r.mappedBy > 1 && !moveAll) out.shared++;
        else if (!s.alloc.hasRoom(to)) {
          out.full = true;
          return out;
        } else {
          movePage(s, r, page, from, to, Cause.PolicyCall, 0);
          out.moved++;
        }
      }
    }
  }
  return out;
}
