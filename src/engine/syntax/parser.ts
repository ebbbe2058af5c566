// `parse(text)`: a `.mplace` file to its syntax tree and diagnostics. The file is read
// line by line; each line is one statement, parsed by the statement modules. This
// module owns what spans lines: blocks (`machine`, `phase`, `repeat` … `end`), the
// recovery rules, and the cap on reported diagnostics. It never throws.

import type { ParseDiagnostic, Scenario, Span, Statement } from './ast';
import { Cursor, LineError, show } from './cursor';
import { expect } from './expectStatement';
import { type Token, lexLine } from './lexer';
import { type MachineContext, distanceDecl, driver, linkDecl, machine, nodeDecl, pagesize } from './machineStatements';
import { advise, driverMove, getMempolicy, mbind, migratePages, movePages, setMempolicy } from './policyStatements';
import { caps, clock, cpu, gpu, mmap, mprotect, munmap, phase, repeat, reset, thread } from './processStatements';
import { closest } from './suggest';
import { STATEMENT_KEYWORDS } from './vocabulary';

type StatementParser = (c: Cursor, first: Token, ctx: MachineContext) => Statement;

const STATEMENTS: ReadonlyMap<string, StatementParser> = new Map<string, StatementParser>([
  ['machine', machine],
  ['pagesize', pagesize],
  ['driver', driver],
  ['thread', thread],
  ['caps', caps],
  ['munmap', munmap],
  ['mprotect', mprotect],
  ['cpu', cpu],
  ['gpu', gpu],
  ['mbind', mbind],
  ['set_mempolicy', setMempolicy],
  ['get_mempolicy', getMempolicy],
  ['move_pages', movePages],
  ['migrate_pages', migratePages],
  ['advise', advise],
  ['prefetch', driverMove('prefetch')],
  ['migrate', driverMove('migrate')],
  ['wait', clock('wait')],
  ['at', clock('at')],
  ['reset', reset],
  ['phase', phase],
  ['repeat', repeat],
  ['expect', expect],
]);

/** Lines that only a machine block holds. */
const MACHINE_LINES = new Set(['node', 'link', 'distance']);

/** Past this many, diagnostics are counted rather than reported: a garbage file stays cheap to show. */
export const MAX_DIAGNOSTICS = 1000;

/** Deeper blocks are diagnosed and flattened. */
export const MAX_NESTING = 64;

type BlockStatement = Extract<Statement, { kind: 'phase' | 'repeat' | 'machineBlock' }>;

interface Frame {
  keyword: 'machine' | 'phase' | 'repeat';
  /** the statement being filled; absent when the opening line was bad (its body is kept, unwrapped) */
  block?: BlockStatement;
  open: Span;
  body: Statement[];
}

class DiagnosticSink {
  private readonly kept: ParseDiagnostic[] = [];
  private suppressed = 0;
  private firstSuppressed?: Span;

  add(d: ParseDiagnostic): void {
    if (this.kept.length < MAX_DIAGNOSTICS) {
      this.kept.push(d);
    } else {
      this.suppressed++;
      this.firstSuppressed ??= d.span;
    }
  }

  error(span: Span, message: string): void {
    this.add({ span, severity: 'error', code: 'parse-error', message });
  }

  finish(): ParseDiagnostic[] {
    const sorted = this.kept.sort((a, b) => a.span.line - b.span.line || a.span.column - b.span.column);
    if (this.firstSuppressed) {
      sorted.push({
        span: this.firstSuppressed,
        severity: 'error',
        code: 'parse-error',
        message: `${this.suppressed} more problems from here on are not reported (only the first ${MAX_DIAGNOSTICS} are)`,
      });
    }
    return sorted;
  }
}

export function parse(text: string): Scenario {
  return new ScenarioParser(text.split('\n')).run();
}

class ScenarioParser {
  private readonly root: Statement[] = [];
  private readonly stack: Frame[] = [];
  private readonly diagnostics = new DiagnosticSink();
  /** where the last non-blank line ended (1-based): blocks closed implicitly end there */
  private lastEndLine = 1;
  private lastEndColumn = 1;

  constructor(private readonly lines: readonly string[]) {}

  run(): Scenario {
    for (let i = 0; i < this.lines.length; i++) this.line(i);
    this.closeUnclosed();
    return { statements: this.root, diagnostics: this.diagnostics.finish(), lineCount: this.lines.length };
  }

  private line(index: number): void {
    const { tokens, unterminatedString } = lexLine(this.lines[index]);
    if (tokens.length === 0) return;
    const c = new Cursor(index + 1, tokens);
    if (unterminatedString !== undefined) {
      const quote = tokens.find((t) => t.start === unterminatedString) ?? tokens[0];
      this.diagnostics.error(c.span(quote), 'unterminated string: add the closing "');
    }
    try {
      this.statement(c, index);
    } catch (e) {
      this.diagnostics.add(e instanceof LineError ? e.diagnostic : internalError(c, e));
      this.openBrokenBlock(c, index);
    }
    this.lastEndLine = index + 1;
    this.lastEndColumn = tokens[tokens.length - 1].end + 1;
  }

