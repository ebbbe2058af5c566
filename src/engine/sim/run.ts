// Runs a scenario's statements in order, one step each (a `repeat` body once per
// pass), dispatching to the kernel-side handlers here and to the device layer.

import type { Statement } from '../syntax/ast';
import { mmap, munmap, mprotect } from './address';
import { cpuAccess } from './access';
import { deviceContext, type DeviceContext, type DeviceLayer, type DeviceLayerFactory } from './device';
import { expect } from './expect';
import { getMempolicy, mbind, setMempolicy } from './mempolicy';
import { migratePages, movePages } from './migrate';
import type { SimState } from './state';

/** Statements that are steps; `phase` and `repeat` only group them. */
type Executable = Exclude<Statement, { kind: 'phase' | 'repeat' }>;

function hasSteps(statements: readonly Statement[]): boolean {
  return statements.some((st) => (st.kind === 'phase' || st.kind === 'repeat' ? hasSteps(st.body) : true));
}

/** How many steps running `statements` takes (a `repeat` multiplies its body's), capped at `cap`. */
export function plannedSteps(statements: readonly Statement[], cap: number): number {
  let steps = 0;
  for (let k = 0; k < statements.length && steps < cap; k++) {
    const st = statements[k];
    if (st.kind === 'phase') steps += plannedSteps(st.body, cap);
    else if (st.kind === 'repeat') steps += st.count * plannedSteps(st.body, cap);
    else steps++;
  }
  return Math.min(steps, cap);
}

export class Runner {
  readonly ctx: DeviceContext;
  private readonly device: DeviceLayer;

  constructor(
    private readonly s: SimState,
    makeDevice: DeviceLayerFactory,
    driverParams: Record<string, string>,
  ) {
    this.ctx = deviceContext(s, driverParams);
    this.device = makeDevice(this.ctx);
    const left = this.device.pagesLeftDevice?.bind(this.device);
    if (left) s.onPagesLeftDevice = (r, first, end, from, leftAt) => left(this.ctx, r, first, end, from, leftAt);
  }

  run(statements: readonly Statement[]): void {
    // indexed: a for-of iterator allocated a result object per statement
    for (let k = 0; k < statements.length; k++) {
      const st = statements[k];
      if (this.s.stopped) return;
      if (st.kind === 'phase') this.run(st.body);
      // a body without steps would spin without ever reaching the step limit
      else if (st.kind === 'repeat' && hasSteps(st.body)) for (let i = 0; i < st.count && !this.s.stopped; i++) this.run(st.body);
      else if (st.kind !== 'repeat') this.step(st);
    }
  }

  finish(): void {
    this.device.finish(this.ctx);
  }

  private step(st: Executable): void {
    const s = this.s;
    if (!s.charge(1)) return;
    s.line = st.span.line;
    s.span = st.span;
    const firstEvent = s.events.length;
    this.execute(st);
    s.steps.add(st.span.line, s.now, firstEvent);
    s.step++;
  }

  private execute(st: Executable): void {
    const s = this.s;
    switch (st.kind) {
      case 'machine':
      case 'machineBlock':
      case 'pagesize':
        return; // the machine is built before the run
      case 'thread':
        return this.thread(st);
      case 'caps':
        s.capSysNice = true;
        return;
      case 'mmap':
        return mmap(s, st);
      case 'munmap':
        return munmap(s, st.range);
      case 'mprotect':
        return mprotect(s, st.range, st.prot);
      case 'cpu':
        return cpuAccess(s, st);
      case 'mbind':
        return mbind(s, st);
      case 'set_mempolicy':
        return setMempolicy(s, st);
      case 'get_mempolicy':
        return getMempolicy(s, st);
      case 'move_pages':
        return movePages(s, st);
      case 'migrate_pages':
        return migratePages(s, st);
      case 'gpu':
      case 'advise':
      case 'prefetch':
      case 'migrate':
      case 'driver':
        return this.device.execute(st, this.ctx);
      case 'wait':
        s.advance(Math.max(0, st.ns));
        return;
      case 'at':
        // an absolute time in the past cannot rewind the clock
        s.now = Math.max(s.now, st.ns);
        return;
      case 'reset':
        s.resetMetrics();
        return;
      default:
        return expect(s, st);
    }
  }

  private thread(st: Extract<Statement, { kind: 'thread' }>): void {
    const s = this.s;
    const node = s.nodeByName(st.node.name);
    if (node === null) return void s.diag(st.node.span, 'error', 'unknown-name', `the machine has no node named '${st.node.name}'`);
    if (!s.machine.nodes[node].hasCpus) {
      return void s.diag(st.node.span, 'error', 'unknown-name', `${st.node.name} has no CPUs; a thread runs on a dram node with CPUs`);
    }
    const existing = s.threads.find((t) => t.name === st.name.name);
    if (existing) existing.node = node;
    else s.threads.push({ index: s.threads.length, name: st.name.name, node, policy: null });
  }
}
