// Shared helpers of the device simulation tests: scenarios run with the real
// device layer (the driver policies), whatever the engine's default is.

import assert from 'node:assert/strict';
import { driverLayer } from '../../src/engine/device/layer';
import type { SimResult, SimulateOptions } from '../../src/engine/index';
import { costModelFor } from '../../src/engine/machine/costs';
import { buildMachine } from '../../src/engine/machine/machine';
import type { DeviceContext, DeviceLayer } from '../../src/engine/sim/device';
import { Runner } from '../../src/engine/sim/run';
import { DEFAULT_LIMITS, SimState } from '../../src/engine/sim/state';
import { parse } from '../../src/engine/syntax/parser';
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

/** Everything a run leaves: the event and step logs, metrics, residency, diagnostics (what a fast path must keep). */
export function observable(r: SimResult): Record<string, unknown> {
  const e = r.events;
  const cols = ['step', 'time', 'kind', 'agent', 'from', 'to', 'cause', 'line', 'region', 'page', 'count'] as const;
  return {
    events: Object.fromEntries(cols.map((c) => [c, Array.from(e[c].slice(0, e.length))])),
    steps: { line: Array.from(r.steps.line), time: Array.from(r.steps.time), firstEvent: Array.from(r.steps.firstEvent) },
    metrics: r.metrics,
    regions: r.regions.map((x) => [x.name, x.resident]),
    diagnostics: r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`),
  };
}

/** A GPU and the CPU writing one 64 KiB range in turn: enough to make UVM throttle, then pin. */
export const PING_PONG = `machine x86-pcie
    A = mmap 64K
    cpu write A
    repeat 200
      gpu write A
      cpu write A
    end`;

/** Runs the scenario with no device layer at work and returns its context (for driving the device layer's parts by hand). */
export function contextAfter(text: string): DeviceContext {
  const statements = parse(text.replace(/^\s+/gm, '')).statements;
  const { machine } = buildMachine(statements);
  const s = new SimState(machine, costModelFor(machine), { ...DEFAULT_LIMITS });
  const idle: DeviceLayer = { execute() {}, finish() {} };
  const runner = new Runner(s, () => idle, {});
  runner.run(statements);
  assert.deepEqual(s.diagnostics.filter((d) => d.severity === 'error'), []);
  return runner.ctx;
}

/**
 * Runs the scenario with a fast path on, then off (`set(false)`), asserts that both
 * runs leave the same observable result, and returns the fast run.
 */
export function assertSameWithFastPathOff(text: string, set: (on: boolean) => void): SimResult {
  const fast = sim(text);
  set(false);
  try {
    assert.deepEqual(observable(fast), observable(sim(text)));
  } finally {
    set(true);
  }
  return fast;
}
