/**
 * A parser for HCL native syntax expressions and templates (hashicorp/hcl `hclsyntax/spec.md`), written
 * so that Terraform files can be read without starting the Go WebAssembly of `@cdktf/hcl2json`.
 *
 * Every node carries `start`/`end`: string offsets into the text it was parsed from (end exclusive), so
 * positions map straight into the `.tf` file. Syntax errors come back as `{ error }` with a position,
 * never as an exception. Newlines follow hclsyntax: they end an expression at the top level of an
 * attribute and inside object constructors (where they also separate items), and are plain whitespace
 * inside `()`, `[]`, function arguments, `for` expressions and template interpolations.
 */

export type BinaryOperator = "||" | "&&" | "==" | "!=" | "<" | ">" | "<=" | ">=" | "+" | "-" | "*" | "/" | "%";

interface Span {
  start: number;
  end: number;
}

export type HclExpr =
  | (Span & { type: "literal"; value: number | boolean | null })
  /** A quoted or heredoc template; a quoted one spans its quotes, a heredoc one `<<EOF` up to the closing marker. */
  | (Span & { type: "template"; parts: TemplatePart[]; heredoc: boolean })
  /** `"${expr}"` alone: the value of `expr`, unconverted (template interpolation unwrapping). */
  | (Span & { type: "wrap"; expr: HclExpr })
  | (Span & { type: "tuple"; items: HclExpr[] })
  /** Keys are expressions; a bare identifier key (`type: "variable"`) means its name, `(expr)` keys are `parens`. */
  | (Span & { type: "object"; items: { key: HclExpr; value: HclExpr }[] })
  | (Span & { type: "variable"; name: string })
  | (Span & { type: "traversal"; source: HclExpr; steps: TraversalStep[] })
  /** `source.*.a.b` (attribute-only splat) or `source[*].a[0]` (full splat): `steps` apply to each element. */
  | (Span & { type: "splat"; source: HclExpr; steps: TraversalStep[]; full: boolean })
  | (Span & { type: "call"; name: string; args: HclExpr[]; expandFinal: boolean })
  | (Span & {
      type: "for";
      keyVar?: string;
      valueVar: string;
      collection: HclExpr;
      key?: HclExpr;
      value: HclExpr;
      condition?: HclExpr;
      grouped: boolean;
      object: boolean;
    })
  | (Span & { type: "conditional"; condition: HclExpr; whenTrue: HclExpr; whenFalse: HclExpr })
  | (Span & { type: "binary"; operator: BinaryOperator; left: HclExpr; right: HclExpr })
  | (Span & { type: "unary"; operator: "-" | "!"; operand: HclExpr })
  | (Span & { type: "parens"; expr: HclExpr });

export type TraversalStep = (Span & { kind: "attr"; name: string }) | (Span & { kind: "index"; key: HclExpr });

export type TemplatePart =
  /** Literal text, escapes decoded; `offsets[i]` is the source offset of character `i` (absent: `start + i`). */
  | (Span & { kind: "text"; value: string; offsets?: number[] })
  | (Span & { kind: "interpolation"; expr: HclExpr })
  | (Span & { kind: "if"; condition: HclExpr; then: TemplatePart[]; else?: TemplatePart[] })
  | (Span & { kind: "for"; keyVar?: string; valueVar: string; collection: HclExpr; body: TemplatePart[] });

export interface HclSyntaxProblem {
  message: string;
  start: number;
  end: number;
  /** Set when the input is past a nesting limit rather than wrong: no other parser is tried on it. */
  limit?: boolean;
}

export type Parsed<T> = { value: T; end: number } | { error: HclSyntaxProblem };

/** Source offset of character `i` of a text part (`i === value.length` gives its end). */
export function textOffset(part: Extract<TemplatePart, { kind: "text" }>, i: number): number {
  return part.offsets ? (part.offsets[i] ?? part.end) : part.start + i;
}

/**
 * Parses the expression starting at `start` (blanks before it are skipped). It ends where the
 * expression ends: the caller decides what may follow. `newlinesEnd` (default true) makes a newline
 * end it, as for an attribute value.
 */
export function parseExpressionAt(text: string, start: number, newlinesEnd = true): Parsed<HclExpr> {
  const p = new ExpressionParser(text);
  return p.run(() => {
    p.pos = start;
    p.newlineSignificant.push(newlinesEnd);
    p.skip();
    return p.expression();
  });
}

/** Parses a whole expression: only blanks and comments may follow it. */
export function parseExpression(text: string): Parsed<HclExpr> {
  const p = new ExpressionParser(text);
  return p.run(() => {
    p.newlineSignificant.push(false);
    p.skip();
    const e = p.expression();
    p.skip();
    if (p.pos < text.length) p.fail("Extra characters after expression", p.pos);
    return e;
  });
}

/** Parses a bare template (a template file, a `.tf.json` string): all of `text` is template. */
export function parseTemplate(text: string): Parsed<TemplatePart[]> {
  const p = new ExpressionParser(text);
  return p.run(() => p.templateBody("bare", undefined).parts);
}

class ParseError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
    readonly limit = false,
  ) {
    super(message);
  }
}

