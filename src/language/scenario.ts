// The one seam between an editor document and the engine: a document becomes scenario
// text plus a map between the scenario's lines and the document's. `.mplace` files are
// their own scenario; an imported trace (e.g. an strace log) will convert here, and its
// lenses, diagnostics and highlights will land on the log lines the map names.

export interface ScenarioSource {
  languageId: string;
  getText(): string;
}

/** 1-based lines both ways. */
export interface LineMap {
  toDocument(scenarioLine: number): number;
  toScenario(documentLine: number): number;
}

export interface Scenario {
  text: string;
  lineMap: LineMap;
}

export const IDENTITY_LINES: LineMap = { toDocument: (line) => line, toScenario: (line) => line };

export function toScenario(document: ScenarioSource): Scenario {
  return { text: document.getText(), lineMap: IDENTITY_LINES };
}
