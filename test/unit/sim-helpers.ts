// Shared helpers of the simulator tests (sim-*.test.ts): run a scenario written
// inline, and read back calls, residency and diagnostics.

import { simulateText, type CallRecord, type DeviceLayer, type SimResult, type SimulateOptions } from '../../src/engine/index';

/** Simulates the lines given (leading indentation removed). */
export function run(text: string, options: SimulateOptions = {}): SimResult {
  return simulateText(text.replace(/^\s+/gm, ''), options);
}

/** The call recorded at a source line. */
export function callAt(r: SimResult, line: number): CallRecord {
  const c = r.calls.find((x) => x.line === line);
  if (!c) throw new Error(`no call at line ${line}: ${JSON.stringify(r.calls.map((x) => x.line))}`);
  return c;
}

export function lastCall(r: SimResult): CallRecord {
  const c = r.calls[r.calls.length - 1];
  if (!c) throw new Error('no call');
  return c;
}

/** Pages of a region per node name. */
export function resident(r: SimResult, region: string): Record<string, number> {
  const reg = [...r.regions].reverse().find((x) => x.name === region);
  if (!reg) throw new Error(`no region ${region}`);
  return reg.resident;
}

export function codes(r: SimResult): string[] {
  return r.diagnostics.map((d) => d.code);
}

export function diagnosticsOf(r: SimResult, code: string): string[] {
  return r.diagnostics.filter((d) => d.code === code).map((d) => `${d.line}: ${d.message}`);
}

/** Errors other than failed expects: a scenario under test should have none. */
export function errors(r: SimResult): string[] {
  return r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line} ${d.code}: ${d.message}`);
}

/**
 * A stand-in device layer for kernel-side tests: `migrate <range> to <device>`
 * puts every page of the range on the device's memory directly, as a driver's
 * migrate_vma would, so tests can see how the kernel treats device pages.
 */
export const placingDevice: DeviceLayer = {
  execute(st, ctx) {
    if (st.kind !== 'migrate') return;
    const range = ctx.resolve(st.range);
    const node = ctx.machine.nodes.find((n) => n.name === st.target.name);
    if (!range || !node) return;
    for (const part of ctx.walk(range)) {
      if (!part.region) continue;
      for (let p = part.from; p < part.to; p++) ctx.pages.setNode(part.region.index, p, node.index);
    }
  },
  finish() {},
};
