// Shared helpers of the device simulation tests: scenarios run with the real
// device layer (the driver policies), whatever the engine's default is.

import { driverLayer } from '../../src/engine/device/layer';
import type { SimResult, SimulateOptions } from '../../src/engine/index';
import { run } from './sim-helpers';

export function sim(text: string, options: SimulateOptions = {}): SimResult {
  return run(text, { device: driverLayer, ...options });
}

/** Pages of a region on a node (0 when none). */
export function pagesOn(r: SimResult, region: string, node: string): number {
  return r.regions.find((x) => x.name === region)?.resident[node] ?? 0;
}

/** Diagnostics of one code as "line: message". */
export function diags(r: SimResult, code: string): string[] {
  return r.diagnostics.filter((d) => d.code === code).map((d) => `${d.line}: ${d.message}`);
}

export function failedExpects(r: SimResult): string[] {
  return r.expects.filter((e) => !e.pass).map((e) => `${e.line}: ${e.message}`);
}
