// Splits one source line into tokens. The language is line based, so the lexer never
// looks past a newline: an unterminated string simply ends with its line. A single
// forward pass over the characters, no regular expressions, so hostile input (NUL
// bytes, 50,000-character lines) costs linear time.

export type TokenKind = 'word' | 'string' | 'sym';

export interface Token {
  kind: TokenKind;
  /** the source text (for strings, with the quotes) */
  text: string;
  /** for strings: the decoded content, `\"` and `\\` unescaped */
  value: string;
  /** 0-based offsets into the line; `end` is exclusive */
  start: number;
  end: number;
}

export interface LexedLine {
  tokens: Token[];
  /** offset of an unterminated string's opening quote, if the line has one */
  unterminatedString?: number;
}

/** Character codes that are a symbol on their own: = < > [ ] : + , ( ) ! */
const SINGLE = new Uint8Array(128);
for (const ch of '=<>[]:+,()!') SINGLE[ch.charCodeAt(0)] = 1;

const enum Code {
  Tab = 9,
  VerticalTab = 11,
  FormFeed = 12,
  Return = 13,
  Space = 32,
  Bang = 33,
  Quote = 34,
  Hash = 35,
  Dot = 46,
  Less = 60,
  Equals = 61,
  Greater = 62,
  Backslash = 92,
}

/** Character codes, not one-character strings and sets: the lexer runs once per character of the file. */
function isSpace(c: number): boolean {
  return c === Code.Space || c === Code.Tab || c === Code.Return || c === Code.FormFeed || c === Code.VerticalTab;
}

const isSingle = (c: number): boolean => c < 128 && SINGLE[c] === 1;

/** `==`, `!=`, `<=`, `>=` or `..` at `i`: tried before the one-character symbols. */
function isPair(line: string, i: number): boolean {
  const c = line.charCodeAt(i);
  const next = line.charCodeAt(i + 1);
  if (c === Code.Dot) return next === Code.Dot;
  return next === Code.Equals && (c === Code.Equals || c === Code.Bang || c === Code.Less || c === Code.Greater);
}

/** Where a word stops: blanks, comments, quotes, symbols, and `..` (so `0x1000..0x2000` splits). */
function endsWord(line: string, i: number): boolean {
  const c = line.charCodeAt(i);
  if (isSpace(c) || c === Code.Hash || c === Code.Quote || isSingle(c)) return true;
  return c === Code.Dot && line.charCodeAt(i + 1) === Code.Dot;
}

function scanString(line: string, start: number): { token: Token; terminated: boolean } {
  let value = '';
  let from = start + 1;
  let i = from;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c === Code.Quote) break;
    if (c === Code.Backslash) {
      const next = line.charCodeAt(i + 1);
      if (next === Code.Quote || next === Code.Backslash) {
        value += line.slice(from, i);
        from = i + 1;
        i++;
      }
    }
    i++;
  }
  value += line.slice(from, i);
  const terminated = i < line.length;
  const end = terminated ? i + 1 : i;
  return { token: { kind: 'string', text: line.slice(start, end), value, start, end }, terminated };
}

export function lexLine(line: string): LexedLine {
  const tokens: Token[] = [];
  let unterminatedString: number | undefined;
  let i = 0;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === Code.Hash) {
      break;
    } else if (c === Code.Quote) {
      const { token, terminated } = scanString(line, i);
      if (!terminated) unterminatedString = i;
      tokens.push(token);
      i = token.end;
    } else if (isPair(line, i)) {
      const text = line.slice(i, i + 2);
      tokens.push({ kind: 'sym', text, value: text, start: i, end: i + 2 });
      i += 2;
    } else if (isSingle(c)) {
      const text = line[i];
      tokens.push({ kind: 'sym', text, value: text, start: i, end: i + 1 });
      i++;
    } else {
      const start = i;
      i++;
      while (i < line.length && !endsWord(line, i)) i++;
      const text = line.slice(start, i);
      tokens.push({ kind: 'word', text, value: text, start, end: i });
    }
  }
  return unterminatedString === undefined ? { tokens } : { tokens, unterminatedString };
}
