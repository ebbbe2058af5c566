// A cursor over one line's tokens. Statement parsers read through it and stop at
// the first problem by throwing a LineError, which the line loop turns into one
// diagnostic before moving on to the next line (so a bad line never hides the rest
// of the file).

import type { Named, ParseDiagnostic, Span } from './ast';
import type { Token } from './lexer';
import { closest } from './suggest';

/** Thrown inside the parser only; never escapes `parse`. Not an Error: no stack to capture. */
export class LineError {
  constructor(readonly diagnostic: ParseDiagnostic) {}
}

const SHOWN_LENGTH = 32;

/** A token's text fit for a message: short, quoted, with control characters escaped. */
export function show(text: string): string {
  const cut = text.length > SHOWN_LENGTH ? `${text.slice(0, SHOWN_LENGTH)}…` : text;
  return `'${JSON.stringify(cut).slice(1, -1)}'`;
}

export class Cursor {
  private pos = 0;

  constructor(
    readonly line: number,
    readonly tokens: readonly Token[],
  ) {}

  get atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  peek(ahead = 0): Token | undefined {
    return this.tokens[this.pos + ahead];
  }

  /** The token most recently consumed (or the first one, before any). */
  get previous(): Token {
    return this.tokens[Math.max(0, this.pos - 1)];
  }

  isSym(text: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t?.kind === 'sym' && t.text === text;
  }

  isWord(text: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t?.kind === 'word' && t.text === text;
  }

  /** The next word is `key` followed by `=`. */
  isKey(key: string): boolean {
    return this.isWord(key) && this.isSym('=', 1);
  }

  span(from: Token, to: Token = from): Span {
    return { line: this.line, column: from.start + 1, endLine: this.line, endColumn: to.end + 1 };
  }

  /** From `from` to the last consumed token. */
  spanSince(from: Token): Span {
    return this.span(from, this.previous);
  }

  named(t: Token): Named {
    return { name: t.value, span: this.span(t) };
  }

  fail(at: Token | Span, message: string, code: ParseDiagnostic['code'] = 'parse-error'): never {
    const span = 'kind' in at ? this.span(at) : at;
    throw new LineError({ span, severity: 'error', code, message });
  }

  /** "expected X, got 'y'" at the offending token, or at the last token when the line ran out. */
  expected(what: string): never {
    const t = this.peek();
    if (t) this.fail(t, `expected ${what}, got ${show(t.text)}`);
    this.fail(this.previous, `expected ${what}, got the end of the line`);
  }

  next(what: string): Token {
    if (this.atEnd) this.expected(what);
    return this.tokens[this.pos++];
  }

  word(what: string): Token {
    if (this.peek()?.kind !== 'word') this.expected(what);
    return this.tokens[this.pos++];
  }

  sym(text: string, what = `'${text}'`): Token {
    if (!this.isSym(text)) this.expected(what);
    return this.tokens[this.pos++];
  }

  /** A word that must be one of `choices`; a near miss is reported as a misspelling. */
  choice<T extends string>(choices: readonly T[], what: string): Token & { text: T } {
    const t = this.peek();
    if (t?.kind === 'word' && (choices as readonly string[]).includes(t.text)) {
      this.pos++;
      return t as Token & { text: T };
    }
    const expected = choices.length === 1 ? `'${choices[0]}'` : `${what} (${choices.join(', ')})`;
    if (t?.kind === 'word') this.unknownOr(t, what, choices, `expected ${expected}, got ${show(t.text)}`);
    return this.expected(expected);
  }

  /** An `unknown-name` diagnostic for a word outside a known vocabulary. */
  unknown(t: Token, what: string, known: Iterable<string>): never {
    const guess = closest(t.text, known);
    const hint = guess ? `; did you mean '${guess}'?` : '';
    this.fail(t, `unknown ${what} ${show(t.text)}${hint}`, 'unknown-name');
  }

  /** A misspelling (`unknown-name`) when a known word is close, else a `parse-error` saying `otherwise`. */
  unknownOr(t: Token, what: string, known: Iterable<string>, otherwise: string): never {
    if (closest(t.text, known)) this.unknown(t, what, known);
    this.fail(t, otherwise);
  }

  /** Nothing may follow on the line. */
  end(): void {
    const t = this.peek();
    if (t) this.fail(t, `unexpected ${show(t.text)} at the end of the statement`);
  }
}
