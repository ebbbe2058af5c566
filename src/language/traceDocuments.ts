// Which open documents are traces the engine can replay. A plain-text or log document
// is sniffed (its first lines only) when it opens or changes; any other document only
// when the user asks for the explorer on it. Its language is left alone: recognition
// is remembered here, by URI, and the providers look a document's run up by URI.

import * as vscode from 'vscode';
import { detectTrace, leadingLines, type TraceKind } from '../engine/import/detect';

/** Languages VS Code gives logs: `.log`, `.txt`, `.strace` and extensionless files. */
const SNIFFED_LANGUAGES = new Set(['plaintext', 'log']);
const SNIFFED_SCHEMES = new Set(['file', 'untitled']);

export class TraceDocuments {
  private readonly kinds = new Map<string, TraceKind>();

  /** The trace kind remembered for the document, if it was recognised. */
  kindOf(uri: vscode.Uri): TraceKind | undefined {
    return this.kinds.get(uri.toString());
  }

  /**
   * Sniffs the document again and remembers the answer. `explicit`: the user asked for
   * it, so a document of any language but memplace is sniffed.
   */
  sniff(document: vscode.TextDocument, explicit = false): TraceKind | undefined {
    if (!SNIFFED_SCHEMES.has(document.uri.scheme) || document.languageId === 'memplace') return undefined;
    if (!explicit && !SNIFFED_LANGUAGES.has(document.languageId) && !this.kinds.has(document.uri.toString())) return undefined;
    const kind = detectTrace(leadingLines(documentLines(document)));
    if (kind) this.kinds.set(document.uri.toString(), kind);
    else this.kinds.delete(document.uri.toString());
    return kind;
  }

  forget(uri: vscode.Uri): void {
    this.kinds.delete(uri.toString());
  }
}

function* documentLines(document: vscode.TextDocument): Generator<string> {
  for (let line = 0; line < document.lineCount; line++) yield document.lineAt(line).text;
}