  private statement(c: Cursor, index: number): void {
    const first = c.tokens[0];
    const keyword = first.kind === 'word' ? first.text : '';
    if (keyword === 'end') {
      c.next('end');
      if (this.stack.length === 0) c.fail(first, "stray 'end': no machine, phase or repeat block is open");
      this.close(c.span(first));
      c.end();
      return;
    }
    const top = this.stack.at(-1);
    if (top?.keyword === 'machine') {
      if (MACHINE_LINES.has(keyword)) return this.machineLine(c, first, top);
      this.diagnostics.error(
        c.span(first),
        `${show(first.text)} does not belong in the machine block opened at line ${top.open.line}: is its 'end' missing?`,
      );
      this.close({ ...c.span(first), endLine: this.lastEndLine, endColumn: this.lastEndColumn });
    }
    if (MACHINE_LINES.has(keyword)) c.fail(first, `${keyword} belongs inside a machine block (machine <name> … end)`);
    // `A = mmap …` is the one statement that does not start with its keyword
    const statement = c.isSym('=', 1) ? mmap(c, first) : this.keywordStatement(c, first, index);
    if (statement.kind === 'phase' || statement.kind === 'repeat' || statement.kind === 'machineBlock') {
      const keyword = statement.kind === 'machineBlock' ? 'machine' : statement.kind;
      if (this.stack.length >= MAX_NESTING) {
        // the tree's consumers recurse into bodies: keep the tree shallow, still match the `end`
        this.diagnostics.error(statement.span, `blocks nest more than ${MAX_NESTING} deep; this one is ignored`);
        this.stack.push({ keyword, open: statement.span, body: [] });
        return;
      }
      this.stack.push({ keyword, block: statement, open: statement.span, body: [] });
    } else {
      this.body().push(statement);
    }
  }

  private keywordStatement(c: Cursor, first: Token, index: number): Statement {
    c.next('a statement');
    const parser = first.kind === 'word' ? STATEMENTS.get(first.text) : undefined;
    if (parser) {
      return parser(c, first, {
        topLevel: this.stack.length === 0,
        machineBodyFollows: () => this.machineBodyFollows(index),
      });
    }
    if (first.text === 'mmap') c.fail(first, 'mmap needs a region name: A = mmap <size>');
    const guess = closest(first.text, STATEMENT_KEYWORDS);
    return c.fail(first, `unknown statement ${show(first.text)}${guess ? `; did you mean '${guess}'?` : ''}`);
  }

  private machineLine(c: Cursor, first: Token, frame: Frame): void {
    c.next(first.text);
    // parsed even inside a block whose opening line was bad, so its own mistakes are reported
    const block = frame.block?.kind === 'machineBlock' ? frame.block : undefined;
    if (first.text === 'node') {
      const decl = nodeDecl(c, first);
      block?.nodes.push(decl);
    } else if (first.text === 'link') {
      const decl = linkDecl(c, first);
      block?.links.push(decl);
    } else {
      const decl = distanceDecl(c, first);
      block?.distances.push(decl);
    }
  }

  /** The next statement line is part of a machine block's body. */
  private machineBodyFollows(index: number): boolean {
    for (let j = index + 1; j < this.lines.length; j++) {
      const next = lexLine(this.lines[j]).tokens[0];
      if (next) return next.kind === 'word' && (MACHINE_LINES.has(next.text) || next.text === 'end');
    }
    return false;
  }

  /** A block-opening line that failed still opens its block, so its `end` closes it and not an outer one. */
  private openBrokenBlock(c: Cursor, index: number): void {
    const first = c.tokens[0];
    const opens =
      first.text === 'phase' ||
      first.text === 'repeat' ||
      (first.text === 'machine' && this.stack.length === 0 && this.machineBodyFollows(index));
    if (first.kind === 'word' && opens) {
      const keyword = first.text as Frame['keyword'];
      this.stack.push({ keyword, open: c.span(first, c.tokens[c.tokens.length - 1]), body: [] });
    }
  }

  private body(): Statement[] {
    return this.stack.at(-1)?.body ?? this.root;
  }

  /** Closes the innermost block; `until` is where the block's span ends. */
  private close(until: Span): void {
    const frame = this.stack.pop();
    if (!frame) return;
    const parent = this.body();
    if (!frame.block) {
      for (const s of frame.body) parent.push(s); // no spread: bodies can be huge
      return;
    }
    frame.block.span = { ...frame.block.span, endLine: until.endLine, endColumn: until.endColumn };
    if (frame.block.kind !== 'machineBlock') frame.block.body = frame.body;
    parent.push(frame.block);
  }

  private closeUnclosed(): void {
    while (this.stack.length > 0) {
      const frame = this.stack[this.stack.length - 1];
      this.diagnostics.error(frame.open, `this ${frame.keyword} block is never closed: add 'end'`);
      this.close({ ...frame.open, endLine: this.lastEndLine, endColumn: this.lastEndColumn });
    }
  }
}

/** A bug in the parser must not take the editor down: it becomes a diagnostic on its line. */
function internalError(c: Cursor, e: unknown): ParseDiagnostic {
  const span = c.span(c.tokens[0], c.tokens[c.tokens.length - 1]);
  return { span, severity: 'error', code: 'parse-error', message: `internal parser error: ${String(e)}` };
}