const MAX_NESTING = 200;
const NESTED = "Terraform nested too deeply for oidclint";
export const HEREDOC_INTRO = /<<(-?)([A-Za-z_][A-Za-z0-9_-]*)(\r?\n)/y;
const NUMBER = /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
/** What ends a run of plain template text: in a quoted string, and in a heredoc or a bare template (quotes and backslashes are text there). */
const QUOTED_TEXT_END = /["\\$%\n\r]/g;
const TEXT_END = /[$%\n\r]/g;
const UNICODE_ID_START = /[\p{ID_Start}_]/u;
const UNICODE_ID_CONTINUE = /[\p{ID_Continue}-]/u;
const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

/** Binary operator precedence (hclsyntax spec): higher binds tighter. */
const LEVEL: Record<BinaryOperator, number> = {
  "||": 0,
  "&&": 1,
  "==": 2,
  "!=": 2,
  "<": 3,
  ">": 3,
  "<=": 3,
  ">=": 3,
  "+": 4,
  "-": 4,
  "*": 5,
  "/": 5,
  "%": 5,
};

export function isIdentStart(c: number, text: string, i: number): boolean {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) return true;
  if (c < 128) return false;
  return UNICODE_ID_START.test(String.fromCodePoint(text.codePointAt(i) ?? 0));
}

/** The end of the name whose characters continue at `from` (ASCII ones read without `isIdentChar`). */
function identEnd(t: string, from: number): number {
  let i = from;
  while (i < t.length) {
    const c = t.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45) i++;
    else if (c >= 128 && isIdentChar(c, t, i)) i += (t.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    else break;
  }
  return i;
}

export function isIdentChar(c: number, text: string, i: number): boolean {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45) return true;
  if (c < 128) return false;
  return UNICODE_ID_CONTINUE.test(String.fromCodePoint(text.codePointAt(i) ?? 0));
}

type TemplateMode = "quoted" | "heredoc" | "bare";
interface HeredocEnd {
  marker: string;
}

export class ExpressionParser {
  pos = 0;
  /** Innermost last: whether a newline ends the current construct. */
  readonly newlineSignificant: boolean[] = [];
  private depth = 0;

  constructor(readonly text: string) {}

  run<T>(body: () => T): Parsed<T> {
    try {
      const value = body();
      return { value, end: this.pos };
    } catch (e) {
      if (e instanceof ParseError)
        return { error: { message: e.message, start: e.start, end: e.end, ...(e.limit ? { limit: true } : {}) } };
      if (e instanceof RangeError) return { error: { message: NESTED, start: this.pos, end: this.pos, limit: true } };
      throw e;
    }
  }

  fail(message: string, start: number, end = start + 1): never {
    throw new ParseError(message, start, Math.min(Math.max(end, start), this.text.length));
  }

  /** The input is nested past `what` levels: a limit of oidclint's, not a syntax error. */
  tooDeep(what: number, start: number): never {
    throw new ParseError(
      `${NESTED} (more than ${String(what)} levels)`,
      start,
      Math.min(start + 1, this.text.length),
      true,
    );
  }

  private code(i = this.pos): number {
    return this.text.charCodeAt(i);
  }

