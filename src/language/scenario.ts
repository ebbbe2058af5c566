// The one seam between an editor document and the engine: a document becomes scenario
// text plus a map between the scenario's lines and the document's. `.mplace` files are
// their own scenario; a recognised trace (strace or UVMSmart log) is converted in the
// worker (worker/traceScenario.ts), which sends back, per scenario line, the log line
// it came from, so that lenses, diagnostics and highlights land on the log's lines.

export interface ScenarioSource {
  languageId: string;
  getText(): string;
}

/** 1-based lines both ways. */
export interface LineMap {
  toDocument(scenarioLine: number): number;
  /** the first scenario line made from this document line, 0 when none */
  toScenario(documentLine: number): number;
  /** every scenario line made from this document line (a call and its `expect`), in order */
  scenarioLines(documentLine: number): number[];
  /** scenario columns are document columns (false: a scenario statement covers the whole log line) */
  sameColumns: boolean;
}

export interface Scenario {
  text: string;
  lineMap: LineMap;
}

export const IDENTITY_LINES: LineMap = {
  toDocument: (line) => line,
  toScenario: (line) => line,
  scenarioLines: (line) => [line],
  sameColumns: true,
};

export function toScenario(document: ScenarioSource): Scenario {
  return { text: document.getText(), lineMap: IDENTITY_LINES };
}

/**
 * The map of a converted trace from its importer's provenance: `logLines[k]` is the
 * log line of scenario line k+1, or 0 for a line the importer generated (header,
 * machine, summary). A generated line stands for the log line before it (the first
 * line when there is none), so a diagnostic or a step on it still lands somewhere.
 */
export function traceLineMap(logLines: readonly number[]): LineMap {
  const toDocument: number[] = [];
  const toScenario = new Map<number, number[]>();
  let previous = 1;
  logLines.forEach((logLine, k) => {
    if (logLine > 0) {
      previous = logLine;
      const lines = toScenario.get(logLine);
      if (lines) lines.push(k + 1);
      else toScenario.set(logLine, [k + 1]);
    }
    toDocument.push(previous);
  });
  return {
    toDocument: (line) => toDocument[line - 1] ?? previous,
    toScenario: (line) => toScenario.get(line)?.[0] ?? 0,
    scenarioLines: (line) => toScenario.get(line) ?? [],
    sameColumns: false,
  };
}

/** Where a log's converted scenario goes: beside it, its extension replaced (`run.strace` → `run.mplace`). */
export function scenarioPathFor(logPath: string): string {
  const slash = logPath.lastIndexOf('/') + 1;
  const dot = logPath.lastIndexOf('.');
  const stem = dot > slash ? logPath.slice(0, dot) : logPath;
  return `${stem}.mplace`;
}
