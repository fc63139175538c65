import type { ExpressionType } from "@cdktf/hcl2json/lib/syntax-tree.js";
import type { SourceLocation } from "../../../model/location.js";
import type { BinaryOperator, HclExpr, TemplatePart, TraversalStep } from "../hcl-expression.js";

/**
 * The `@cdktf/hcl2json` bridge. Importing it instantiates a Go WebAssembly module (~150 ms, and the first
 * call starts the Go runtime), so it is imported only when the TypeScript parser (`../hcl-body.ts`) finds a
 * problem in a file: hcl2json then gives the official syntax error, or, if it accepts the file, parses
 * that file's expressions instead (`expressionAst`).
 */
interface Hcl2Json {
  parse(filename: string, contents: string): Promise<Record<string, unknown>>;
  getExpressionAst(filename: string, expression: string): Promise<ExpressionType | null>;
}

let loaded: Promise<Hcl2Json> | undefined;

function hcl2json(): Promise<Hcl2Json> {
  loaded ??= import("@cdktf/hcl2json").then((m) => {
    const mod = m as unknown as Hcl2Json & { default?: Hcl2Json };
    return typeof mod.parse === "function" ? mod : (mod.default as Hcl2Json);
  });
  return loaded;
}

/** Whether hcl2json has been loaded in this process (it should not be for files the TypeScript parser reads). */
export function hcl2jsonLoaded(): boolean {
  return loaded !== undefined;
}

/** HCL diagnostics read `file:LINE,COL-…: Summary; Detail`. */
const DIAGNOSTIC =
  /:(\d+),(\d+)(?:-(?:(\d+),)?(\d+))?: ([^;\]]+)(?:; ([^\]]*?))?(?:, and \d+ other diagnostic\(s\))?(?:\s*\]|$)/;

/** Said after every Terraform syntax error (in the explanation: the message is one short line). */
const CANNOT_CHECK = "oidclint cannot check the policies of this file until it parses.";

/** Longest message text kept from hcl2json (its summaries are a few words; anything longer is cut). */
const MAX_SUMMARY = 120;

/**
 * One short line of hcl2json's text: its first line, trimmed, control characters escaped (`\t`, `\x1b`),
 * cut at `MAX_SUMMARY` characters.
 */
