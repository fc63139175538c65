import type { ParseProblem } from "../../model/project.js";
import {
  ExpressionParser,
  isIdentStart,
  parseExpressionAt,
  type HclExpr,
  type HclSyntaxProblem,
} from "./hcl-expression.js";

/** An HCL body as both front ends give it: the TypeScript parser below and the hcl2json fallback's scanner. */
export interface HclAttribute {
  name: string;
  nameStart: number;
  /** Offsets of the expression's source text: `[exprStart, exprEnd)`, comments and trailing blanks excluded. */
  exprStart: number;
  exprEnd: number;
  /**
   * Set by the TypeScript parser, which checked the expression: `attributeExpression` parses it again where
   * it is evaluated. Most expressions never are; their trees die young instead of being kept for the run.
   */
  checked?: true;
  /**
   * Set by the scan of a block's body (`scanBody`): the expression was not parsed; the parser must end it at
   * `exprEnd` when it is read (`exprTree` in `module.ts`), or the file is parsed whole.
   */
  scanned?: true;
  /** The expression's tree, kept when the block was parsed because evaluation reads it (`parseTopBlock`). */
  tree?: HclExpr;
}

export interface HclLabel {
  value: string;
  start: number;
}

export interface HclBlock {
  type: string;
  typeStart: number;
  labels: HclLabel[];
  body: HclBody;
  /** Offset after the closing brace. */
  end: number;
}

export interface HclBody {
  attributes: HclAttribute[];
  blocks: HclBlock[];
}

/** The attributes of a body by name (the last one wins, as Terraform would refuse duplicates anyway). */
export function attributeMap(body: HclBody): Map<string, HclAttribute> {
  return new Map(body.attributes.map((a) => [a.name, a]));
}

/**
 * The structure of an HCL file (hclsyntax `Body`): attributes `name = expression` ending at a newline,
 * blocks `type label* { … }` with their closing brace on its own line, one-line blocks `type { name = x }`.
 * Unlike the lenient scanner of `hcl2json-fallback/scan.ts`, nothing is skipped: every expression is parsed (and
 * kept on its attribute), every brace must balance, and the first thing out of place is returned as a
 * problem with its position. A file without a problem needs no other parser.
 */
export type HclFile = { body: HclBody } | { problem: HclSyntaxProblem };

/** What the HCL front end (`parseHcl`) gives for a file: its body, or the parse problem to report. */
export type HclResult = { body: HclBody } | { problem: ParseProblem };

/** The problem of a block still open at the end of the file (the innermost one). */
export const UNCLOSED_BLOCK = 'Unclosed configuration block: there is no "}" for this "{"';

/** Blocks nested deeper than this are a problem (handed to hcl2json), not a stack overflow. */
const MAX_BLOCK_DEPTH = 64;

export function parseHclFile(text: string): HclFile {
  const p = new BodyParser(text);
  // A UTF-8 byte order mark is tolerated, as hcl2json does.
  if (text.charCodeAt(0) === 0xfeff) p.pos = 1;
  const r = p.run(() => p.body(0, undefined));
  return "error" in r ? { problem: r.error } : { body: r.value };
}

/**
 * The top-level block whose type keyword starts at `typeStart` (found by `scanTopLevel`), parsed exactly as
 * `parseHclFile` parses it inside the whole file; its expressions' trees are kept (evaluation reads the block).
 */
export function parseTopBlock(text: string, typeStart: number): HclBlock | { problem: HclSyntaxProblem } {
  const p = new BodyParser(text, true);
  p.pos = typeStart;
  const r = p.run(() => {
    const type = p.ident();
    p.skip();
    return p.block(type, typeStart, 0);
  });
  return "error" in r ? { problem: r.error } : r.value;
}

/**
 * The expression of an attribute the TypeScript parser checked (`checked`), parsed again from its start
 * exactly as the body parser read it (newlines end it).
 */
export function attributeExpression(text: string, exprStart: number): HclExpr {
  const r = parseExpressionAt(text, exprStart);
  if ("error" in r)
    throw new Error(`an expression the HCL parser accepted is refused when read again: ${r.error.message}`);
  return r.value;
}

class BodyParser extends ExpressionParser {
  constructor(
    text: string,
    private readonly keepTrees = false,
  ) {
    super(text);
    this.newlineSignificant.push(true);
  }

