// The driver's own calls: `advise` (cudaMemAdvise / hipMemAdvise), `prefetch`
// (cudaMemPrefetchAsync) and `migrate` (an HMM driver's migrate_vma, as the
// kernel's test driver does it). Moves to device memory obey the kernel's
// migrate_vma rules (eligibility.ts); pages that cannot go stay, and the call's
// record says how many and why.

import { Cause, NO_NODE, ZERO_PAGE } from '../events';
import type { DeviceContext } from '../sim/device';
import type { Region } from '../sim/state';
import type { Named, Statement } from '../syntax/ast';
import { formatBytes } from '../report/units';
import { applyAdvice } from './advice';
import { agentOf, type DeviceRun } from './deviceRun';
import { migrateToDeviceEligibility, type PagePresence } from './eligibility';
import { commitMoves, moveToSystem, placeOnDevice } from './placement';
import { addCopies, collapseOnUnset, duplicatesOnRead } from './readDuplication';
import type { Processor } from './processor';

type AdviseStatement = Extract<Statement, { kind: 'advise' }>;
type MoveStatement = Extract<Statement, { kind: 'prefetch' | 'migrate' }>;

/** A call target: a device, system memory under the policy (`cpu`), or one exact dram node. */
type Target = { kind: 'device'; device: number } | { kind: 'cpu' } | { kind: 'node'; node: number };

function targetNamed(ctx: DeviceContext, name: Named): Target | null {
  if (name.name === 'cpu') return { kind: 'cpu' };
  const node = ctx.machine.nodes.find((n) => n.name === name.name);
  if (!node) {
    ctx.diag(name.span, 'error', 'unknown-name', `the machine has no node or device named '${name.name}' (or use cpu)`);
    return null;
  }
  return node.device !== null ? { kind: 'device', device: node.device } : { kind: 'node', node: node.index };
}

const processorOf = (t: Target): Processor => (t.kind === 'device' ? t.device : 'cpu');

export function advise(run: DeviceRun, ctx: DeviceContext, st: AdviseStatement): void {
  const target = st.target ? targetNamed(ctx, st.target) : null;
  if (st.target && !target) return;
  const range = ctx.resolve(st.range);
  if (!range) return;
  const parts = ctx.walk(range);
  const fail = (errno: string, reason: string): void => void ctx.call(st.span, { op: 'advise', ret: -1, errno, reason, pagesByNode: {} });
  if (st.advice !== 'read-mostly' && !target) return fail('EINVAL', `${st.advice} needs a node, a device or cpu`);
  if (parts.some((p) => !p.region)) return fail('EINVAL', 'the range is not entirely mapped (cudaErrorInvalidValue)');
  const who = target ? processorOf(target) : null;
  let pages = 0;
  for (const part of parts) {
    run.advice.update((part.region as Region).index, part.from, part.to, (old) => applyAdvice(old, st.advice, who, st.unset));
    pages += part.to - part.from;
  }
  const what = st.advice === 'read-mostly' ? 'read-mostly' : `${st.advice}=${st.target?.name}`;
  const unsetCopies = st.advice === 'read-mostly' && st.unset;
  const outcome = unsetCopies ? 'duplicated pages collapse onto one holder' : 'nothing moves now';
  ctx.call(st.span, { op: 'advise', ret: 0, errno: null, reason: `${st.unset ? 'cleared' : 'set'} ${what} on ${pages} pages; ${outcome}`, pagesByNode: {} });
  if (unsetCopies) for (const part of parts) collapseOnUnset(run, ctx, part.region as Region, part.from, part.to);
  if (run.params.policy === 'mirror') {
    ctx.diag(st.span, 'warning', 'policy-no-effect', 'the mirror driver (lib/test_hmm.c) has no advice: device faults map pages where they are');
  } else if (st.advice === 'read-mostly' && !st.unset && run.params.policy === 'uvm' && parts.some((p) => p.region?.backing !== 'managed')) {
    ctx.diag(st.span, 'warning', 'policy-no-effect', 'read duplication works on managed memory only: the driver does not implement it for system-allocated (HMM, ATS) memory (uvm_hmm.c, TODO Bug 3660922)');
  }
}

/** Where a page is, in migrate_vma's terms, seen from a move to `devNode`. */
function presence(run: DeviceRun, node: number, devNode: number): PagePresence {
  if (node === NO_NODE) return 'untouched';
  if (node === ZERO_PAGE) return 'zero-page';
  if (node === devNode) return 'this-device';
  return run.isDeviceNode(node) ? 'other-device' : 'system';
}

