// Machines for the device and cost tests, built by the engine's own machine builder
// from the scenario text that declares them.

import assert from 'node:assert/strict';
import { buildMachine, type Machine } from '../../src/engine/machine/machine';
import { parse } from '../../src/engine/syntax/parser';

/** The machine a scenario declares: `machine gh200`, or a `machine … end` block. */
export function machineFrom(text: string): Machine {
  const scenario = parse(text);
  const { machine, problems } = buildMachine(scenario.statements);
  assert.deepEqual([...scenario.diagnostics, ...problems], [], text);
  return machine;
}

export const presetMachine = (preset: string): Machine => machineFrom(`machine ${preset}`);
