// The engine's public API: everything the CLI, the extension and the webview use.

export { simulate, simulateText, type SimulateOptions } from './simulate';
export { parse } from './syntax/parser';
export * from './result';
export * from './events';
export type * from './syntax/ast';
export { MPOL, MPOL_F, MPOL_MF } from './syntax/ast';
export { buildMachine, PRESETS, DEFAULT_PRESET, type Machine, type MachineNode } from './machine/machine';
export { costModelFor, type CostModel } from './machine/costs';
export type { DeviceLayer, DeviceLayerFactory, DeviceContext, DeviceStatement } from './sim/device';
export { DEFAULT_LIMITS, type RunLimits, type Region, type Thread } from './sim/state';
export type { Policy } from './sim/policy';
export type { Part, AddressRange } from './sim/address';
export { PageFlag, type PageStore, type Chunk } from './sim/pages';
