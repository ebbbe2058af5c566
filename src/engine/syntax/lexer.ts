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

/** Two-character symbols, tried before the one-character ones. */
const PAIRS = new Set(['==', '!=', '<=', '>=', '..']);
const PAIR_STARTS = new Set(['=', '!', '<', '>', '.']);
/** Characters that are a symbol on their own. */
const SINGLES = new Set(['=', '<', '>', '[', ']', ':', '+', ',', '(', ')', '!']);

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v';
}

/** Where a word stops: blanks, comments, quotes, symbols, and `..` (so `0x1000..0x2000` splits). */
function endsWord(line: string, i: number): boolean {
  const ch = line[i];
  if (isSpace(ch) || ch === '#' || ch === '"' || SINGLES.has(ch)) return true;
  return ch === '.' && line[i + 1] === '.';
}

function scanString(line: string, start: number): { token: Token; terminated: boolean } {
  let value = '';
  let i = start + 1;
  while (i < line.length && line[i] !== '"') {
    if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) i++;
    value += line[i];
    i++;
  }
  const terminated = i < line.length;
  const end = terminated ? i + 1 : i;
  return { token: { kind: 'string', text: line.slice(start, end), value, start, end }, terminated };
}

export function lexLine(line: string): LexedLine {
  const tokens: Token[] = [];
  let unterminatedString: number | undefined;
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (isSpace(ch)) {
      i++;
    } else if (ch === '#') {
      break;
    } else if (ch === '"') {
      const { token, terminated } = scanString(line, i);
      if (!terminated) unterminatedString = i;
      tokens.push(token);
      i = token.end;
    } else if (PAIR_STARTS.has(ch) && PAIRS.has(ch + line[i + 1])) {
      const text = line.slice(i, i + 2);
      tokens.push({ kind: 'sym', text, value: text, start: i, end: i + 2 });
      i += 2;
    } else if (SINGLES.has(ch)) {
      tokens.push({ kind: 'sym', text: ch, value: ch, start: i, end: i + 1 });
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