  /** `open`: offset of the `{` this body belongs to (undefined at the top level). */
  body(depth: number, open: number | undefined): HclBody {
    const t = this.text;
    const body: HclBody = { attributes: [], blocks: [] };
    for (;;) {
      this.skipLines();
      if (this.pos >= t.length) {
        if (open !== undefined) this.fail(UNCLOSED_BLOCK, open);
        return body;
      }
      const c = t.charCodeAt(this.pos);
      if (c === 125 /* } */) {
        if (open === undefined) this.fail('Unexpected "}": no block is open here', this.pos);
        this.pos++;
        return body;
      }
      if (!isIdentStart(c, t, this.pos)) this.fail("Argument or block definition required: expected a name", this.pos);
      const nameStart = this.pos;
      const name = this.ident();
      this.skip();
      if (this.text.charCodeAt(this.pos) === 61 /* = */ && this.text.charCodeAt(this.pos + 1) !== 61) {
        body.attributes.push(this.attribute(name, nameStart));
        this.lineEnd(false);
        continue;
      }
      body.blocks.push(this.block(name, nameStart, depth));
    }
  }

  /** At `=` after an attribute name. */
  private attribute(name: string, nameStart: number): HclBody["attributes"][number] {
    this.pos++;
    this.skip();
    const exprStart = this.pos;
    const expr = this.expression();
    if (this.keepTrees) return { name, nameStart, exprStart, exprEnd: expr.end, checked: true, tree: expr };
    return { name, nameStart, exprStart, exprEnd: expr.end, checked: true };
  }

  block(type: string, typeStart: number, depth: number): HclBlock {
    const t = this.text;
    const labels: HclLabel[] = [];
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 34 /* " */) labels.push(this.label());
      else if (this.pos < t.length && isIdentStart(c, t, this.pos))
        labels.push({ start: this.pos, value: this.ident() });
      else break;
      this.skip();
    }
    if (t.charCodeAt(this.pos) !== 123 /* { */) {
      if (labels.length === 0)
        this.fail(
          `Invalid argument or block: "${type}" must be followed by "=" (an argument) or by labels and "{" (a block)`,
          this.pos,
        );
      this.fail('Invalid block definition: expected "{" after the block labels', this.pos);
    }
    const open = this.pos;
    if (depth >= MAX_BLOCK_DEPTH) this.tooDeep(MAX_BLOCK_DEPTH, open);
    this.pos++;
    this.skip();
    let body: HclBody;
    if (t.charCodeAt(this.pos) === 125) {
      this.pos++;
      body = { attributes: [], blocks: [] };
    } else if (this.atLineEnd()) {
      body = this.body(depth + 1, open);
    } else {
      // A one-line block holds at most one attribute: `type { name = value }`.
      const nameStart = this.pos;
      if (!isIdentStart(t.charCodeAt(this.pos), t, this.pos))
        this.fail("Invalid single-line block: expected an argument name", this.pos);
      const name = this.ident();
      this.skip();
      if (t.charCodeAt(this.pos) !== 61 || t.charCodeAt(this.pos + 1) === 61)
        this.fail("Invalid single-line block: a block on one line can hold only one argument", this.pos);
      const attr = this.attribute(name, nameStart);
      this.skip();
      if (t.charCodeAt(this.pos) !== 125)
        this.fail('Invalid single-line block: expected "}" after the argument', this.pos);
      this.pos++;
      body = { attributes: [attr], blocks: [] };
    }
    const end = this.pos;
    this.lineEnd(true);
    return { type, typeStart, labels, body, end };
  }

  /** A quoted block label: a string without interpolation. */
  private label(): HclLabel {
    const start = this.pos;
    this.pos++;
    const { parts } = this.templateBody("quoted", undefined);
    this.pos++;
    let value = "";
    for (const part of parts) {
      if (part.kind !== "text")
        this.fail("Invalid block label: template sequences are not allowed in labels", part.start, part.end);
      value += part.value;
    }
    return { start, value };
  }

  private atLineEnd(): boolean {
    const t = this.text;
    const c = t.charCodeAt(this.pos);
    return (
      this.pos >= t.length ||
      c === 10 ||
      (c === 13 && t.charCodeAt(this.pos + 1) === 10) ||
      c === 35 ||
      (c === 47 && t.charCodeAt(this.pos + 1) === 47)
    );
  }

  /** After an attribute or a block's `}`: only a comment may follow on the line. */
  private lineEnd(afterBlock: boolean): void {
    this.skip();
    if (this.atLineEnd()) return;
    if (this.text.charCodeAt(this.pos) === 125 && !afterBlock)
      this.fail('Missing newline after argument: "}" must start a new line', this.pos);
    this.fail(
      afterBlock
        ? "Missing newline after block definition"
        : "Missing newline after argument: an argument definition must end with a newline",
      this.pos,
    );
  }

  /** Skips blank lines and comments between definitions. */
  private skipLines(): void {
    this.newlineSignificant.push(false);
    this.skip();
    this.newlineSignificant.pop();
  }
}
