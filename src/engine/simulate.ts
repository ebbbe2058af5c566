// The engine's entry point: a scenario (or its text) in, a SimResult out.
// Deterministic: the same scenario, machine and options give the same result.

import { costModelFor } from './machine/costs';
import { buildMachine } from './machine/machine';
import type { SimResult } from './result';
import { driverLayer } from './device/layer';
import { describeParams, resolveDriver } from './device/params';
import type { DeviceLayerFactory } from './sim/device';
import { finalMetrics, machineInfo, regionReports } from './sim/report';
import { plannedSteps, Runner } from './sim/run';
import { DEFAULT_LIMITS, SimState, type RunLimits } from './sim/state';
import type { Scenario } from './syntax/ast';
import { parse } from './syntax/parser';

export interface SimulateOptions {
  /** file name for the result and diagnostics */
  file?: string;
  /** a preset that replaces the scenario's machine */
  machine?: string;
  /** driver parameters overriding the `driver` statement's (`--set key=value`) */
  set?: Record<string, string>;
  /** makes the run's device layer; by default the driver policies of device/layer.ts */
  device?: DeviceLayerFactory;
  /** work limits of the run (lower them for runs while the user types) */
  limits?: Partial<RunLimits>;
}

export function simulate(scenario: Scenario, options: SimulateOptions = {}): SimResult {
  const { machine, problems } = buildMachine(scenario.statements, options.machine);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const s = new SimState(machine, costModelFor(machine), limits);
  for (const d of scenario.diagnostics) s.diag(d.span, d.severity, d.code, d.message);
  for (const p of problems) s.diag(p.span, 'error', p.code, p.message);

  const driverStatement = scenario.statements.find((st) => st.kind === 'driver');
  const driverParams: Record<string, string> = {};
  if (driverStatement?.kind === 'driver') for (const p of driverStatement.params) driverParams[p.key] = p.value;
  Object.assign(driverParams, options.set);
  // `--set driver=<policy>` picks the policy over the driver line's
  const policyName = options.set?.driver ?? (driverStatement?.kind === 'driver' ? driverStatement.policy.name : undefined);
  const settings = Object.entries(driverParams).filter(([key]) => key !== 'driver').map(([key, value]) => ({ key, value }));
  const { params } = resolveDriver(policyName, settings, machine);

  const runner = new Runner(s, options.device ?? driverLayer, driverParams);
  // The logs take the run's length at once rather than growing (see EventLog.reserve).
  // Two events per step: what a one-page statement logs when it faults (the fault and
  // the page's placement); the bench's random run logs 1.45 to 1.55. Room not written
  // is never touched, so it costs address space, not memory; growing mid-run instead
  // set off a collection of the whole heap (the syntax tree of a long scenario
  // included) that the same room taken at the start, where one comes anyway, did not.
  const steps = plannedSteps(scenario.statements, limits.steps);
  s.steps.reserve(steps);
  s.events.reserve(Math.min(2 * steps, limits.events));
  runner.run(scenario.statements);
  runner.finish();
  finalMetrics(s);
  return {
    file: options.file ?? '',
    machine: machineInfo(s, params.policy, describeParams(params)),
    regions: regionReports(s),
    calls: s.calls,
    expects: s.expects,
    diagnostics: s.diagnostics,
    metrics: s.metrics,
    steps: s.steps.finish(),
    events: s.events,
    stopped: s.stopped,
    threads: s.threads.map((t) => t.name),
  };
}

/** Parses and simulates; parse diagnostics become part of the result. */
export function simulateText(text: string, options: SimulateOptions = {}): SimResult {
  return simulate(parse(text), options);
}