export function shortLine(text: string): string {
  const first = text.trim().split(/\r?\n/, 1)[0]?.trim() ?? "";
  const escaped = first.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return c === "\t" ? "\\t" : code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, "0")}`;
  });
  return escaped.length > MAX_SUMMARY ? `${escaped.slice(0, MAX_SUMMARY - 1)}…` : escaped;
}

/**
 * Validates a whole file with HCL's own parser. Returns the first syntax error, if any: a short message
 * (`Terraform syntax error: <summary>`), and as `detail` hcl2json's whole text (its detail, the other
 * diagnostics), which `--verbose`, JSON and SARIF show as the explanation.
 */
export async function hclSyntaxError(
  file: string,
  text: string,
): Promise<{ message: string; detail: string; loc: SourceLocation } | undefined> {
  const h = await hcl2json();
  try {
    await h.parse(file, text);
    return undefined;
  } catch (e) {
    const raw = (e instanceof Error ? e.message : String(e)).replace(/^parse config: /, "").trim();
    const m = DIAGNOSTIC.exec(raw);
    if (!m)
      return {
        message: `Terraform syntax error: ${shortLine(raw)}`,
        detail: `${raw} ${CANNOT_CHECK}`,
        loc: { file, line: 1, column: 1, endLine: 1, endColumn: 1 },
      };
    const line = Number(m[1]);
    const column = Number(m[2]);
    const endLine = m[3] ? Number(m[3]) : line;
    const endColumn = m[4] ? Number(m[4]) : column;
    const summary = (m[5] ?? "").trim();
    const detail = (m[6] ?? "").trim();
    return {
      message: `Terraform syntax error: ${shortLine(summary)}`,
      detail: `${detail ? `${detail.replace(/\.?$/, ".")} ` : ""}${CANNOT_CHECK}`,
      loc: { file, line, column, endLine, endColumn },
    };
  }
}

/**
 * HCL's error for a block still open at the end of a file that the TypeScript parser read up to there (its
 * innermost open block, `loc` on the brace), as `hclSyntaxError` gives it (test/terraform.test.ts compares
 * them): no WebAssembly is loaded for the commonest broken file.
 */
export function unclosedBlockError(loc: SourceLocation): { message: string; detail: string; loc: SourceLocation } {
  return {
    message: "Terraform syntax error: Unclosed configuration block",
    detail: `There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file. ${CANNOT_CHECK}`,
    loc,
  };
}

/**
 * Parses one expression with hcl2json and converts its AST to this package's `HclExpr`, with offsets
 * into the file (`base` is where `expression` starts in `fileText`). Only for files the TypeScript parser
 * refuses but hcl2json accepts. Null when it does not parse.
 */
export async function expressionAst(file: string, expression: string, base: number): Promise<HclExpr | null> {
  const h = await hcl2json();
  let ast: ExpressionType | null;
  try {
    ast = await h.getExpressionAst(file, expression);
  } catch {
    return null;
  }
  if (!ast) return null;
  const toChar = byteOffsets(expression);
  return convert(ast, { text: expression, base, at: (b) => base + toChar(b) });
}

interface ConvertCtx {
  text: string;
  base: number;
  at: (byte: number) => number;
}

const BINARY: Record<string, BinaryOperator> = {
  logicalOr: "||",
  logicalAnd: "&&",
  equal: "==",
  notEqual: "!=",
  lessThan: "<",
  greaterThan: ">",
  lessThanOrEqual: "<=",
  greaterThanOrEqual: ">=",
  add: "+",
  subtract: "-",
  multiply: "*",
  divide: "/",
  modulo: "%",
};

/** hcl2json ranges often cover only a node's first token: the end is at least that, the start is right. */
function convert(node: ExpressionType, ctx: ConvertCtx): HclExpr {
  const start = ctx.at(node.range.start.byte);
  const end = ctx.at(node.range.end.byte);
  const kids = node.children;
  const kid = (i: number): HclExpr => {
    const k = kids[i];
    return k ? convert(k, ctx) : { type: "literal", value: null, start, end };
  };
  const meta = node.meta as
    | {
        type?: string;
        value?: string;
        name?: string;
        operator?: string;
        expandedFinalArgument?: boolean;
        keyVar?: string;
        valVar?: string;
        keyExpression?: string;
        conditionalExpression?: string;
        groupedValue?: boolean;
        openRangeValue?: string;
        traversal?: { type: string; segment: string; range: { start: { byte: number }; end: { byte: number } } }[];
      }
    | undefined;
  const steps = (): TraversalStep[] =>
    (meta?.traversal ?? []).map((t): TraversalStep => {
      const s = ctx.at(t.range.start.byte);
      const e = ctx.at(t.range.end.byte);
      if (t.type !== "indexTraversal") return { kind: "attr", name: t.segment, start: s, end: e };
      const key: HclExpr = /^\d+$/.test(t.segment)
        ? { type: "literal", value: Number(t.segment), start: s, end: e }
        : {
            type: "template",
            parts: [
              {
                kind: "text",
                value: t.segment.startsWith('"') ? (JSON.parse(t.segment) as string) : t.segment,
                start: s,
                end: e,
              },
            ],
            heredoc: false,
            start: s,
            end: e,
          };
      return { kind: "index", key, start: s, end: e };
    });
  switch (node.type) {
    case "literalValue":
      if (meta?.type === "number") return { type: "literal", value: Number(meta.value), start, end };
      if (meta?.type === "bool") return { type: "literal", value: meta.value === "true", start, end };
      return { type: "literal", value: null, start, end };
    case "template": {
      const heredoc = (meta?.value ?? "").startsWith("<<");
      const parts: TemplatePart[] = kids.map((k): TemplatePart => {
        const s = ctx.at(k.range.start.byte);
        if (k.type === "literalValue") return decodeLiteral((k.meta as { value?: string }).value ?? "", s, heredoc);
        return { kind: "interpolation", expr: convert(k, ctx), start: s, end: ctx.at(k.range.end.byte) };
      });
      const quoted = !heredoc && ctx.text[start - ctx.base - 1] === '"';
      return { type: "template", parts, heredoc, start: quoted ? start - 1 : start, end: quoted ? end + 1 : end };
    }
    case "templateWrap":
      return { type: "wrap", expr: kid(0), start, end };
    case "tuple":
      return { type: "tuple", items: kids.map((k) => convert(k, ctx)), start, end };
    case "object": {
      const items: { key: HclExpr; value: HclExpr }[] = [];
      for (let i = 0; i + 1 < kids.length; i += 2) {
        const keyNode = kids[i];
        if (!keyNode) continue;
        const ks = ctx.at(keyNode.range.start.byte);
        const ke = ctx.at(keyNode.range.end.byte);
        const inner = keyNode.children[0];
        const key: HclExpr = inner
          ? convert(inner, ctx)
          : { type: "variable", name: ctx.text.slice(ks - ctx.base, ke - ctx.base), start: ks, end: ke };
        items.push({ key, value: kid(i + 1) });
      }
      return { type: "object", items, start, end };
    }
    case "scopeTraversal": {
      const [root, ...rest] = steps();
      if (!root) return { type: "literal", value: null, start, end };
      const variable: HclExpr = {
        type: "variable",
        name: root.kind === "attr" ? root.name : "",
        start: root.start,
        end: root.end,
      };
      return rest.length === 0 ? variable : { type: "traversal", source: variable, steps: rest, start, end };
    }
    case "relativeTraversal":
      return { type: "traversal", source: kid(0), steps: steps(), start, end };
    case "index":
      return { type: "traversal", source: kid(0), steps: [{ kind: "index", key: kid(1), start, end }], start, end };
    case "splat": {
      const each = kids[1];
      const eachSteps = each ? convert(each, ctx) : undefined;
      return {
        type: "splat",
        source: kid(0),
        steps: eachSteps?.type === "traversal" ? eachSteps.steps : [],
        full: ctx.text.slice(start - ctx.base, end - ctx.base).startsWith("["),
        start,
        end,
      };
    }
    case "function":
      return {
        type: "call",
        name: meta?.name ?? "",
        args: kids.map((k) => convert(k, ctx)),
        expandFinal: meta?.expandedFinalArgument === true,
        start,
        end,
      };
    case "for": {
      const rest = [...kids];
      const collection = rest.shift();
      const key = meta?.keyExpression ? rest.shift() : undefined;
      const value = rest.shift();
      const condition = meta?.conditionalExpression ? rest.shift() : undefined;
      const out: HclExpr = {
        type: "for",
        valueVar: meta?.valVar ?? "",
        collection: collection ? convert(collection, ctx) : kid(-1),
        value: value ? convert(value, ctx) : kid(-1),
        grouped: meta?.groupedValue === true,
        object: meta?.openRangeValue === "{",
        start,
        end,
      };
      if (meta?.keyVar) out.keyVar = meta.keyVar;
      if (key) out.key = convert(key, ctx);
      if (condition) out.condition = convert(condition, ctx);
      return out;
    }
    case "conditional":
      return { type: "conditional", condition: kid(0), whenTrue: kid(1), whenFalse: kid(2), start, end };
    case "binaryOp":
      return {
        type: "binary",
        operator: BINARY[meta?.operator ?? ""] ?? "==",
        left: kid(0),
        right: kid(1),
        start,
        end,
      };
    case "unaryOp":
      return { type: "unary", operator: meta?.operator === "negate" ? "-" : "!", operand: kid(0), start, end };
    default:
      // Parentheses come as an untyped wrapper of one expression.
      return { type: "parens", expr: kid(0), start, end };
  }
}

/** hcl2json gives template literals as source text: decode quoted-string escapes, `$${` and `%%{`. */
function decodeLiteral(raw: string, start: number, heredoc: boolean): TemplatePart {
  let value = "";
  const offsets: number[] = [];
  const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };
  let i = 0;
  while (i < raw.length) {
    const c = raw[i] ?? "";
    offsets.push(start + i);
    if (c === "\\" && !heredoc) {
      const e = raw[i + 1] ?? "";
      if (simple[e] !== undefined) {
        value += simple[e];
        i += 2;
        continue;
      }
      const hex = e === "u" ? raw.slice(i + 2, i + 6) : e === "U" ? raw.slice(i + 2, i + 10) : "";
      if (hex && /^[0-9a-fA-F]+$/.test(hex)) {
        const cp = String.fromCodePoint(parseInt(hex, 16));
        value += cp;
        if (cp.length > 1) offsets.push(start + i);
        i += 2 + hex.length;
        continue;
      }
    }
    if ((c === "$" || c === "%") && raw[i + 1] === c && raw[i + 2] === "{") {
      value += c;
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
  offsets.push(start + raw.length);
  return { kind: "text", value, offsets, start, end: start + raw.length };
}

/** Maps the UTF-8 byte offsets hcl2json reports to string indices of `text`. */
export function byteOffsets(text: string): (byte: number) => number {
  if (/^[\x00-\x7f]*$/.test(text)) return (b) => b;
  const starts: number[] = [];
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    starts.push(bytes);
    const code = text.codePointAt(i) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (code >= 0x10000) {
      starts.push(bytes);
      i++;
    }
  }
  starts.push(bytes);
  return (b) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= b) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
}