  private at(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  /** Skips spaces, tabs and comments; newlines and line comments too unless they are significant here. */
  skip(): void {
    const t = this.text;
    const keepNewlines = this.newlineSignificant[this.newlineSignificant.length - 1] ?? true;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9) this.pos++;
      else if (c === 13) {
        // A carriage return is only valid as part of CRLF.
        if (t.charCodeAt(this.pos + 1) !== 10 || keepNewlines) return;
        else this.pos += 2;
      } else if (c === 10) {
        if (keepNewlines) return;
        this.pos++;
      } else if (c === 35 || (c === 47 && t.charCodeAt(this.pos + 1) === 47)) {
        if (keepNewlines) return;
        const nl = t.indexOf("\n", this.pos);
        this.pos = nl < 0 ? t.length : nl + 1;
      } else if (c === 47 && t.charCodeAt(this.pos + 1) === 42) {
        const end = t.indexOf("*/", this.pos + 2);
        if (end < 0) this.fail("Unterminated comment", this.pos, this.pos + 2);
        this.pos = end + 2;
      } else return;
    }
  }

  /** Skips blanks including newlines and line comments, whatever the mode. */
  private skipAll(): void {
    this.newlineSignificant.push(false);
    this.skip();
    this.newlineSignificant.pop();
  }

  private expect(s: string, what: string): void {
    this.skip();
    if (!this.at(s)) this.fail(`${what}: expected "${s}"`, this.pos);
    this.pos += s.length;
  }

  private enter(): void {
    if (++this.depth > MAX_NESTING) this.tooDeep(MAX_NESTING, this.pos);
  }

  private withNewlines<T>(significant: boolean, body: () => T): T {
    this.newlineSignificant.push(significant);
    try {
      return body();
    } finally {
      this.newlineSignificant.pop();
    }
  }

  ident(): string {
    const t = this.text;
    const start = this.pos;
    if (!isIdentStart(t.charCodeAt(start), t, start)) this.fail("Expected a name", start);
    this.pos = identEnd(t, start + ((t.codePointAt(start) ?? 0) > 0xffff ? 2 : 1));
    return t.slice(start, this.pos);
  }

  /**
   * An object key that is a bare name followed on its line (after spaces) by `=` or `:` (`Version = …`, most keys
   * of a policy), as `expression` gives it, without the operators, steps and condition it looks for after a term;
   * undefined (nothing read) for any other key.
   */
  private keyName(): HclExpr | undefined {
    const t = this.text;
    const start = this.pos;
    const c = t.charCodeAt(start);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) || this.depth >= MAX_NESTING) return undefined;
    const end = identEnd(t, start + 1);
    let k = end;
    while (t.charCodeAt(k) === 32 || t.charCodeAt(k) === 9) k++;
    const d = t.charCodeAt(k);
    const e = t.charCodeAt(k + 1);
    if (!((d === 61 /* = */ && e !== 61) || (d === 58 /* : */ && e !== 58))) return undefined;
    const name = t.slice(start, end);
    this.pos = end;
    if (name === "true" || name === "false") return { type: "literal", value: name === "true", start, end };
    if (name === "null") return { type: "literal", value: null, start, end };
    return { type: "variable", name, start, end };
  }

  private keywordAhead(word: string): boolean {
    if (!this.at(word)) return false;
    const next = this.pos + word.length;
    return !(next < this.text.length && isIdentChar(this.text.charCodeAt(next), this.text, next));
  }

  expression(): HclExpr {
    this.enter();
    const start = this.pos;
    const first = this.code();
    if (first === 34 /* " */ || (first >= 97 && first <= 122) || (first >= 65 && first <= 90) || first === 95) {
      // A quoted string or a reference (`var.x`, `data.aws_iam_policy_document.x.json`) that ends the expression
      // (most items of lists and values of a policy): the operators, steps and condition that could follow it are
      // not looked for.
      const simple = first === 34 ? this.plainString() : this.plainReference();
      if (simple) {
        this.depth--;
        return simple;
      }
    }
    const condition = this.binary(0);
    const save = this.pos;
    this.skip();
    let out = condition;
    if (this.code() !== 63 /* ? */) this.pos = save;
    else {
      this.pos++;
      this.skip();
      const whenTrue = this.expression();
      this.expect(":", "Missing false expression in conditional");
      this.skip();
      const whenFalse = this.expression();
      out = { type: "conditional", condition, whenTrue, whenFalse, start, end: whenFalse.end };
    }
    this.depth--;
    return out;
  }

  /** Precedence climbing over the binary operators of level `minLevel` and above (all left-associative). */
  private binary(minLevel: number): HclExpr {
    const start = this.pos;
    let left = this.unary();
    for (;;) {
      const save = this.pos;
      this.skip();
      const op = this.operatorHere();
      const level = op === undefined ? -1 : LEVEL[op];
      if (op === undefined || level < minLevel) {
        this.pos = save;
        return left;
      }
      this.pos += op.length;
      this.skip();
      const right = this.binary(level + 1);
      left = { type: "binary", operator: op, left, right, start, end: right.end };
    }
  }

  private operatorHere(): BinaryOperator | undefined {
    const t = this.text;
    const c = t.charCodeAt(this.pos);
    const d = t.charCodeAt(this.pos + 1);
    switch (c) {
      case 38 /* & */:
        return d === 38 ? "&&" : undefined;
      case 124 /* | */:
        return d === 124 ? "||" : undefined;
      case 61 /* = */:
        return d === 61 ? "==" : undefined;
      case 33 /* ! */:
        return d === 61 ? "!=" : undefined;
      case 60 /* < */:
        return d === 61 ? "<=" : d === 60 ? undefined : "<";
      case 62 /* > */:
        return d === 61 ? ">=" : ">";
      case 43:
        return "+";
      case 45:
        return "-";
      case 42:
        return "*";
      case 37:
        return "%";
      case 47 /* / */:
        return d === 47 || d === 42 ? undefined : "/";
      default:
        return undefined;
    }
  }

  private unary(): HclExpr {
    const c = this.code();
    if (c === 45 /* - */ || c === 33 /* ! */) {
      this.enter();
      const start = this.pos;
      this.pos++;
      this.skip();
      const operand = this.unary();
      this.depth--;
      return { type: "unary", operator: c === 45 ? "-" : "!", operand, start, end: operand.end };
    }
    return this.postfix(this.term());
  }

  private term(): HclExpr {
    const t = this.text;
    const start = this.pos;
    const c = this.code();
    if (c === 40 /* ( */) {
      this.pos++;
      const expr = this.withNewlines(false, () => {
        this.skip();
        const e = this.expression();
        this.expect(")", "Unbalanced parentheses");
        return e;
      });
      return { type: "parens", expr, start, end: this.pos };
    }
    if (c === 91 /* [ */) return this.tuple();
    if (c === 123 /* { */) return this.object();
    if (c === 34 /* " */) return this.quotedTemplate();
    if (c === 60 /* < */ && t.charCodeAt(start + 1) === 60) return this.heredoc();
    if (c >= 48 && c <= 57) {
      NUMBER.lastIndex = start;
      const m = NUMBER.exec(t);
      this.pos = start + (m?.[0].length ?? 1);
      const next = this.code();
      if (
        (next === 46 && this.code(this.pos + 1) >= 48 && this.code(this.pos + 1) <= 57) ||
        (this.pos < t.length && isIdentChar(next, t, this.pos) && next !== 45)
      )
        this.fail("Invalid number literal", start, this.pos + 1);
      return { type: "literal", value: Number(m?.[0] ?? "0"), start, end: this.pos };
    }
    if (this.pos < t.length && isIdentStart(c, t, start)) {
      let name = this.ident();
      // Provider-defined functions: provider::NAMESPACE::NAME(…).
      for (;;) {
        const save = this.pos;
        this.skip();
        if (!this.at("::")) {
          this.pos = save;
          break;
        }
        this.pos += 2;
        this.skip();
        name += `::${this.ident()}`;
      }
      const afterName = this.pos;
      this.skip();
      if (this.code() === 40) return this.call(name, start);
      this.pos = afterName;
      if (name.includes("::")) this.fail("Missing function arguments", afterName);
      if (name === "true" || name === "false") return { type: "literal", value: name === "true", start, end: this.pos };
      if (name === "null") return { type: "literal", value: null, start, end: this.pos };
      return { type: "variable", name, start, end: this.pos };
    }
    if (this.pos >= t.length) this.fail("Missing expression: the file ends here", start, start);
    if (c === 10 || c === 13 || c === 35 || (c === 47 && t.charCodeAt(start + 1) === 47))
      this.fail("Missing expression before the end of the line", start);
    this.fail("Invalid expression: expected the start of an expression", start);
  }

  private call(name: string, start: number): HclExpr {
    this.pos++;
    const args: HclExpr[] = [];
    let expandFinal = false;
    // (Pushed and popped here rather than through `withNewlines`: no closure per call. A syntax error ends the parse.)
    this.newlineSignificant.push(false);
    this.skip();
    while (this.code() !== 41 /* ) */) {
      args.push(this.expression());
      this.skip();
      if (this.at("...")) {
        expandFinal = true;
        this.pos += 3;
        this.skip();
        if (this.code() !== 41)
          this.fail("Missing closing parenthesis: an expanded argument must be the last", this.pos);
        break;
      }
      if (this.code() === 44 /* , */) {
        this.pos++;
        this.skip();
      } else if (this.code() !== 41) this.fail(`Missing "," or ")" in the arguments of ${name}()`, this.pos);
    }
    this.pos++;
    this.newlineSignificant.pop();
    return { type: "call", name, args, expandFinal, start, end: this.pos };
  }

  private tuple(): HclExpr {
    const start = this.pos;
    this.pos++;
    this.newlineSignificant.push(false);
    this.skip();
    if (this.keywordAhead("for")) {
      const out = this.forExpression(start, false);
      this.newlineSignificant.pop();
      return out;
    }
    const items: HclExpr[] = [];
    while (this.code() !== 93 /* ] */) {
      if (this.pos >= this.text.length) this.fail('Missing "]": the tuple is not closed', start);
      items.push(this.expression());
      this.skip();
      if (this.code() === 44) {
        this.pos++;
        this.skip();
      } else if (this.code() !== 93) this.fail('Missing "," or "]" between tuple items', this.pos);
    }
    this.pos++;
    this.newlineSignificant.pop();
    return { type: "tuple", items, start, end: this.pos };
  }

  private object(): HclExpr {
    const start = this.pos;
    this.pos++;
    this.skipAll();
    if (this.keywordAhead("for")) return this.withNewlines(false, () => this.forExpression(start, true));
    this.newlineSignificant.push(true);
    const items: { key: HclExpr; value: HclExpr }[] = [];
    for (;;) {
      this.skipAll();
      if (this.code() === 125 /* } */) break;
      if (this.pos >= this.text.length) this.fail('Missing "}": the object is not closed', start);
      const key = this.keyName() ?? this.expression();
      this.skip();
      const c = this.code();
      if (c === 61 /* = */ && this.code(this.pos + 1) !== 61) this.pos++;
      else if (c === 58 /* : */) this.pos++;
      else this.fail('Missing "=" or ":" after an object key', this.pos);
      this.skip();
      const value = this.expression();
      items.push({ key, value });
      this.skip();
      const d = this.code();
      if (d === 125) break;
      if (d === 44 || d === 10 || d === 13 || d === 35 || (d === 47 && this.code(this.pos + 1) === 47)) {
        if (d === 44) this.pos++;
        continue;
      }
      this.fail('Missing "," or a newline between object items', this.pos);
    }
    this.pos++;
    this.newlineSignificant.pop();
    return { type: "object", items, start, end: this.pos };
  }

  /** `KEY, VALUE in COLLECTION` (or `VALUE in COLLECTION`) after a `for` keyword, in expressions and template directives. */
  private forHeader(what: string): { keyVar?: string; valueVar: string; collection: HclExpr } {
    this.skip();
    let keyVar: string | undefined;
    let valueVar = this.ident();
    this.skip();
    if (this.code() === 44) {
      this.pos++;
      this.skip();
      keyVar = valueVar;
      valueVar = this.ident();
      this.skip();
    }
    if (!this.keywordAhead("in")) this.fail(`Invalid ${what}: expected "in"`, this.pos);
    this.pos += 2;
    this.skip();
    const collection = this.expression();
    return keyVar === undefined ? { valueVar, collection } : { keyVar, valueVar, collection };
  }

  /** After `[` or `{`, at the `for` keyword. */
  private forExpression(start: number, object: boolean): HclExpr {
    this.pos += 3;
    const { keyVar, valueVar, collection } = this.forHeader('"for" expression');
    this.expect(":", 'Invalid "for" expression');
    this.skip();
    let key: HclExpr | undefined;
    let value = this.expression();
    this.skip();
    let grouped = false;
    if (object) {
      if (!this.at("=>")) this.fail('Invalid "for" expression: an object "for" needs "key => value"', this.pos);
      this.pos += 2;
      this.skip();
      key = value;
      value = this.expression();
      this.skip();
      if (this.at("...")) {
        grouped = true;
        this.pos += 3;
        this.skip();
      }
    }
    let condition: HclExpr | undefined;
    if (this.keywordAhead("if")) {
      this.pos += 2;
      this.skip();
      condition = this.expression();
      this.skip();
    }
    const close = object ? "}" : "]";
    if (!this.at(close)) this.fail(`Invalid "for" expression: expected "${close}"`, this.pos);
    this.pos++;
    const out: HclExpr = { type: "for", valueVar, collection, value, grouped, object, start, end: this.pos };
    if (keyVar !== undefined) out.keyVar = keyVar;
    if (key) out.key = key;
    if (condition) out.condition = condition;
    return out;
  }

  /** Attribute access, index, legacy `.0` index and splat operators after a term. */
  private postfix(term: HclExpr): HclExpr {
    // Most terms have no postfix operator: nothing is allocated for them.
    const before = this.pos;
    this.skip();
    const next = this.code();
    const more = next === 91 /* [ */ || (next === 46 /* . */ && !this.at("..."));
    this.pos = before;
    if (!more) return term;
    let source = term;
    let steps: TraversalStep[] = [];
    const finish = (): HclExpr =>
      steps.length === 0
        ? source
        : { type: "traversal", source, steps, start: term.start, end: steps[steps.length - 1]?.end ?? source.end };
    for (;;) {
      const save = this.pos;
      this.skip();
      const c = this.code();
      if (c === 46 /* . */ && !this.at("...")) {
        const dot = this.pos;
        this.pos++;
        this.skip();
        const isSplat = this.code() === 42; /* * */
        this.pos = dot;
        if (isSplat) {
          if (source.type === "splat" && !source.full && steps.length === 0)
            this.fail("Nested splat expression not allowed: a splat (*) cannot follow an attribute-only splat", dot);
          const source2 = finish();
          this.pos = dot + 1;
          this.skip();
          this.pos++;
          const each = this.splatSteps(false);
          source = {
            type: "splat",
            source: source2,
            steps: each,
            full: false,
            start: term.start,
            end: each[each.length - 1]?.end ?? this.pos,
          };
          steps = [];
          continue;
        }
        steps.push(this.attrStep());
        continue;
      }
      if (c === 91 /* [ */) {
        const open = this.pos;
        this.pos++;
        this.skip();
        const star = this.code() === 42;
        if (star) {
          this.pos++;
          this.skip();
          if (this.code() !== 93) this.fail('Missing "]" right after "[*"', this.pos);
          this.pos++;
        }
        if (star) {
          const source2 = finish();
          const each = this.splatSteps(true);
          source = {
            type: "splat",
            source: source2,
            steps: each,
            full: true,
            start: term.start,
            end: each[each.length - 1]?.end ?? this.pos,
          };
          steps = [];
          continue;
        }
        this.pos = open;
        steps.push(this.indexStep());
        continue;
      }
      this.pos = save;
      return finish();
    }
  }

  private attrStep(): TraversalStep {
    const start = this.pos;
    this.pos++;
    this.skip();
    const c = this.code();
    if (c >= 48 && c <= 57) {
      const from = this.pos;
      while (this.code() >= 48 && this.code() <= 57) this.pos++;
      const digits = this.text.slice(from, this.pos);
      return {
        kind: "index",
        key: { type: "literal", value: Number(digits), start: from, end: this.pos },
        start,
        end: this.pos,
      };
    }
    if (!isIdentStart(c, this.text, this.pos)) this.fail('Invalid attribute name: expected a name after "."', this.pos);
    const name = this.ident();
    return { kind: "attr", name, start, end: this.pos };
  }

  private indexStep(): TraversalStep {
    const start = this.pos;
    this.pos++;
    this.newlineSignificant.push(false);
    this.skip();
    const key = this.expression();
    this.expect("]", 'Missing "]" after an index');
    this.newlineSignificant.pop();
    return { kind: "index", key, start, end: this.pos };
  }

  private splatSteps(full: boolean): TraversalStep[] {
    const steps: TraversalStep[] = [];
    for (;;) {
      const save = this.pos;
      this.skip();
      if (this.code() === 46 && !this.at("...") && this.code(this.pos + 1) !== 42) steps.push(this.attrStep());
      else if (full && this.code() === 91 && !/^\[\s*\*/.test(this.text.slice(this.pos, this.pos + 8)))
        steps.push(this.indexStep());
      else {
        this.pos = save;
        return steps;
      }
    }
  }

  /**
   * A name and one or more attributes at `pos`, each written right after its dot (`var.x`, `local.a.b`), as `term`
   * and `postfix` read it, when what follows can only end the expression (`endsHere`). Otherwise undefined, `pos`
   * unchanged. The name starts with an ASCII letter or `_` (not `true`, `false`, `null`: literals).
   */
  private plainReference(): HclExpr | undefined {
    const t = this.text;
    const start = this.pos;
    const nameEnd = identEnd(t, start + 1);
    if (t.charCodeAt(nameEnd) !== 46 /* . */) return undefined;
    const name = t.slice(start, nameEnd);
    if (name === "true" || name === "false" || name === "null") return undefined;
    // The attributes' ends first, then the steps in an array of their number (one grown by `push` has room for 17).
    let count = 0;
    let pos = nameEnd;
    while (t.charCodeAt(pos) === 46) {
      const c = t.charCodeAt(pos + 1);
      if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95)) return undefined;
      pos = identEnd(t, pos + 2);
      count++;
    }
    if (!this.endsHere(pos)) return undefined;
    const steps = new Array<TraversalStep>(count);
    for (let i = 0, at = nameEnd; i < count; i++) {
      const end = identEnd(t, at + 2);
      steps[i] = { kind: "attr", name: t.slice(at + 1, end), start: at, end };
      at = end;
    }
    this.pos = pos;
    const source: HclExpr = { type: "variable", name, start, end: nameEnd };
    return { type: "traversal", source, steps, start, end: pos };
  }

  /**
   * Whether what follows `at` on its line (after blanks) can only end the expression: `,` `]` `}` `)` `:`, `=` (not
   * `==`), or a line end or comment where newlines end the expression.
   */
  private endsHere(at: number): boolean {
    const t = this.text;
    let k = at;
    while (t.charCodeAt(k) === 32 || t.charCodeAt(k) === 9) k++;
    const c = t.charCodeAt(k);
    return (
      c === 44 /* , */ ||
      c === 93 /* ] */ ||
      c === 125 /* } */ ||
      c === 41 /* ) */ ||
      c === 58 /* : */ ||
      (c === 61 /* = */ && t.charCodeAt(k + 1) !== 61) ||
      ((this.newlineSignificant[this.newlineSignificant.length - 1] ?? true) &&
        (k >= t.length ||
          c === 10 ||
          (c === 13 && t.charCodeAt(k + 1) === 10) ||
          c === 35 /* # */ ||
          (c === 47 && t.charCodeAt(k + 1) === 47)))
    );
  }

  /**
   * A quoted string without escapes or template sequences at `pos`, when what follows it can only end the
   * expression (`endsHere`). Otherwise undefined, `pos` unchanged.
   */
  private plainString(): HclExpr | undefined {
    const t = this.text;
    const start = this.pos;
    QUOTED_TEXT_END.lastIndex = start + 1;
    if (!QUOTED_TEXT_END.test(t)) return undefined;
    const j = QUOTED_TEXT_END.lastIndex - 1;
    if (t.charCodeAt(j) !== 34 || !this.endsHere(j + 1)) return undefined;
    this.pos = j + 1;
    const parts: TemplatePart[] =
      j > start + 1 ? [{ kind: "text", value: t.slice(start + 1, j), start: start + 1, end: j }] : [];
    return templateNode(parts, start, this.pos, false);
  }

  private quotedTemplate(): HclExpr {
    const start = this.pos;
    const t = this.text;
    // A string without escapes, interpolations or directives (most strings): its one text part, nothing else built.
    QUOTED_TEXT_END.lastIndex = start + 1;
    const j = QUOTED_TEXT_END.test(t) ? QUOTED_TEXT_END.lastIndex - 1 : t.length;
    if (t.charCodeAt(j) === 34) {
      this.pos = j + 1;
      const parts: TemplatePart[] =
        j > start + 1 ? [{ kind: "text", value: t.slice(start + 1, j), start: start + 1, end: j }] : [];
      return templateNode(parts, start, this.pos, false);
    }
    this.pos++;
    const { parts } = this.templateBody("quoted", undefined);
    this.pos++; // the closing quote
    return templateNode(parts, start, this.pos, false);
  }

  private heredoc(): HclExpr {
    const start = this.pos;
    HEREDOC_INTRO.lastIndex = start;
    const m = HEREDOC_INTRO.exec(this.text);
    if (!m?.[2]) this.fail("Invalid heredoc: expected <<MARKER or <<-MARKER followed by a newline", start, start + 2);
    this.pos = start + m[0].length;
    const flush = m[1] === "-";
    const { parts } = this.templateBody("heredoc", { marker: m[2] });
    return templateNode(flush ? flushHeredoc(parts) : parts, start, this.pos, true);
  }

  /**
   * Template content up to its end (closing quote, heredoc marker line, end of text) or up to a
   * directive keyword in `stopAt` (`else`, `endif`, `endfor`), which is returned (and consumed).
   */
  templateBody(
    mode: TemplateMode,
    heredoc: HeredocEnd | undefined,
    stopAt: string[] = [],
    stripFirst = false,
  ): { parts: TemplatePart[]; stop?: string; stripAfter: boolean } {
    const t = this.text;
    const parts: TemplatePart[] = [];
    let textStart = this.pos;
    let value = "";
    let offsets: number[] | undefined;
    let stripNext = stripFirst;
    const bodyStart = this.pos;
    // `value` is built only once an escape makes the text differ from the source (`offsets` set); until then it is the source's slice.
    const flushText = (end: number, stripBefore: boolean): void => {
      if (offsets === undefined && end > textStart) value = t.slice(textStart, end);
      if (end > textStart || value.length > 0) {
        let part: Extract<TemplatePart, { kind: "text" }> = offsets
          ? { kind: "text", value, offsets: [...offsets, end], start: textStart, end }
          : { kind: "text", value, start: textStart, end };
        if (stripNext) part = trimText(part, "start");
        if (stripBefore) part = trimText(part, "end");
        parts.push(part);
      }
      stripNext = false;
      value = "";
      offsets = undefined;
    };
    const addChar = (ch: string, at: number, len: number): void => {
      if (offsets === undefined) {
        value = t.slice(textStart, at);
        offsets = [];
        for (let k = 0; k < value.length; k++) offsets.push(textStart + k);
      }
      for (let k = 0; k < ch.length; k++) offsets.push(k === 0 ? at : at + len - ch.length + k);
      value += ch;
      this.pos = at + len;
    };
    let lineStart = mode === "heredoc" && t.charCodeAt(this.pos - 1) === 10;
    for (;;) {
      if (mode === "heredoc" && heredoc && lineStart) {
        // The closing marker is a line of its own, newline included (as in hclsyntax).
        const nl = t.indexOf("\n", this.pos);
        const lineEnd = nl < 0 ? t.length : nl;
        if (
          nl >= 0 &&
          mayBeMarkerLine(t, this.pos, heredoc.marker) &&
          t.slice(this.pos, lineEnd).trim() === heredoc.marker
        ) {
          if (stopAt.length > 0)
            this.fail(
              `Missing %{ ${stopAt[stopAt.length - 1] ?? "end"} } before the end of the heredoc`,
              this.pos,
              lineEnd,
            );
          flushText(this.pos, false);
          this.pos = t.slice(this.pos, lineEnd).indexOf(heredoc.marker) + this.pos + heredoc.marker.length;
          return { parts, stripAfter: false };
        }
      }
      lineStart = false;
      if (this.pos >= t.length) {
        if (mode === "bare" && stopAt.length === 0) {
          flushText(this.pos, false);
          return { parts, stripAfter: false };
        }
        if (mode === "quoted")
          this.fail("Unterminated template string: the closing quote is missing", bodyStart - 1, bodyStart);
        if (mode === "heredoc")
          this.fail(`Unterminated heredoc: no line "${heredoc?.marker ?? ""}" closes it`, bodyStart, bodyStart);
        this.fail(`Missing %{ ${stopAt[stopAt.length - 1] ?? "end"} } in the template`, this.pos, this.pos);
      }
      const c = t.charCodeAt(this.pos);
      if (mode === "quoted" && c === 34) {
        flushText(this.pos, false);
        if (stopAt.length > 0)
          this.fail(`Missing %{ ${stopAt[stopAt.length - 1] ?? "end"} } before the end of the string`, this.pos);
        return { parts, stripAfter: false };
      }
      if (c === 13 && mode !== "bare" && t.charCodeAt(this.pos + 1) !== 10)
        this.fail("Invalid character: a carriage return must be followed by a newline", this.pos);
      if (mode === "quoted" && c === 10)
        this.fail("Unterminated template string: a quoted string cannot span lines", bodyStart - 1, this.pos);
      if (mode === "quoted" && c === 92 /* \ */) {
        const e = t[this.pos + 1] ?? "";
        const simple = ESCAPES[e];
        if (simple !== undefined) {
          addChar(simple, this.pos, 2);
          continue;
        }
        const hexLen = e === "u" ? 4 : e === "U" ? 8 : 0;
        const hex = t.slice(this.pos + 2, this.pos + 2 + hexLen);
        if (hexLen > 0 && hex.length === hexLen && /^[0-9a-fA-F]+$/.test(hex)) {
          const cp = parseInt(hex, 16);
          if (cp > 0x10ffff)
            this.fail("Invalid escape sequence: not a Unicode character", this.pos, this.pos + 2 + hexLen);
          addChar(String.fromCodePoint(cp), this.pos, 2 + hexLen);
          continue;
        }
        this.fail(`Invalid escape sequence "\\${e}"`, this.pos, this.pos + 2);
      }
      if (
        (c === 36 /* $ */ || c === 37) /* % */ &&
        t.charCodeAt(this.pos + 1) === c &&
        t.charCodeAt(this.pos + 2) === 123
      ) {
        addChar(t.slice(this.pos, this.pos + 1) + "{", this.pos, 3);
        continue;
      }
      if ((c === 36 || c === 37) && t.charCodeAt(this.pos + 1) === 123) {
        const seqStart = this.pos;
        this.pos += 2;
        const stripBefore = this.code() === 126; /* ~ */
        if (stripBefore) this.pos++;
        flushText(seqStart, stripBefore);
        if (c === 36) {
          this.newlineSignificant.push(false);
          this.skip();
          const expr = this.expression();
          this.newlineSignificant.pop();
          const stripAfter = this.closeSequence();
          parts.push({ kind: "interpolation", expr, start: seqStart, end: this.pos });
          stripNext = stripAfter;
        } else {
          const directive = this.directive(seqStart, mode, heredoc, stopAt);
          if ("stop" in directive) {
            textStart = this.pos;
            return { parts, stop: directive.stop, stripAfter: directive.stripAfter };
          }
          parts.push(directive.part);
          stripNext = directive.stripAfter;
        }
        textStart = this.pos;
        continue;
      }
      if (c === 10) lineStart = true;
      // A run of plain characters is copied at once (no string built character by character), found natively.
      let j = this.pos + 1;
      if (c !== 10) {
        const run = mode === "quoted" ? QUOTED_TEXT_END : TEXT_END;
        run.lastIndex = j;
        j = run.test(t) ? run.lastIndex - 1 : t.length;
      }
      if (offsets) {
        for (let k = this.pos; k < j; k++) offsets.push(k);
        value += t.slice(this.pos, j);
      }
      this.pos = j;
    }
  }

  /** At the end of an interpolation or directive: optional `~`, then `}`. Returns whether `~` was there. */
  private closeSequence(): boolean {
    this.skipAll();
    const strip = this.code() === 126;
    if (strip) this.pos++;
    if (this.code() !== 125) this.fail('Missing "}" closing a template sequence', this.pos);
    this.pos++;
    return strip;
  }

  private directive(
    seqStart: number,
    mode: TemplateMode,
    heredoc: HeredocEnd | undefined,
    stopAt: string[],
  ): { part: TemplatePart; stripAfter: boolean } | { stop: string; stripAfter: boolean } {
    return this.withNewlines(false, () => {
      this.skip();
      const kwStart = this.pos;
      const word = isIdentStart(this.code(), this.text, this.pos) ? this.ident() : "";
      if (word === "if") {
        this.skip();
        const condition = this.expression();
        const then = this.templateBody(mode, heredoc, ["else", "endif"], this.closeSequence());
        let last = then;
        let otherwise: TemplatePart[] | undefined;
        if (then.stop === "else") {
          last = this.templateBody(mode, heredoc, ["endif"], then.stripAfter);
          otherwise = last.parts;
        }
        const part: TemplatePart = { kind: "if", condition, then: then.parts, start: seqStart, end: this.pos };
        if (otherwise) part.else = otherwise;
        return { part, stripAfter: last.stripAfter };
      }
      if (word === "for") {
        const { keyVar, valueVar, collection } = this.forHeader('"for" directive');
        const body = this.templateBody(mode, heredoc, ["endfor"], this.closeSequence());
        const part: TemplatePart = {
          kind: "for",
          valueVar,
          collection,
          body: body.parts,
          start: seqStart,
          end: this.pos,
        };
        if (keyVar !== undefined) part.keyVar = keyVar;
        return { part, stripAfter: body.stripAfter };
      }
      if (word === "else" || word === "endif" || word === "endfor") {
        if (!stopAt.includes(word)) this.fail(`Unexpected %{ ${word} } in the template`, seqStart, this.pos);
        return { stop: word, stripAfter: this.closeSequence() };
      }
      this.fail(`Invalid template directive "${word}": expected if, for, else, endif or endfor`, kwStart);
    });
  }
}