export function moveCall(run: DeviceRun, ctx: DeviceContext, st: MoveStatement): void {
  const target = targetNamed(ctx, st.target);
  if (!target) return;
  const range = ctx.resolve(st.range);
  if (!range) return;
  const parts = ctx.walk(range);
  const op = st.kind;
  const fail = (errno: string, reason: string): void => void ctx.call(st.span, { op, ret: -1, errno, reason, pagesByNode: {} });
  const hole = parts.find((p) => !p.region);
  if (hole) return fail('EINVAL', `no mapping at 0x${(hole.from * ctx.machine.pageSize).toString(16)}: migrate_vma_setup needs a VMA over the whole range`);
  const noRead = parts.find((p) => p.region?.prot.segments(p.from, p.to).some((s) => s.value === 'none'));
  if (noRead) return fail('EINVAL', `${noRead.region?.name} is mapped prot=none: migrate_vma_setup refuses a VMA without VM_READ`);
  const total = parts.reduce((n, p) => n + p.to - p.from, 0);
  if (!ctx.charge(total)) return;

  // explicit migrations are hints or policy calls, and reset the thrashing history
  const cause = op === 'prefetch' ? Cause.Hint : Cause.PolicyCall;
  const agent = target.kind === 'device' ? agentOf(target.device) : 0;
  const skipped = new Map<string, number>();
  let moved = 0;
  for (const part of parts) {
    const r = part.region as Region;
    if (target.kind === 'device') moved += toDevice(run, ctx, r, part.from, part.to, target.device, cause, agent, skipped);
    else moved += toSystem(run, ctx, r, part.from, part.to, target, cause, skipped);
  }
  const where = target.kind === 'device' ? ctx.machine.nodes[ctx.machine.devices[target.device]].name : target.kind === 'cpu' ? 'system memory' : ctx.machine.nodes[target.node].name;
  const left = [...skipped.values()].reduce((a, b) => a + b, 0);
  const bytes = formatBytes(moved * ctx.machine.pageSize);
  const firstWhy = skipped.keys().next().value;
  const reason = `placed ${moved} pages (${bytes}) in ${where}` + (left ? `; ${left} pages stayed where they are (${firstWhy}${skipped.size > 1 ? ', and more' : ''})` : '');
  // like the HMM test driver's MIGRATE_TO_DEV, `migrate` reports pages it could not move as ENOENT
  const failed = op === 'migrate' && left > 0;
  ctx.call(st.span, {
    op,
    ret: failed ? -1 : 0,
    errno: failed ? 'ENOENT' : null,
    reason,
    pagesByNode: moved ? { [where]: moved } : {},
    skipped: left ? [...skipped].map(([why, pages]) => ({ pages, why })) : undefined,
  });
}

function toDevice(run: DeviceRun, ctx: DeviceContext, r: Region, from: number, to: number, device: number, cause: Cause, agent: number, skipped: Map<string, number>): number {
  const devNode = ctx.machine.devices[device];
  const pages: number[] = [];
  const copies: number[] = [];
  const skip = (why: string): void => void skipped.set(why, (skipped.get(why) ?? 0) + 1);
  const readMostly = r.backing === 'managed' && run.advice.has(r.index);
  ctx.pages.forEach(r.index, from, to, (page, node) => {
    const e = migrateToDeviceEligibility({ backing: r.backing, presence: presence(run, node, devNode), pinned: false });
    // cudaMemPrefetchAsync on a read-mostly range makes a read-only copy at the destination
    if (e.eligible && !e.allocate && readMostly && duplicatesOnRead(run, r, page)) copies.push(page);
    else if (e.eligible) pages.push(page);
    else if (e.reason !== 'already-there') skip(e.message);
  });
  const copied = addCopies(run, ctx, r, copies, copies.length, device, cause, agent);
  const placed = copied + placeOnDevice(run, ctx, r, pages, pages.length, device, cause, agent);
  for (const p of pages) if (ctx.pages.node(r.index, p) !== devNode) skip(`${ctx.machine.nodes[devNode].name} is full`);
  return placed;
}

function toSystem(run: DeviceRun, ctx: DeviceContext, r: Region, from: number, to: number, target: Target, cause: Cause, skipped: Map<string, number>): number {
  const exact = target.kind === 'node' ? target.node : null;
  const pages: number[] = [];
  ctx.pages.forEach(r.index, from, to, (page, node) => {
    const elsewhere = exact !== null && node !== exact && node !== NO_NODE && node !== ZERO_PAGE;
    if (run.isDeviceNode(node) || elsewhere) pages.push(page);
  });
  if (exact === null) return moveToSystem(run, ctx, r, pages, 0, pages.length, 0, cause, 0);
  // one exact node, as move_pages: no fallback, a full node leaves the rest where they are
  const room = Math.max(0, ctx.alloc.capacityOf(exact) - ctx.pages.used[exact]);
  const dest = new Uint8Array(pages.length).fill(NO_NODE);
  dest.fill(exact, 0, Math.min(room, pages.length));
  if (pages.length > room) skipped.set(`${ctx.machine.nodes[exact].name} is full`, pages.length - room);
  return commitMoves(run, ctx, r, pages, 0, pages.length, dest, cause, 0);
}
