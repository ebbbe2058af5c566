// GPGPU-Sim UVMSmart logs: a streaming reader and a converter to `.mplace` scenarios.

export { detectUvmSmart, readUvmSmart, UvmSmartLineReader, type ReadOptions } from './reader';
export {
  uvmSmartToScenario,
  type ConversionStats,
  type ConvertOptions,
  type UvmSmartConversion,
} from './convert';
export type { LogReference } from './reference';
export type * from './types';