/**
 * Whether the line at `from` may be `marker` between whitespace: false when its first character after spaces
 * and tabs is ASCII, not other whitespace and not the marker's first (the common case: no string is built).
 */
export function mayBeMarkerLine(t: string, from: number, marker: string): boolean {
  let i = from;
  while (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9) i++;
  const c = t.charCodeAt(i);
  return c === marker.charCodeAt(0) || c > 127 || (c >= 10 && c <= 13) || Number.isNaN(c);
}

function templateNode(parts: TemplatePart[], start: number, end: number, heredoc: boolean): HclExpr {
  const [only] = parts;
  if (!heredoc && parts.length === 1 && only?.kind === "interpolation")
    return { type: "wrap", expr: only.expr, start, end };
  return { type: "template", parts, heredoc, start, end };
}

type TextPart = Extract<TemplatePart, { kind: "text" }>;

function explicitOffsets(part: TextPart): number[] {
  return part.offsets ?? Array.from({ length: part.value.length + 1 }, (_, i) => part.start + i);
}

/** Strip markers (`~`) remove the whitespace of the adjacent literal. */
function trimText(part: TextPart, side: "start" | "end"): TextPart {
  const value = side === "start" ? part.value.trimStart() : part.value.trimEnd();
  if (value.length === part.value.length) return part;
  const offsets = explicitOffsets(part);
  const cut = part.value.length - value.length;
  const kept = side === "start" ? offsets.slice(cut) : offsets.slice(0, offsets.length - cut);
  return { kind: "text", value, offsets: kept, start: kept[0] ?? part.start, end: kept[kept.length - 1] ?? part.end };
}

/** Indentation (spaces and tabs) at each line start of a heredoc; lines starting with an interpolation count 0, blank lines none. */
function lineIndents(parts: TemplatePart[]): number {
  let min = Infinity;
  let atLineStart = true;
  for (const p of parts) {
    if (p.kind !== "text") {
      if (atLineStart) min = 0;
      atLineStart = false;
      continue;
    }
    for (let i = 0; i < p.value.length; i++) {
      if (atLineStart) {
        let n = 0;
        while (p.value[i + n] === " " || p.value[i + n] === "\t") n++;
        const next = p.value[i + n];
        // A line that is only blanks does not count; one that continues into an interpolation does.
        if (next !== "\n" && next !== "\r" && !(next === undefined && p === parts[parts.length - 1]))
          min = Math.min(min, n);
        atLineStart = false;
        i += n - 1;
        continue;
      }
      if (p.value[i] === "\n") atLineStart = true;
    }
  }
  return min;
}

/** `<<-` heredocs: the smallest indentation of the lines is removed from every line. */
function flushHeredoc(parts: TemplatePart[]): TemplatePart[] {
  const min = lineIndents(parts);
  if (!Number.isFinite(min) || min === 0) return parts;
  let atLineStart = true;
  return parts.map((p) => {
    if (p.kind !== "text") {
      atLineStart = false;
      return p;
    }
    const offsets = explicitOffsets(p);
    let value = "";
    const kept: number[] = [];
    for (let i = 0; i < p.value.length; i++) {
      if (atLineStart) {
        atLineStart = false;
        let n = 0;
        while (n < min && (p.value[i + n] === " " || p.value[i + n] === "\t")) n++;
        if (n > 0) {
          i += n - 1;
          continue;
        }
      }
      const ch = p.value[i] ?? "";
      value += ch;
      kept.push(offsets[i] ?? p.start);
      if (ch === "\n") atLineStart = true;
    }
    kept.push(offsets[p.value.length] ?? p.end);
    return { kind: "text", value, offsets: kept, start: p.start, end: p.end };
  });
}
