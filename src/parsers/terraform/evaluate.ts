import { LineIndex, type SourceLocation } from "../../model/location.js";
import { relocate as relocateTree, type TreeEntry, type TreeNode } from "../tree.js";
import { displayText, knownText, type Part, type StrValue, type ValueSource } from "../../model/value.js";
import { branchValues } from "./conditional-values.js";
import {
  interpolatedParts,
  joined,
  joinOrigins,
  nodeOrigin,
  parseEmbeddedJson,
  type Segment,
  type TextSegment,
} from "./embedded-json.js";
import { parseTemplate, textOffset, type HclExpr, type TemplatePart, type TraversalStep } from "./hcl-expression.js";
import { LIMITS } from "./limits.js";
import { compileRegex, replaceAll } from "./regex.js";
import { callBuiltin } from "./functions.js";
import {
  exprTree,
  namesIn,
  deeperScope,
  NO_NAMES,
  plainText,
  scopeWith,
  where,
  type Block,
  type Expr,
  type ModuleCtx,
  type Scope,
  type TfFile,
} from "./module.js";

/*
 * What the evaluation notes about the values it builds is kept in Maps, not WeakMaps, emptied when the
 * evaluation of the run ends (`endEvaluation`): the evaluation is synchronous, so no other run's values can
 * be in them meanwhile; and WeakMaps with tens of thousands of young keys made every young-generation
 * garbage collection of a cold process slow (ephemeron tables are walked on each). What it notes of nearly
 * every string (its located text, below) is a property of the string's node instead: an entry per string in a
 * Map kept every string evaluated alive until the end of its group's evaluation (copied by each scavenge, then
 * promoted), and each entry cost a hash insertion.
 */

/**
 * The located text a string was made of, when it was read from a template, heredoc or file: needed to
 * parse JSON out of it with per-character positions (`SEGMENTS`). And how many interpolated values it was made of,
 * counted through the values it interpolates (`PIECES`, 1 when absent): the located segments of a string are
 * copied wherever it is used, so their number is bounded. Symbol-keyed: no reader of the model sees them (nor
 * `JSON.stringify`); the evaluation never copies a string's node by spreading it.
 */
const SEGMENTS = Symbol("segments");
const PIECES = Symbol("pieces");
interface Noted {
  [SEGMENTS]?: Segment[] | LaterSegments;
  [PIECES]?: number;
}

/**
 * The located text of a string, made when first read: JSON is parsed out of few strings (heredocs, files, templates),
 * while most strings are literals of one text part, copied wherever they are used (every reference to a variable or
 * local). For a string of one text part, that part located in its file; for one copied by `relocate` (placed at
 * `loc`) or `defined` (marked with a definition), what the copy would have made at once (`movedSegments`,
 * `markedSegments`): both read only the original's segments, its interpolated values (which are never changed once
 * made) and what evaluation noted of them.
 */
abstract class LaterSegments {
  private made: Segment[] | undefined;

  segments(): Segment[] {
    return (this.made ??= this.make());
  }

  protected abstract make(): Segment[];
}

/** A copy's (`relocate`, `defined`): made from the original's. */
class CopiedSegments extends LaterSegments {
  constructor(
    private readonly from: TreeNode,
    private readonly copy: (segs: Segment[]) => Segment[],
  ) {
    super();
  }

  protected make(): Segment[] {
    return this.copy(stringSegments(this.from) ?? []);
  }
}

/** A string of one text part's (`textTemplate`, most strings of a policy): that part, located in its file. */
class TextPartSegments extends LaterSegments {
  constructor(
    private readonly index: LineIndex,
    private readonly part: Extract<TemplatePart, { kind: "text" }>,
    private readonly ownFile: boolean,
  ) {
    super();
  }

  protected make(): Segment[] {
    return [textSegment(this.index, this.part, this.ownFile)];
  }
}

/** The located text a string was made of (above). */
export function stringSegments(node: TreeNode): Segment[] | undefined {
  const noted = (node as Noted)[SEGMENTS];
  return noted instanceof LaterSegments ? noted.segments() : noted;
}

/** Forgets what the evaluation noted about its values (above): called when `parseTerraform`'s evaluation ends. */
export function endEvaluation(): void {
  lastCtx = undefined;
  templateSources.clear();
  filesRead.clear();
  templatesParsed.clear();
  branchValues.clear();
}

function setSegments(node: TreeNode, segments: Segment[] | LaterSegments, pieces: number): void {
  const noted = node as Noted;
  noted[SEGMENTS] = segments;
  // One piece is what `piecesOf` gives a node without the property.
  if (pieces !== 1) noted[PIECES] = pieces;
}

function piecesOf(node: TreeNode): number {
  return (node as Noted)[PIECES] ?? 1;
}

/** The file an expression was parsed from: node offsets index its text. */
interface AstCtx {
  file: TfFile;
  /**
   * Set for the text of a template given as a string (`templatestring()`, an inline `data "template_file"`
   * template): what it renders is placed on the call, with the template's line as the origin of its text.
   */
  placedAt?: SourceLocation;
  /**
   * Set for the text of a template file (`templatefile()`, `data "template_file"` over `file()`): its
   * locations (a `ReadThrough` index) name the call, and what it renders keeps them wherever it is used.
   */
  ownFile?: boolean;
}

/**
 * The line index of a file read by a call (`templatefile()`, `file()`): every location in it names the
 * call as `via`. Template files are no inputs by themselves; a finding in one is reported there, through
 * the call, which it names as a related location.
 */
class ReadThrough extends LineIndex {
  constructor(
    file: string,
    text: string,
    private readonly via: NonNullable<SourceLocation["via"]>,
  ) {
    super(file, text);
  }

  override span(start: number, end: number): SourceLocation {
    const at = super.span(start, end);
    return {
      file: at.file,
      line: at.line,
      column: at.column,
      endLine: at.endLine,
      endColumn: at.endColumn,
      via: this.via,
    };
  }
}

/**
 * Values Terraform would refuse to compute (interpolating `null`, a missing attribute of a known object,
 * a function given the wrong kind of argument): unknown to the rules, but unlike an unknown value they
 * are skipped by `try` and `can`.
 */
export function failure(expr: string, loc: SourceLocation, why: string): TreeNode {
  return { kind: "unknown", expr, loc, origin: why, reason: "error" };
}

/** An error or a value past a limit: whatever is built from it is one too. */
export function isFailure(n: TreeNode): boolean {
  return n.kind === "unknown" && n.reason !== undefined;
}

/**
 * Evaluates Terraform expressions into located value trees. What is known statically is computed
 * (literals, templates, `var.*` from defaults and tfvars, `local.*`, `for` over known collections,
 * `jsonencode`, `concat`, `format`, `file`, `templatefile`, …); everything else becomes an explicit
 * unknown naming the expression. A value that comes through a variable or local is placed where the
 * expression uses it and carries `origin`, the place it was defined.
 */
export function evaluate(expr: Expr, scope: Scope): TreeNode {
  if (scope.depth > LIMITS.depth) return scope.module.budget.exceeded("depth", exprLoc(expr));
  if (expr.kind === "json") return evaluateJson(expr.file, expr.node, scope);
  // Literals read from the text: a plain string, a number, true, false, null (each starts with its own characters:
  // the text of other expressions is not copied for them).
  const c = expr.file.src.text.charCodeAt(expr.start);
  if (c === 34 /* " */) {
    const simple = plainText(expr);
    if (simple !== undefined) {
      const loc = exprLoc(expr);
      return { kind: "string", value: { parts: [simple], loc }, loc };
    }
  } else if (c === 45 /* - */ || (c >= 48 && c <= 57) || c === 116 /* t */ || c === 102 /* f */ || c === 110 /* n */) {
    const text = expr.file.src.text.slice(expr.start, expr.end);
    if (/^-?\d+(\.\d+)?$/.test(text)) return { kind: "scalar", value: Number(text), loc: exprLoc(expr) };
    if (text === "true" || text === "false") return { kind: "scalar", value: text === "true", loc: exprLoc(expr) };
    if (text === "null") return { kind: "scalar", value: null, loc: exprLoc(expr) };
  }
  // The TypeScript parser's tree, parsed (again) on first use; hcl2json's, read when the module was loaded.
  const node = exprTree(expr);
  if (!node) return { kind: "unknown", expr: expr.file.src.text.slice(expr.start, expr.end), loc: exprLoc(expr) };
  return evalAst(node, fileCtx(expr.file), scope);
}

/** The context of the expressions of one file, made once for the expressions evaluated after one another in it. */
let lastCtx: AstCtx | undefined;

function fileCtx(file: TfFile): AstCtx {
  if (lastCtx?.file !== file) lastCtx = { file };
  return lastCtx;
}

export function exprLoc(expr: Expr): SourceLocation {
  if (expr.kind === "json") return expr.node.loc;
  return expr.file.index.span(expr.start, expr.end);
}

function spanLoc(ctx: AstCtx, node: { start: number; end: number }): SourceLocation {
  return ctx.file.index.span(node.start, node.end);
}

/**
 * A string value's location: a quoted string from its opening quote, as in JSON; a heredoc from its
 * first line of content (where the JSON it holds starts).
 */
function templateLoc(ctx: AstCtx, node: Extract<HclExpr, { type: "template" }>): SourceLocation {
  const [first] = node.parts;
  if (!node.heredoc || !first) return spanLoc(ctx, node);
  return ctx.file.index.span(first.kind === "interpolation" ? first.expr.start : first.start, node.end);
}

function sourceOf(ctx: AstCtx, node: { start: number; end: number }): string {
  return ctx.file.src.text.slice(node.start, node.end);
}

function unknown(expr: string, loc: SourceLocation, origin?: string): TreeNode {
  return origin === undefined ? { kind: "unknown", expr, loc } : { kind: "unknown", expr, loc, origin };
}

function str(parts: Part[], loc: SourceLocation, origin?: string): TreeNode {
  const value: StrValue = { parts: joined(parts), loc };
  if (origin) value.origin = origin;
  return { kind: "string", value, loc };
}

/** The text of a known string or scalar (an object key, an index). */
function keyText(n: TreeNode): string | undefined {
  return n.kind === "string" ? knownText(n.value) : n.kind === "scalar" ? String(n.value) : undefined;
}

function evalAst(node: HclExpr, ctx: AstCtx, scope: Scope): TreeNode {
  const budget = scope.module.budget;
  if (!budget.step()) return budget.exceeded("steps", ctx.placedAt ?? spanLoc(ctx, node));
  if (scope.depth > LIMITS.depth) return budget.exceeded("depth", ctx.placedAt ?? spanLoc(ctx, node));
  // Plain strings and literals first: they need no deeper scope.
  if (node.type === "template") {
    const only = node.parts.length === 1 ? node.parts[0] : undefined;
    if (only?.kind === "text" && readsAsText(only, ctx)) return textTemplate(node, only, ctx, budget);
  } else if (node.type === "literal") {
    const at = spanLoc(ctx, node);
    return { kind: "scalar", value: node.value, loc: at };
  }
  const inner = deeperScope(scope);
  // Located by themselves (a template from its first line, parentheses by what they hold).
  if (node.type === "template") return evalTemplate(node, ctx, inner);
  if (node.type === "parens") return evalAst(node.expr, ctx, inner);
  const loc = spanLoc(ctx, node);
  switch (node.type) {
    case "wrap": {
      const v = evalAst(node.expr, ctx, inner);
      if (v.kind === "string") return { kind: "string", value: { ...v.value, loc }, loc };
      // `"${x}"` alone is the value of x: null stays null (and fails where a string is needed).
      if (v.kind === "scalar" && v.value !== null) return str([String(v.value)], loc);
      return v;
    }
    case "tuple":
      return { kind: "array", items: evalEach(node.items, ctx, inner), loc };
    case "object": {
      const entries: TreeEntry[] = [];
      // (Indexed loops in the evaluation: a loop over an iterator makes an object per step in a cold process.)
      for (let i = 0; i < node.items.length; i++) {
        const item = node.items[i] as (typeof node.items)[number];
        const key = objectKey(item.key, ctx, inner);
        entries.push({ key, value: evalAst(item.value, ctx, inner) });
      }
      return { kind: "object", entries, loc };
    }
    case "variable":
      return resolveTraversal([node.name], node.name, loc, inner);
    case "traversal":
      return evalTraversal(node, ctx, inner, loc);
    case "splat":
      return evalSplat(node, ctx, inner, loc);
    case "call":
      return callFunction(node, ctx, inner, loc);
    case "for":
      return evalFor(node, ctx, inner, loc);
    case "conditional": {
      const c = evalAst(node.condition, ctx, inner);
      if (c.kind === "scalar" && typeof c.value === "boolean")
        return evalAst(c.value ? node.whenTrue : node.whenFalse, ctx, inner);
      const out = unknown(sourceOf(ctx, node), loc, nodeOrigin(c));
      const spelling = `\`${sourceOf(ctx, node.condition)} ? … : …\` (${where(loc)})`;
      const branches: TreeNode[] = [];
      for (const [choice, branch] of [
        [true, node.whenTrue],
        [false, node.whenFalse],
      ] as const) {
        const v = evalAst(branch, ctx, inner);
        const values = v.kind === "array" ? v.items : [v];
        const strings = values.filter((x) => x.kind === "string");
        // Only branches whose values are strings: a list of alternatives means nothing for other values.
        if (strings.length !== values.length) return out;
        // (A new node, not a spread copy: a string's node carries what the evaluation noted of its text, above.)
        for (const x of strings)
          branches.push({
            kind: "string",
            value: { ...x.value, origin: x.value.origin ?? `the ${String(choice)} branch of ${spelling}` },
            loc: x.loc,
          });
      }
      branchValues.set(out, branches);
      return out;
    }
    case "binary":
      return evalBinary(node, ctx, inner, loc);
    case "unary": {
      const v = evalAst(node.operand, ctx, inner);
      if (v.kind === "scalar" && node.operator === "-" && typeof v.value === "number")
        return { kind: "scalar", value: -v.value, loc };
      if (v.kind === "scalar" && node.operator === "!" && typeof v.value === "boolean")
        return { kind: "scalar", value: !v.value, loc };
      return unknown(sourceOf(ctx, node), loc);
    }
  }
}

/** The values of some expressions, in order (an indexed loop: no closure per list or call evaluated). */
function evalEach(nodes: HclExpr[], ctx: AstCtx, scope: Scope): TreeNode[] {
  const out = new Array<TreeNode>(nodes.length);
  for (let i = 0; i < nodes.length; i++) out[i] = evalAst(nodes[i] as HclExpr, ctx, scope);
  return out;
}

/** The name of an attribute step or of an index by a literal (`.0`, `[0]`, `["k"]`), else undefined. */
function staticStep(s: TraversalStep): string | undefined {
  if (s.kind === "attr") return s.name;
  const k = s.key;
  if (k.type === "literal") return k.value === null ? undefined : String(k.value);
  if (k.type !== "template") return undefined;
  let text = "";
  for (let i = 0; i < k.parts.length; i++) {
    const p = k.parts[i] as TemplatePart;
    if (p.kind !== "text") return undefined;
    text += p.value;
  }
  return text;
  return undefined;
}

function stepKey(s: TraversalStep, ctx: AstCtx, scope: Scope): string | undefined {
  return staticStep(s) ?? (s.kind === "index" ? keyText(evalAst(s.key, ctx, scope)) : undefined);
}

/** `var.x.y`, `local.m["k"]`, `f(x).y`, `data.x.y[var.i]`: the static prefix of a reference is resolved by name. */
function evalTraversal(
  node: Extract<HclExpr, { type: "traversal" }>,
  ctx: AstCtx,
  scope: Scope,
  loc: SourceLocation,
): TreeNode {
  const src = sourceOf(ctx, node);
  let i = 0;
  let base: TreeNode;
  if (node.source.type === "variable") {
    // Sized once (an array grown by `push` gets room for 16 more names).
    const segments = new Array<string>(node.steps.length + 1);
    segments[0] = node.source.name;
    for (; i < node.steps.length; i++) {
      const s = node.steps[i];
      // Keys computed from known values too (`data.x.y[each.key].json`): references are resolved by name.
      const k = s ? stepKey(s, ctx, scope) : undefined;
      if (k === undefined) break;
      segments[i + 1] = k;
    }
    segments.length = i + 1;
    base = resolveTraversal(segments, src, loc, scope);
  } else base = evalAst(node.source, ctx, scope);
  for (; i < node.steps.length; i++) {
    const s = node.steps[i];
    const key = s ? stepKey(s, ctx, scope) : undefined;
    if (key === undefined) return unknown(src, loc, nodeOrigin(base));
    base = step(base, [key], src, loc);
  }
  return base;
}

/** `list[*].a` / `list.*.a`: the steps applied to each element; a single value counts as a list of one, null as none. */
function evalSplat(
  node: Extract<HclExpr, { type: "splat" }>,
  ctx: AstCtx,
  scope: Scope,
  loc: SourceLocation,
): TreeNode {
  const src = sourceOf(ctx, node);
  const base = evalAst(node.source, ctx, scope);
  if (base.kind === "unknown") return unknown(src, loc, nodeOrigin(base));
  const keys: string[] = [];
  for (let i = 0; i < node.steps.length; i++) {
    const k = stepKey(node.steps[i] as TraversalStep, ctx, scope);
    if (k === undefined) return unknown(src, loc, nodeOrigin(base));
    keys.push(k);
  }
  const items = base.kind === "array" ? base.items : base.kind === "scalar" && base.value === null ? [] : [base];
  return { kind: "array", items: items.map((item) => step(item, keys, src, loc)), loc };
}

function objectKey(key: HclExpr, ctx: AstCtx, scope: Scope): TreeEntry["key"] {
  // A bare identifier key is its name: `Version = …`.
  if (key.type === "variable") return { value: key.name, loc: spanLoc(ctx, key) };
  const target = key.type === "parens" ? key.expr : key;
  const v = evalAst(key, ctx, scope);
  const text =
    v.kind === "string" ? displayText(v.value) : v.kind === "scalar" ? String(v.value) : `\${${sourceOf(ctx, target)}}`;
  return { value: text, loc: spanLoc(ctx, target) };
}

/** The value of a template's parts: text, located segments (for JSON inside it) and where interpolated values came from. */
interface TemplateValue {
  parts: Part[];
  segments: Segment[];
  /** Made by the first interpolated value with an origin (most strings have none). */
  origins?: Set<string>;
  /**
   * A `%{if}`/`%{for}` directive whose condition or collection is unknown: the text it adds is unknown,
   * not a value, so the whole string is (JSON read from it would be guessed).
   */
  opaque?: TreeNode;
  /** Characters so far, against `LIMITS.stringLength`. */
  size: number;
  /** Interpolated values so far, against `LIMITS.pieces`. */
  pieces: number;
}

function newTemplateValue(): TemplateValue {
  return { parts: [], segments: [], size: 0, pieces: 0 };
}

/** Where a template's piece is placed: on the call that renders it (`placedAt`), else on the piece itself. */
function placedLoc(ctx: AstCtx, at: { start: number; end: number }): SourceLocation {
  return ctx.placedAt ?? spanLoc(ctx, at);
}

/** `file.tf:12` of an offset of the template's file, for origins. */
function lineOf(ctx: AstCtx, offset: number): string {
  return `${ctx.file.src.path}:${ctx.file.index.position(offset).line}`;
}

/** Counts `n` characters more into a template's text; false (the text opaque) past `LIMITS.stringLength`. */
function grow(out: TemplateValue, n: number, ctx: AstCtx, scope: Scope, at: { start: number; end: number }): boolean {
  out.size += n;
  if (out.size <= LIMITS.stringLength) return true;
  out.opaque ??= scope.module.budget.exceeded("stringLength", placedLoc(ctx, at));
  return false;
}

/** Adds an interpolated value to a template's text. */
function addInterpolated(out: TemplateValue, v: TreeNode, ctx: AstCtx, scope: Scope, at: TemplatePart): void {
  // Terraform refuses to interpolate null: an error, never the text "null". (A list or object here is
  // what `jsonencode` returned, which this evaluator keeps as a tree: JSON read from the text sees it.)
  if (isFailure(v)) out.opaque ??= v;
  else if (v.kind === "scalar" && v.value === null)
    out.opaque ??= failure(
      sourceOf(ctx, at),
      placedLoc(ctx, at),
      `null interpolated into a string (${where(placedLoc(ctx, at))})`,
    );
  if (out.opaque) return;
  if (
    !grow(
      out,
      v.kind === "string" ? v.value.parts.reduce((n, p) => n + (typeof p === "string" ? p.length : 1), 0) : 8,
      ctx,
      scope,
      at,
    )
  )
    return;
  out.pieces += piecesOf(v);
  if (out.pieces > LIMITS.pieces) {
    out.opaque = scope.module.budget.exceeded("pieces", placedLoc(ctx, at));
    return;
  }
  out.parts.push(...interpolatedParts(v));
  out.segments.push(ctx.ownFile ? { node: v, ownFile: true } : { node: v });
  const o = nodeOrigin(v);
  if (o) (out.origins ??= new Set()).add(o);
}

/** (No closures made per call: a template is evaluated for every string of a policy.) */
function templateParts(parts: TemplatePart[], ctx: AstCtx, scope: Scope, out: TemplateValue): void {
  const index = ctx.file.index;
  const placedAt = ctx.placedAt;
  const budget = scope.module.budget;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as TemplatePart;
    if (out.opaque) return;
    if (!budget.step()) {
      out.opaque = budget.exceeded("steps", placedLoc(ctx, part));
      return;
    }
    switch (part.kind) {
      case "text":
        if (part.value === "" || !grow(out, part.value.length, ctx, scope, part)) break;
        out.parts.push(part.value);
        out.segments.push(
          placedAt
            ? { text: part.value, locate: () => placedAt, origin: (s) => lineOf(ctx, textOffset(part, s)) }
            : textSegment(index, part, ctx.ownFile === true),
        );
        break;
      case "interpolation": {
        const v = evalAst(part.expr, ctx, scope);
        addInterpolated(
          out,
          placedAt ? relocate(v, placedAt, nodeOrigin(v) ?? lineOf(ctx, part.start)) : v,
          ctx,
          scope,
          part,
        );
        break;
      }
      case "if": {
        const c = evalAst(part.condition, ctx, scope);
        if (c.kind === "scalar" && typeof c.value === "boolean")
          templateParts(c.value ? part.then : (part.else ?? []), ctx, scope, out);
        else
          out.opaque ??= unknown(
            `a template whose %{ if ${sourceOf(ctx, part.condition)} } is unknown`,
            placedLoc(ctx, part),
            nodeOrigin(c) ?? (placedAt && lineOf(ctx, part.start)),
          );
        break;
      }
      case "for": {
        const coll = evalAst(part.collection, ctx, scope);
        const pairs = collectionPairs(coll);
        if (!pairs) {
          out.opaque ??= unknown(
            `a template whose %{ for … in ${sourceOf(ctx, part.collection)} } is unknown`,
            placedLoc(ctx, part),
            nodeOrigin(coll) ?? (placedAt && lineOf(ctx, part.start)),
          );
          break;
        }
        // One scope for the whole loop, its names rebound per element (the body is done before the next one).
        const names = new Map(scope.names);
        const inner = scopeWith(scope, names, scope.depth + 1);
        for (let i = 0; i < pairs.length; i++) {
          const pair = pairs[i] as [TreeNode, TreeNode];
          if (budget.spent) {
            out.opaque = budget.exceeded("steps", placedLoc(ctx, part));
            break;
          }
          if (part.keyVar !== undefined) names.set(part.keyVar, pair[0]);
          names.set(part.valueVar, pair[1]);
          templateParts(part.body, ctx, inner, out);
          if (stopped(out)) break;
        }
        break;
      }
    }
  }
}

/**
 * The located text of a template's text part. Made here, not in `templateParts`: a closure there would keep that
 * call's whole scope (the template value being built) alive as long as the string it becomes.
 */
function textSegment(index: LineIndex, part: Extract<TemplatePart, { kind: "text" }>, ownFile: boolean): Segment {
  const locate = (s: number, e: number): SourceLocation => index.span(textOffset(part, s), textOffset(part, e));
  return ownFile ? { text: part.value, locate, ownFile: true } : { text: part.value, locate };
}

/** Whether a template's text is already opaque (set by the call just made, which TypeScript's narrowing does not see). */
function stopped(out: TemplateValue): boolean {
  return out.opaque !== undefined;
}

/** A text part `textTemplate` reads as `templateParts` would: not empty, within the string limit, not placed on a call. */
function readsAsText(part: Extract<TemplatePart, { kind: "text" }>, ctx: AstCtx): boolean {
  return part.value !== "" && part.value.length <= LIMITS.stringLength && ctx.placedAt === undefined;
}

/**
 * A template of one text part (most strings of a policy), with what `evalTemplate` gives it — the same step spent,
 * text segment and pieces — without building a template value.
 */
function textTemplate(
  node: Extract<HclExpr, { type: "template" }>,
  part: Extract<TemplatePart, { kind: "text" }>,
  ctx: AstCtx,
  budget: Scope["module"]["budget"],
): TreeNode {
  if (!budget.step()) return budget.exceeded("steps", spanLoc(ctx, part));
  const out = str([part.value], templateLoc(ctx, node));
  setSegments(out, new TextPartSegments(ctx.file.index, part, ctx.ownFile === true), 0);
  return out;
}

function evalTemplate(node: Extract<HclExpr, { type: "template" }>, ctx: AstCtx, scope: Scope): TreeNode {
  const value: TemplateValue = newTemplateValue();
  templateParts(node.parts, ctx, scope, value);
  if (value.opaque) return value.opaque;
  const out = str(value.parts, templateLoc(ctx, node), value.origins && joinOrigins(value.origins));
  setSegments(out, value.segments, value.pieces);
  return out;
}

/** Key/value pairs of a known collection (index → item for a list), undefined when it is not known. */
function collectionPairs(coll: TreeNode): [TreeNode, TreeNode][] | undefined {
  if (coll.kind === "array") return coll.items.map((item, i) => [{ kind: "scalar", value: i, loc: item.loc }, item]);
  if (coll.kind === "object")
    return coll.entries.map((e) => [
      { kind: "string", value: { parts: [e.key.value], loc: e.key.loc }, loc: e.key.loc },
      e.value,
    ]);
  return undefined;
}

/** Follows attribute / index steps (from `steps[from]` on) into a value; unknown as soon as the value is. */
function step(base: TreeNode, steps: string[], expr: string, loc: SourceLocation, from = 0): TreeNode {
  let cur = base;
  for (let i = from; i < steps.length; i++) {
    const s = steps[i] as string;
    if (cur.kind === "object") {
      const e = cur.entries.find((x) => x.key.value === s);
      if (e) cur = e.value;
      // A key missing from an object whose keys are all known is an error in Terraform (`try` skips it).
      else if (cur.entries.some((x) => x.key.value.includes("${"))) return unknown(expr, loc, nodeOrigin(cur));
      else return failure(expr, loc, `no attribute or key "${s}" (${where(loc)})`);
    } else if (cur.kind === "array" && /^\d+$/.test(s)) {
      const item = cur.items[Number(s)];
      if (!item) return failure(expr, loc, `index ${s} out of range (${where(loc)})`);
      cur = item;
    } else if (cur.kind === "unknown") return unknown(expr, loc, nodeOrigin(cur));
    else
      return failure(
        expr,
        loc,
        `no attribute "${s}" on a ${cur.kind === "array" ? "list" : "value that is not an object"} (${where(loc)})`,
      );
  }
  return cur;
}

/**
 * Places a value where it is used, remembering where it was defined. The text a string was made of
 * (JSON in a heredoc) moves along: JSON read from it later is placed on the use too, each value keeping
 * the origin of its own text; only a file linted on its own keeps its positions.
 */
export function relocate(node: TreeNode, loc: SourceLocation, origin: string | undefined): TreeNode {
  switch (node.kind) {
    case "array": {
      // (Indexed loops, not `map` with a callback: a closure per list or object placed.)
      const items = new Array<TreeNode>(node.items.length);
      for (let i = 0; i < items.length; i++) items[i] = relocate(node.items[i] as TreeNode, loc, origin);
      return { kind: "array", items, loc };
    }
    case "object": {
      const entries = new Array<TreeEntry>(node.entries.length);
      for (let i = 0; i < entries.length; i++) {
        const e = node.entries[i] as TreeEntry;
        entries[i] = { key: { value: e.key.value, loc }, value: relocate(e.value, loc, origin) };
      }
      return { kind: "object", entries, loc };
    }
    case "unknown": {
      const out = relocateTree(node, loc, origin);
      const branches = branchValues.get(node);
      if (branches)
        branchValues.set(
          out,
          branches.map((b) => relocate(b, loc, origin)),
        );
      return out;
    }
    case "string": {
      // (No callback for `relocateTree`: a closure per string placed.)
      const out = relocateTree(node, loc, origin);
      if (out.kind !== "string") return out;
      if (node.value.source) out.value.source = node.value.source;
      const segs = (node as Noted)[SEGMENTS];
      if (segs)
        setSegments(
          out,
          sameLoc(node.loc, loc) ? segs : new CopiedSegments(node, (from) => movedSegments(from, loc, origin)),
          piecesOf(node),
        );
      return out;
    }
    default:
      return relocateTree(node, loc, origin);
  }
}

/** A string's located text placed at `loc` (`relocate`): a file of its own keeps its positions. */
function movedSegments(segs: Segment[], loc: SourceLocation, origin: string | undefined): Segment[] {
  // One closure for every segment's place and origin (written out, not spread: one object per segment).
  const at = (): SourceLocation => loc;
  const from = origin === undefined ? undefined : (): string => origin;
  return segs.map((seg): Segment => {
    if (seg.ownFile) return seg;
    if ("node" in seg) return { node: relocate(seg.node, loc, origin) };
    const moved: TextSegment = { text: seg.text, locate: at };
    const own = seg.origin ?? from;
    if (own) moved.origin = own;
    if (seg.source) moved.source = seg.source;
    return moved;
  });
}

function sameLoc(a: SourceLocation, b: SourceLocation): boolean {
  return (
    a.file === b.file &&
    a.line === b.line &&
    a.column === b.column &&
    a.endLine === b.endLine &&
    a.endColumn === b.endColumn
  );
}

/**
 * Trees that keep their own positions wherever they are used: `aws_iam_policy_document` documents,
 * which are placed on their blocks, not on the expressions that refer to them.
 */
const keptInPlace = new WeakSet<TreeNode>();

/** A definition a value comes through: what its `origin` says, and what its `source` records. */
export interface Definition {
  origin: (at: SourceLocation) => string;
  kind: ValueSource["kind"];
  name: string;
}

/**
 * A value defined by a variable default, a tfvars entry or a local, each of its strings and unknowns
 * marked with where it was written (`def.origin(loc)`, e.g. `variable "x" default (variables.tf:7)`): the
 * line of that string itself, or, for text read as JSON later (a heredoc), of each JSON value. A string
 * written whole there also records it as data (`source`: the definition and the string's location).
 * Positions are unchanged; `relocate` then places the value on its use.
 */
export function defined(node: TreeNode, def: Definition, passedAs?: string): TreeNode {
  if (keptInPlace.has(node)) return node;
  // (No closures made per call: `defined` is called for every node of every value defined; only a text segment's
  // origin and source, read when JSON is parsed out of the string, are functions.)
  switch (node.kind) {
    case "string": {
      const v = node.value;
      const value: StrValue = { parts: v.parts, loc: v.loc, origin: markOrigin(def, passedAs, v.origin, node.loc) };
      if (v.origin === undefined) value.source = definedAt(def, node.loc);
      else if (v.source !== undefined) value.source = v.source;
      const out: TreeNode = { kind: "string", value, loc: node.loc };
      if ((node as Noted)[SEGMENTS])
        setSegments(out, new CopiedSegments(node, (from) => markedSegments(from, def, passedAs)), piecesOf(node));
      return out;
    }
    case "unknown": {
      const out: TreeNode = { ...node, origin: markOrigin(def, passedAs, node.origin, node.loc) };
      const branches = branchValues.get(node);
      if (branches)
        branchValues.set(
          out,
          branches.map((b) => defined(b, def, passedAs)),
        );
      return out;
    }
    case "array": {
      const items = new Array<TreeNode>(node.items.length);
      for (let i = 0; i < items.length; i++) items[i] = defined(node.items[i] as TreeNode, def, passedAs);
      return { kind: "array", items, loc: node.loc };
    }
    case "object": {
      const entries = new Array<TreeEntry>(node.entries.length);
      for (let i = 0; i < entries.length; i++) {
        const e = node.entries[i] as TreeEntry;
        entries[i] = { key: e.key, value: defined(e.value, def, passedAs) };
      }
      return { kind: "object", entries, loc: node.loc };
    }
    case "scalar":
      return node;
  }
}

/** A string's located text marked with a definition (`defined`). */
function markedSegments(segs: Segment[], def: Definition, passedAs: string | undefined): Segment[] {
  return segs.map((seg): Segment => {
    if ("node" in seg)
      return seg.ownFile
        ? { node: defined(seg.node, def, passedAs), ownFile: true }
        : { node: defined(seg.node, def, passedAs) };
    if (seg.ownFile) return seg;
    const own = seg.origin;
    if (own && passedAs === undefined) return seg;
    // (Written out, not spread: one per text segment of every string of a value defined.)
    const marked: TextSegment = {
      text: seg.text,
      locate: seg.locate,
      origin: (s) => markOrigin(def, passedAs, own?.(s), seg.locate(s, s + 1)),
    };
    if (!own) marked.source = (s: number, e: number) => definedAt(def, seg.locate(s, e));
    else if (seg.source) marked.source = seg.source;
    return marked;
  });
}

/**
 * The origin `defined` gives a value written at `at`: the definition's; a value that already came from somewhere
 * keeps that origin, and one passed on (a module argument) says both.
 */
function markOrigin(
  def: Definition,
  passedAs: string | undefined,
  own: string | undefined,
  at: SourceLocation,
): string {
  return own === undefined ? def.origin(at) : passedAs === undefined ? own : `${own}, ${passedAs} ${def.origin(at)}`;
}

/** The definition a string written whole there records as its `source`. */
function definedAt(def: Definition, loc: SourceLocation): ValueSource {
  return { kind: def.kind, name: def.name, loc };
}

function resolveTraversal(segments: string[], full: string, loc: SourceLocation, scope: Scope): TreeNode {
  const root = segments[0];
  if (root === undefined) return unknown(full, loc);
  const bound = scope.names.get(root);
  // (Steps read from their place in `segments`: no copies of it for the names most references start with.)
  if (bound) return relocate(step(bound, segments, full, loc, 1), loc, undefined);
  const mod = scope.module;
  const name = segments[1];
  if (root === "var" && name !== undefined) return placed(variable(mod, name, loc, scope), segments, 2, full, loc);
  if (root === "local" && name !== undefined) return placed(local(mod, name, loc, scope), segments, 2, full, loc);
  const rest = segments.slice(1);
  if (root === "path") {
    if (name === "module") return str([mod.dir], loc);
    if (name === "root" || name === "cwd") return str(["."], loc);
  }
  if (root === "data" && name !== undefined) {
    // A data block sees its own names, not those of the expression referring to it (`each` of a role).
    // (The scope itself when it binds none already: most references are made in such a scope.)
    if (scope.names !== NO_NAMES) scope = scopeWith(scope, NO_NAMES, scope.depth);
    const label = rest[1];
    const block = label === undefined ? undefined : mod.data.get(`${name}.${label}`);
    const attrs = rest.slice(2).filter((s) => !/^\d+$/.test(s));
    if (block && name === "aws_iam_policy_document" && scope.policyDocument) {
      // `x.json`, `x.minified_json`; with `for_each`/`count` on the document, `x["k"].json`, `x[each.key].json`, `x[0].json`.
      let after = rest.slice(2);
      let docScope = scope;
      if (block.attrs.has("for_each") || block.attrs.has("count")) {
        const instances = instancesOf(block, scope);
        const wanted = after[0];
        const chosen = instances.find(
          (i) => i.key === "" || i.key === `[${JSON.stringify(wanted)}]` || i.key === `[${String(wanted)}]`,
        );
        if (wanted === undefined || !chosen) return unknown(full, loc);
        docScope = scopeWith(scope, chosen.names, scope.depth);
        after = after.slice(1);
      }
      if (after[0] !== "json" && after[0] !== "minified_json") return unknown(full, loc);
      const doc = scope.policyDocument(block, docScope);
      keptInPlace.add(doc);
      return doc;
    }
    if (block && name === "aws_iam_openid_connect_provider" && attrs[0] === "arn")
      return providerArn(block, loc, scope);
    if (block && name === "template_file" && attrs[0] === "rendered") return renderTemplateFile(block, loc, scope);
    return unknown(full, loc);
  }
  if (root === "aws_iam_openid_connect_provider" && name !== undefined) {
    const block = mod.resources.get(`${root}.${name}`);
    const attrs = rest.slice(1).filter((s) => !/^\d+$/.test(s));
    if (block && attrs[0] === "arn") return providerArn(block, loc, scope);
    const url = block?.attrs.get("url");
    if (block && url && attrs[0] === "url") {
      // The provider keeps the issuer without its scheme (IAM returns it so), which is why
      // `"${aws_iam_openid_connect_provider.github.url}:sub"` is a working condition key.
      const value = evaluate(url.expr, scope);
      const first = value.kind === "string" ? value.value.parts[0] : undefined;
      const bare: TreeNode =
        value.kind === "string" && typeof first === "string"
          ? {
              kind: "string",
              value: { ...value.value, parts: [first.replace(/^https?:\/\//, ""), ...value.value.parts.slice(1)] },
              loc: value.loc,
            }
          : value;
      return relocate(bare, loc, `${root}.${name}.url without its scheme (${where(block.loc)})`);
    }
  }
  return unknown(full, loc);
}

/**
 * Whether a `for_each` collection is empty only because the inputs it is built from are at their defaults,
 * in a module read on its own (no caller, no tfvars for them): `for_each = var.roles` with `default = {}`,
 * or a local built from such a variable. Its blocks are then read as one instance whose `each` is unknown —
 * the template every caller gets — rather than skipped. A collection emptied by a caller's argument, a
 * tfvars entry or a literal (`for_each = {}`) stays empty; so does a `count` of 0 (a block switched off).
 */
function emptyByDefault(expr: Expr, mod: ModuleCtx): boolean {
  if (mod.args !== undefined) return false;
  const vars = new Set<string>();
  const seen = new Set<string>();
  const visit = (text: string): void => {
    for (const [kind, name] of namesIn(text)) {
      if (kind === "var") {
        vars.add(name);
        continue;
      }
      const attr = mod.locals.get(name);
      if (attr === undefined || seen.has(name) || seen.size >= 64) continue;
      seen.add(name);
      visit(exprText(attr.expr));
    }
  };
  visit(exprText(expr));
  return (
    vars.size > 0 && [...vars].every((n) => !mod.tfvars.has(n) && mod.variables.get(n)?.attrs.has("default") === true)
  );
}

/** More instances than this (`for_each`, `count`) are read as one instance whose `each`/`count` are unknown. */
const MAX_INSTANCES = 64;

/**
 * The instances a block with `for_each` or `count` stands for, when its collection or number is known:
 * each with `each.key`/`each.value` (their origin naming the `for_each` entry) or `count.index` bound,
 * and its address suffix (`["x"]`, `[0]`). Otherwise one instance, in which `each`/`count` are unknown.
 */
export function instancesOf(block: Block, scope: Scope): { key: string; names: ReadonlyMap<string, TreeNode> }[] {
  const forEach = block.attrs.get("for_each");
  const count = block.attrs.get("count");
  const one = [{ key: "", names: scope.names }];
  // Most blocks have neither: nothing more is made for them.
  if (!forEach && !count) return one;
  const bind = (name: string, entries: [string, TreeNode][]): Map<string, TreeNode> => {
    const loc = block.loc;
    return new Map(scope.names).set(name, {
      kind: "object",
      entries: entries.map(([k, value]) => ({ key: { value: k, loc }, value })),
      loc,
    });
  };
  if (forEach) {
    const coll = evaluate(forEach.expr, scope);
    let pairs: [string, TreeNode, TreeNode][] = [];
    if (coll.kind === "object") {
      pairs = coll.entries.map((e) => [
        e.key.value,
        { kind: "string", value: { parts: [e.key.value], loc: e.key.loc }, loc: e.key.loc },
        e.value,
      ]);
      if (coll.entries.some((e) => e.key.value.includes("${"))) return one;
    } else if (coll.kind === "array") {
      // A set of strings: each key is its value.
      for (const item of coll.items) {
        const text = item.kind === "string" ? knownText(item.value) : undefined;
        if (text === undefined) return one;
        pairs.push([text, item, item]);
      }
    } else return one;
    if (pairs.length > MAX_INSTANCES || (pairs.length === 0 && emptyByDefault(forEach.expr, scope.module))) return one;
    return pairs.map(([text, key, value]) => {
      const def: Definition = {
        origin: (at) => `for_each key ${text} (${where(at)})`,
        kind: "for_each",
        name: text,
      };
      return {
        key: `[${JSON.stringify(text)}]`,
        names: bind("each", [
          ["key", defined(key, def)],
          ["value", defined(value, def)],
        ]),
      };
    });
  }
  if (count) {
    const n = evaluate(count.expr, scope);
    if (
      n.kind !== "scalar" ||
      typeof n.value !== "number" ||
      !Number.isInteger(n.value) ||
      n.value < 0 ||
      n.value > MAX_INSTANCES
    )
      return one;
    return Array.from({ length: n.value }, (_, i) => ({
      key: `[${String(i)}]`,
      names: bind("count", [["index", { kind: "scalar", value: i, loc: count.loc }]]),
    }));
  }
  return one;
}

/** `arn:${partition}:iam::${account}:oidc-provider/HOST` of a provider whose url is known (partly). */
function providerArn(block: Block, loc: SourceLocation, scope: Scope): TreeNode {
  const id = `${block.type === "data" ? "data." : ""}aws_iam_openid_connect_provider.${block.labels[block.labels.length - 1] ?? ""}`;
  const origin = `${id} (${where(block.loc)})`;
  const urlAttr = block.attrs.get("url");
  const prefix: Part[] = ["arn:", { unknown: "partition" }, ":iam::", { unknown: "account" }, ":oidc-provider/"];
  if (!urlAttr) return str([...prefix, { unknown: `${id}.url` }], loc, origin);
  const url = evaluate(urlAttr.expr, scope);
  if (url.kind !== "string") return str([...prefix, { unknown: `${id}.url` }], loc, origin);
  const parts = [...url.value.parts];
  const first = parts[0];
  if (typeof first === "string") parts[0] = first.replace(/^https?:\/\//, "");
  return str([...prefix, ...parts], loc, origin);
}

/** A variable's value as defined (its argument, tfvars entry or default); `placed` puts it where it is used. */
function variable(mod: ModuleCtx, name: string, loc: SourceLocation, scope: Scope): TreeNode {
  const key = `var.${name}`;
  let cached = mod.cache.get(key);
  if (!cached) {
    cached = variableValue(mod, name, key, loc, scope);
    mod.cache.set(key, cached);
  }
  return cached;
}

/** `variable` when its value is not cached yet. */
function variableValue(mod: ModuleCtx, name: string, key: string, loc: SourceLocation, scope: Scope): TreeNode {
  const block = mod.variables.get(name);
  const plain: Scope = { module: mod, names: NO_NAMES, depth: scope.depth + 1, policyDocument: scope.policyDocument };
  const arg = mod.args?.get(name);
  let value: TreeNode;
  if (arg)
    value = defined(
      evaluate(arg.expr, scopeWith(arg.scope, arg.scope.names, scope.depth + 1)),
      { origin: (at) => `module "${arg.call}" argument ${name} (${where(at)})`, kind: "module argument", name },
      "passed as",
    );
  else {
    const set = mod.tfvars.get(name);
    const def = set ? undefined : block?.attrs.get("default");
    if (set)
      value = defined(evaluate(set.expr, plain), {
        origin: (at) => `${name} = … in ${where(at)}`,
        kind: "tfvars",
        name,
      });
    // `default = ""` marks an input the callers set (a repository, a provider ARN): in a module read
    // on its own it is unknown, not the empty string the role would never be created with.
    else if (block && def && isEmptyStringLiteral(def.expr))
      return unknown(key, def.loc, `variable "${name}" default "" (${where(def.loc)}): set by its callers`);
    else if (block && def)
      value = defined(evaluate(def.expr, plain), {
        origin: (at) => `variable "${name}" default (${where(at)})`,
        kind: "variable default",
        name,
      });
    else if (block) return unknown(key, block.loc, `variable "${name}" has no default (${where(block.loc)})`);
    else return unknown(key, loc, `variable "${name}" is not declared in this module`);
  }
  // Attributes an object type declares `optional(…)` that the value leaves out get their default.
  return block ? withTypeDefaults(value, block, name, plain) : value;
}

/**
 * A variable's value with the defaults of its type filled in, as Terraform does: an attribute an
 * `object({…})` type declares `optional(T, DEFAULT)` that the value leaves out gets DEFAULT, one declared
 * `optional(T)` gets null; through `list(…)`, `set(…)`, `map(…)` and nested objects. The default's origin
 * names the type (`optional() default in variable "roles" type (variables.tf:7)`).
 */
function withTypeDefaults(value: TreeNode, block: Block, name: string, scope: Scope): TreeNode {
  const typeAttr = block.attrs.get("type");
  if (!typeAttr || typeAttr.expr.kind !== "hcl") return value;
  // Only `optional(…)` attributes have defaults to fill in: a type that names none is not parsed (most are `string`, `list(string)`).
  const typeExpr = typeAttr.expr;
  if (!typeExpr.file.src.text.slice(typeExpr.start, typeExpr.end).includes("optional")) return value;
  const type = exprTree(typeExpr);
  if (!type) return value;
  const ctx: AstCtx = { file: typeAttr.expr.file };
  const def: Definition = {
    origin: (at) => `optional() default in variable "${name}" type (${where(at)})`,
    kind: "variable default",
    name,
  };
  const fill = (v: TreeNode, t: HclExpr, depth: number): TreeNode => {
    if (depth > 16 || t.type !== "call") return v;
    const inner = t.args[0];
    if (!inner) return v;
    switch (t.name) {
      case "optional":
        return fill(v, inner, depth + 1);
      case "list":
      case "set": {
        if (v.kind !== "array") return v;
        // (Indexed loops, and a copy only once an item changes: a variable is filled for every module instance.)
        let items: TreeNode[] | undefined;
        for (let i = 0; i < v.items.length; i++) {
          const item = v.items[i] as TreeNode;
          const filled = fill(item, inner, depth + 1);
          if (filled !== item) (items ??= v.items.slice())[i] = filled;
        }
        return items ? { ...v, items } : v;
      }
      case "map": {
        if (v.kind !== "object") return v;
        let entries: TreeEntry[] | undefined;
        for (let i = 0; i < v.entries.length; i++) {
          const e = v.entries[i] as TreeEntry;
          const filled = fill(e.value, inner, depth + 1);
          if (filled !== e.value) (entries ??= v.entries.slice())[i] = { key: e.key, value: filled };
        }
        return entries ? { ...v, entries } : v;
      }
      case "object": {
        if (v.kind !== "object" || inner.type !== "object") return v;
        const shape = objectShape(inner);
        let entries: TreeEntry[] | undefined;
        for (let i = 0; i < v.entries.length; i++) {
          const e = v.entries[i] as TreeEntry;
          const at = shape.types.get(e.key.value);
          const filled = at ? fill(e.value, at, depth + 1) : e.value;
          if (filled !== e.value) (entries ??= v.entries.slice())[i] = { key: e.key, value: filled };
        }
        const given = v.entries;
        for (let o = 0; o < shape.optionals.length; o++) {
          const opt = shape.optionals[o] as OptionalAttr;
          if (hasKey(given, opt.key)) continue;
          entries ??= given.slice();
          const attrDefault = opt.call.args[1];
          if (attrDefault) {
            const filled = defined(
              fill(evalAst(attrDefault, ctx, scope), opt.call.args[0] ?? attrDefault, depth + 1),
              def,
            );
            entries.push({ key: { value: opt.key, loc: spanLoc(ctx, opt.call) }, value: filled });
          } else entries.push((opt.nullEntry ??= nullEntry(opt, ctx)));
        }
        return entries ? { ...v, entries } : v;
      }
      default:
        return v;
    }
  };
  return fill(value, type, 0);
}

/** An attribute an `object({…})` type declares `optional(…)`: its name and that call. */
interface OptionalAttr {
  key: string;
  call: Extract<HclExpr, { type: "call" }>;
  /**
   * What a value that leaves out an attribute declared `optional(T)` (no default) gets: null, placed on the call. The
   * same in every value filled (made once: values are never changed once made).
   */
  nullEntry?: TreeEntry;
}

/** What `withTypeDefaults` reads of an `object({…})` type: each attribute's type by name, and the optional ones. */
interface ObjectShape {
  types: Map<string, HclExpr>;
  /** In the order of the type's attributes (a name given twice: its first place, its last type). */
  optionals: OptionalAttr[];
}

/** Per `object({…})` type expression (kept as long as its tree): read once, not for every value filled. */
const objectShapes = new WeakMap<HclExpr, ObjectShape>();

function objectShape(type: Extract<HclExpr, { type: "object" }>): ObjectShape {
  let shape = objectShapes.get(type);
  if (shape) return shape;
  const types = new Map<string, HclExpr>();
  for (let i = 0; i < type.items.length; i++) {
    const item = type.items[i] as (typeof type.items)[number];
    const key = typeKey(item.key);
    if (key !== undefined) types.set(key, item.value);
  }
  const optionals: OptionalAttr[] = [];
  types.forEach((at, key) => {
    if (at.type === "call" && at.name === "optional") optionals.push({ key, call: at });
  });
  objectShapes.set(type, (shape = { types, optionals }));
  return shape;
}

function nullEntry(opt: OptionalAttr, ctx: AstCtx): TreeEntry {
  const loc = spanLoc(ctx, opt.call);
  return { key: { value: opt.key, loc }, value: { kind: "scalar", value: null, loc } };
}

/** Whether an object's entries hold a key. */
function hasKey(entries: TreeEntry[], key: string): boolean {
  for (let i = 0; i < entries.length; i++) if ((entries[i] as TreeEntry).key.value === key) return true;
  return false;
}

/** The attribute name of an `object({…})` type entry: `name = string` or `"name" = string`. */
function typeKey(key: HclExpr): string | undefined {
  if (key.type === "variable") return key.name;
  if (key.type === "template" && key.parts.length === 1 && key.parts[0]?.kind === "text") return key.parts[0].value;
  return undefined;
}

/** A local's value as defined; `placed` puts it where it is used. */
function local(mod: ModuleCtx, name: string, loc: SourceLocation, scope: Scope): TreeNode {
  const key = `local.${name}`;
  let cached = mod.cache.get(key);
  if (!cached) {
    const attr = mod.locals.get(name);
    if (!attr) return unknown(key, loc);
    // Terraform refuses a local that depends on itself; found before evaluating, so no evaluation recurses into itself.
    if (cyclicLocals(mod).has(name)) {
      mod.budget.report(
        `local "${name}" refers to itself (Terraform reports a cycle); oidclint treats it as unknown.`,
        attr.loc,
      );
      cached = failure(key, loc, `local "${name}" refers to itself (${where(attr.loc)})`);
      mod.cache.set(key, cached);
      return cached;
    }
    const v = evaluate(attr.expr, {
      module: mod,
      names: NO_NAMES,
      depth: scope.depth + 1,
      policyDocument: scope.policyDocument,
    });
    cached = defined(v, { origin: (at) => `local "${name}" (${where(at)})`, kind: "local", name });
    mod.cache.set(key, cached);
  }
  return cached;
}

/**
 * The part of a variable's or local's value that `steps` name from `steps[from]` on (`var.x.a["b"]`), placed where
 * it is used. Stepped into first, then placed: only the part used is copied (placing a whole value and then stepping
 * into the copy gives the same tree). A policy document passed as a module argument or named by a local keeps its
 * own positions.
 */
function placed(v: TreeNode, steps: string[], from: number, full: string, loc: SourceLocation): TreeNode {
  const part = step(v, steps, full, loc, from);
  return keptInPlace.has(v) ? part : relocate(part, loc, nodeOrigin(v));
}

/** `""` as written (a `.tf.json` default `""` too). */
function isEmptyStringLiteral(expr: Expr): boolean {
  if (expr.kind === "json") return expr.node.kind === "string" && knownText(expr.node.value) === "";
  return expr.file.src.text.slice(expr.start, expr.end).trim() === '""';
}

/** The text of an attribute's expression, for finding the names it refers to. */
function exprText(expr: Expr): string {
  if (expr.kind === "hcl") return expr.file.src.text.slice(expr.start, expr.end);
  const texts: string[] = [];
  const walk = (n: TreeNode): void => {
    if (n.kind === "string") texts.push(displayText(n.value));
    else if (n.kind === "array") n.items.forEach(walk);
    else if (n.kind === "object") for (const e of n.entries) walk(e.value);
  };
  walk(expr.node);
  return texts.join("\n");
}

/** Locals on a cycle of references, per module (its instances share the `locals` map): computed on first use. */
const cyclesOf = new WeakMap<ModuleCtx["locals"], ReadonlySet<string>>();

export function cyclicLocals(mod: ModuleCtx): ReadonlySet<string> {
  let found = cyclesOf.get(mod.locals);
  if (!found) cyclesOf.set(mod.locals, (found = localCycles(mod)));
  return found;
}

const LOCAL_REF = /\blocal\.([A-Za-z_][\w-]*)/g;

/** The locals of `locals` a text refers to, each once, in the order first named. */
function localsNamed(text: string, locals: ModuleCtx["locals"]): string[] {
  const out: string[] = [];
  LOCAL_REF.lastIndex = 0;
  for (let m = LOCAL_REF.exec(text); m; m = LOCAL_REF.exec(text)) {
    const n = m[1] ?? "";
    if (locals.has(n) && !out.includes(n)) out.push(n);
  }
  return out;
}

/** Locals on a cycle of references (Tarjan's strongly connected components, without recursion). */
function localCycles(mod: ModuleCtx): Set<string> {
  const edges = new Map<string, string[]>();
  mod.locals.forEach((attr, name) => {
    const text = exprText(attr.expr);
    // Most locals refer to no other local: no match list, set and copies for them.
    edges.set(name, text.includes("local") ? localsNamed(text, mod.locals) : []);
  });
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cyclic = new Set<string>();
  let next = 0;
  for (const root of edges.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; i: number }[] = [{ node: root, i: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1];
      if (!top) break;
      const out = edges.get(top.node) ?? [];
      const to = out[top.i++];
      if (to !== undefined) {
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, i: 0 });
        } else if (onStack.has(to)) low.set(top.node, Math.min(low.get(top.node) ?? 0, index.get(to) ?? 0));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(top.node) ?? 0));
      if (low.get(top.node) !== index.get(top.node)) continue;
      const component: string[] = [];
      for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
        onStack.delete(n);
        component.push(n);
        if (n === top.node) break;
      }
      if (component.length > 1 || out.includes(top.node)) for (const n of component) cyclic.add(n);
    }
  }
  return cyclic;
}

function evalFor(node: Extract<HclExpr, { type: "for" }>, ctx: AstCtx, scope: Scope, loc: SourceLocation): TreeNode {
  const coll = evalAst(node.collection, ctx, scope);
  const pairs = collectionPairs(coll);
  if (!pairs) return unknown(sourceOf(ctx, node), loc, nodeOrigin(coll));
  const items: TreeNode[] = [];
  const entries: TreeEntry[] = [];
  const budget = scope.module.budget;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i] as [TreeNode, TreeNode];
    const k = pair[0];
    const v = pair[1];
    if (budget.spent) return budget.exceeded("steps", loc);
    const names = new Map(scope.names);
    if (node.keyVar !== undefined) names.set(node.keyVar, k);
    names.set(node.valueVar, v);
    const inner = scopeWith(scope, names, scope.depth);
    if (node.condition) {
      const c = evalAst(node.condition, ctx, inner);
      if (c.kind === "scalar" && c.value === false) continue;
      if (!(c.kind === "scalar" && c.value === true)) {
        // An element that may or may not be there: a list gets an unknown item, an object is unknown.
        if (node.object) return unknown(sourceOf(ctx, node), loc);
        items.push(unknown(`...${sourceOf(ctx, node)}`, loc));
        continue;
      }
    }
    const value = evalAst(node.value, ctx, inner);
    if (node.object && node.key) {
      const kv = evalAst(node.key, ctx, inner);
      const kt = keyText(kv);
      if (kt === undefined) return unknown(sourceOf(ctx, node), loc);
      const existing = node.grouped ? entries.find((e) => e.key.value === kt) : undefined;
      if (existing?.value.kind === "array") existing.value.items.push(value);
      else
        entries.push({
          key: { value: kt, loc: kv.loc },
          value: node.grouped ? { kind: "array", items: [value], loc: value.loc } : value,
        });
    } else items.push(value);
  }
  if (node.object) return { kind: "object", entries, loc };
  return { kind: "array", items, loc };
}

function evalBinary(
  node: Extract<HclExpr, { type: "binary" }>,
  ctx: AstCtx,
  scope: Scope,
  loc: SourceLocation,
): TreeNode {
  const left = evalAst(node.left, ctx, scope);
  const right = evalAst(node.right, ctx, scope);
  const src = sourceOf(ctx, node);
  const scalar = (value: number | boolean): TreeNode => ({ kind: "scalar", value, loc });
  if (node.operator === "==" || node.operator === "!=") {
    // A known collection or string is never null (`var.list != null`), whatever unknowns it holds.
    const isNull = (n: TreeNode): boolean | undefined =>
      n.kind === "scalar" ? n.value === null : n.kind === "unknown" ? undefined : false;
    const ln = isNull(left);
    const rn = isNull(right);
    const equal =
      ln === true || rn === true
        ? ln === undefined || rn === undefined
          ? undefined
          : ln === rn
        : whollyKnown(left) && whollyKnown(right)
          ? JSON.stringify(plainValue(left)) === JSON.stringify(plainValue(right))
          : undefined;
    if (equal === undefined) return unknown(src, loc);
    return scalar(node.operator === "==" ? equal : !equal);
  }
  const a = plainOf(left);
  const b = plainOf(right);
  if (a === undefined || b === undefined) return unknown(src, loc);
  switch (node.operator) {
    case "&&":
      return typeof a === "boolean" && typeof b === "boolean" ? scalar(a && b) : unknown(src, loc);
    case "||":
      return typeof a === "boolean" && typeof b === "boolean" ? scalar(a || b) : unknown(src, loc);
  }
  if (typeof a !== "number" || typeof b !== "number") return unknown(src, loc);
  switch (node.operator) {
    case "<":
      return scalar(a < b);
    case ">":
      return scalar(a > b);
    case "<=":
      return scalar(a <= b);
    case ">=":
      return scalar(a >= b);
    case "+":
      return scalar(a + b);
    case "-":
      return scalar(a - b);
    case "*":
      return scalar(a * b);
    default:
      // Division and remainder: Terraform's arbitrary precision is not worth imitating here.
      return unknown(src, loc);
  }
}

/** A wholly known value as plain data, keys sorted (for equality). */
function plainValue(n: TreeNode): unknown {
  switch (n.kind) {
    case "scalar":
      return n.value;
    case "string":
      return knownText(n.value);
    case "array":
      return n.items.map(plainValue);
    case "object":
      return Object.fromEntries(
        [...n.entries]
          .sort((x, y) => (x.key.value < y.key.value ? -1 : 1))
          .map((e) => [e.key.value, plainValue(e.value)]),
      );
    default:
      return undefined;
  }
}

/**
 * `jsondecode(x)`: `jsonencode` keeps its argument's tree, so a value that is not a string is what was encoded
 * (`jsondecode(jsonencode({…}))`, a local holding `jsonencode(…)`); a string is read as JSON where its text was
 * written, its interpolated unknowns staying unknowns. Text that is not JSON is Terraform's error.
 */
function jsondecodeCall(a: TreeNode, src: string, loc: SourceLocation): TreeNode {
  if (a.kind !== "string") return a.kind === "unknown" ? unknown(src, loc, nodeOrigin(a)) : a;
  const segments: Segment[] =
    stringSegments(a) ??
    a.value.parts.map((p): Segment =>
      typeof p === "string"
        ? { text: p, locate: () => a.loc }
        : { node: { kind: "unknown", expr: p.unknown, loc: a.loc } },
    );
  const json = parseEmbeddedJson(segments);
  if ("error" in json)
    return knownText(a.value) === undefined ? unknown(src, loc) : failure(src, loc, `jsondecode(): ${json.error}`);
  return json.tree;
}

function plainOf(n: TreeNode): string | number | boolean | null | undefined {
  if (n.kind === "scalar") return n.value;
  if (n.kind === "string") return knownText(n.value);
  return undefined;
}

function callFunction(
  node: Extract<HclExpr, { type: "call" }>,
  ctx: AstCtx,
  scope: Scope,
  loc: SourceLocation,
): TreeNode {
  const name = node.name.replace(/^provider::[^:]+::/, "");
  const src = sourceOf(ctx, node);
  const argNodes = [...node.args];
  const args = evalEach(argNodes, ctx, scope);
  if (node.expandFinal) {
    // `f(a, list...)`: the list's elements are the last arguments.
    const last = args.pop();
    const lastNode = argNodes.pop();
    if (last?.kind !== "array" || !lastNode) return unknown(src, loc, last ? nodeOrigin(last) : undefined);
    args.push(...last.items);
    argNodes.push(...last.items.map(() => lastNode));
  }
  // (Indexed, not destructured: destructuring an array iterates it.)
  const a0 = args[0];
  const a1 = args[1];
  const a2 = args[2];
  if (name === "try" || name === "can") return tryCall(name, args, src, loc);
  // An error in an argument is the call's error (Terraform stops there); so is a value past a limit.
  const failed = args.find(isFailure);
  if (failed) return failed;
  switch (name) {
    case "concat": {
      // A list that is not known adds unknown elements: what is known of the others is kept.
      const items: TreeNode[] = [];
      for (let i = 0; i < args.length; i++) {
        const a = args[i] as TreeNode;
        if (a.kind === "array") items.push(...a.items);
        else {
          const argNode = argNodes[i];
          const argSrc = argNode ? sourceOf(ctx, argNode) : src;
          items.push(unknown(`...${argSrc}`, a.loc, nodeOrigin(a)));
        }
      }
      if (items.length > LIMITS.collection) return scope.module.budget.exceeded("collection", loc);
      return { kind: "array", items, loc };
    }
    case "jsondecode":
      return a0 ? jsondecodeCall(a0, src, loc) : unknown(src, loc);
    case "replace":
      return replaceCall(a0, a1, a2, src, loc);
    case "file":
      return fileCall(a0, src, loc, scope, undefined);
    case "templatefile":
      return fileCall(a0, src, loc, scope, a1 ?? { kind: "object", entries: [], loc });
    case "templatestring": {
      // The template must come from elsewhere (a reference), never written in the call.
      const first = argNodes[0];
      if (!first || first.type === "template")
        return failure(src, loc, `templatestring(): the template must be a reference to a string (${where(loc)})`);
      const template = a0?.kind === "string" ? knownText(a0.value) : undefined;
      if (template === undefined || a0 === undefined) return unknown(src, loc, a0 && nodeOrigin(a0));
      const vars = a1 ?? { kind: "object" as const, entries: [], loc };
      return renderTemplate(template, nodeOrigin(a0) ?? where(a0.loc), vars, loc, scope, "templatestring()");
    }
    default: {
      const result = callBuiltin(name, args, {
        src,
        loc,
        exceeded: (limit) => scope.module.budget.exceeded(limit, loc),
      });
      if (result === undefined) return unknown(src, loc, originOf(args));
      if ("unknown" in result) return unknown(src, loc, originOf(args));
      if ("error" in result) return failure(src, loc, `${result.error} (${where(loc)})`);
      return result.value;
    }
  }
}

/**
 * `try(a, b, …)`: the first argument that evaluates without an error; if that one is not wholly known,
 * the result is unknown (Terraform cannot tell whether it would fail once known). `can(x)`: whether x
 * evaluates without an error, unknown while x is not wholly known.
 */
function tryCall(name: "try" | "can", args: TreeNode[], src: string, loc: SourceLocation): TreeNode {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as TreeNode;
    if (a.kind === "unknown" && a.reason === "error") {
      if (name === "can") return { kind: "scalar", value: false, loc };
      continue;
    }
    // Not wholly known: Terraform cannot tell yet whether it fails, unless no argument follows (then
    // it is the value, or the whole call fails).
    if (!whollyKnown(a) && (name === "can" || a !== args[args.length - 1])) return unknown(src, loc, nodeOrigin(a));
    return name === "can" ? { kind: "scalar", value: true, loc } : a;
  }
  return failure(src, loc, `${name}(): every argument failed (${where(loc)})`);
}

function whollyKnown(n: TreeNode): boolean {
  switch (n.kind) {
    case "unknown":
      return false;
    case "string":
      return knownText(n.value) !== undefined;
    case "array":
      return n.items.every(whollyKnown);
    case "object":
      return n.entries.every((e) => !e.key.value.includes("${") && whollyKnown(e.value));
    default:
      return true;
  }
}

function originOf(args: TreeNode[]): string | undefined {
  const all = args.map(nodeOrigin).filter((o): o is string => o !== undefined);
  return joinOrigins(all);
}

/** `replace(subject, search, replacement)`: `/…/` is an RE2 regular expression, anything else a substring. */
function replaceCall(
  subject: TreeNode | undefined,
  search: TreeNode | undefined,
  repl: TreeNode | undefined,
  src: string,
  loc: SourceLocation,
): TreeNode {
  const s = search?.kind === "string" ? knownText(search.value) : undefined;
  const r = repl?.kind === "string" ? knownText(repl.value) : undefined;
  if (subject?.kind !== "string" || s === undefined || r === undefined) return unknown(src, loc);
  const text = knownText(subject.value);
  const isRegex = s.length > 1 && s.startsWith("/") && s.endsWith("/");
  if (!isRegex) {
    if (text !== undefined) return str([s === "" ? text : text.split(s).join(r)], subject.loc, subject.value.origin);
    return unknown(src, loc);
  }
  const compiled = compileRegex(s.slice(1, -1));
  if ("error" in compiled) return failure(src, loc, `replace(): invalid regular expression (${compiled.error})`);
  if (text !== undefined) return str([replaceAll(compiled.re, text, r)], subject.loc, subject.value.origin);
  // Partly known: only a pattern anchored at the start can be applied to the leading literal.
  const [first, ...others] = subject.value.parts;
  if (s.startsWith("/^") && typeof first === "string")
    return str([replaceAll(compiled.re, first, r), ...others], subject.loc, subject.value.origin);
  return unknown(src, loc);
}

/** Directory part of a module-relative path. */
function resolvePath(mod: ModuleCtx, p: string): string {
  const joined = p.startsWith("/") ? p : `${mod.dir}/${p}`;
  const out: string[] = [];
  for (const seg of joined.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return out.join("/");
}

/**
 * `file(path)` and `templatefile(path, vars)`. What is written in the file keeps its positions there,
 * wherever the value is used; each location names the call (`via`), through which a finding there is
 * reported (a `.json` file is linted on its own too, and the same finding is reported once).
 */
function fileCall(
  pathNode: TreeNode | undefined,
  src: string,
  loc: SourceLocation,
  scope: Scope,
  vars: TreeNode | undefined,
): TreeNode {
  const p = pathNode?.kind === "string" ? knownText(pathNode.value) : undefined;
  if (vars !== undefined && scope.inTemplate)
    return failure(src, loc, `templatefile() called inside a template, which Terraform refuses (${where(loc)})`);
  if (p === undefined) return unknown(src, loc);
  // `${path.module}/x` joins the module directory to the file: resolve the already-prefixed path.
  const rel = resolvePath(
    { ...scope.module, dir: "." },
    p.startsWith(scope.module.dir + "/") || scope.module.dir === "." ? p : `${scope.module.dir}/${p}`,
  );
  const text = readOnce(scope, rel);
  if (text === undefined) return unknown(src, loc, `${rel} could not be read`);
  const name = vars === undefined ? "file()" : "templatefile()";
  const via = { message: `${vars === undefined ? "read" : "rendered"} by ${name} here`, loc };
  if (vars === undefined && !/\.(tpl|tftpl)$/.test(rel)) {
    const index = new ReadThrough(rel, text, via);
    const out = str([text], loc, rel);
    setSegments(out, [{ text, locate: (s, e) => index.span(s, e), ownFile: true }], 1);
    return out;
  }
  if (vars !== undefined) scope.module.budget.templates.add(rel);
  const out = renderTemplate(text, rel, vars ?? { kind: "object", entries: [], loc }, loc, scope, name, via);
  if (vars === undefined) templateSources.set(out, { text, rel });
  return out;
}

/**
 * The files `file()` and `templatefile()` read, each read once per evaluation (every instance of a module reads the
 * same files), and the templates parsed, by their text.
 */
const filesRead = new Map<string, string | undefined>();
const templatesParsed = new Map<string, ReturnType<typeof parseTemplate>>();

function readOnce(scope: Scope, rel: string): string | undefined {
  if (filesRead.has(rel)) return filesRead.get(rel);
  const text = scope.module.env.readFile(rel);
  filesRead.set(rel, text);
  return text;
}

function parsedTemplate(text: string): ReturnType<typeof parseTemplate> {
  let parsed = templatesParsed.get(text);
  if (!parsed) templatesParsed.set(text, (parsed = parseTemplate(text)));
  return parsed;
}

/** The text of a template file read by `file()`, for `data "template_file"`, which renders it itself. */
const templateSources = new Map<TreeNode, { text: string; rel: string }>();

/**
 * Renders template text with the given variables (`${…}` interpolations, `%{if}`/`%{for}` directives
 * over known values). Text read from a file (`via` names the call) keeps its positions there; a template
 * given as a string is placed on the call. A value passed in the variables says so in its origin.
 */
export function renderTemplate(
  text: string,
  rel: string,
  vars: TreeNode,
  loc: SourceLocation,
  scope: Scope,
  caller: string,
  via?: NonNullable<SourceLocation["via"]>,
): TreeNode {
  const parsed = parsedTemplate(text);
  if ("error" in parsed) {
    debug(`${rel}: template does not parse (${parsed.error.message}); its value stays unknown`);
    return unknown(`templatefile("${rel}")`, loc, rel);
  }
  const src = { path: rel, abs: rel, text };
  const ctx: AstCtx = via
    ? { file: { src, index: new ReadThrough(rel, text, via) }, ownFile: true }
    : { file: { src, index: new LineIndex(rel, text) }, placedAt: loc };
  const names = new Map<string, TreeNode>();
  if (vars.kind === "object")
    for (const e of vars.entries)
      names.set(
        e.key.value,
        defined(e.value, {
          origin: (at) => `"${e.key.value}" in the variables of ${caller} (${where(at)})`,
          kind: "template variable",
          name: e.key.value,
        }),
      );
  const value: TemplateValue = newTemplateValue();
  const inner: Scope = {
    module: scope.module,
    names,
    depth: scope.depth + 1,
    inTemplate: true,
    policyDocument: scope.policyDocument,
  };
  templateParts(parsed.value, ctx, inner, value);
  if (value.opaque) return value.opaque;
  const out = str(value.parts, loc, rel);
  setSegments(out, value.segments, value.pieces);
  return out;
}

function debug(message: string): void {
  if (process.env.OIDCLINT_DEBUG) console.error(`oidclint: ${message}`);
}

/** `data "template_file" "x" { template = file(…), vars = {…} }` → its `rendered` text. */
function renderTemplateFile(block: Block, loc: SourceLocation, scope: Scope): TreeNode {
  const templateAttr = block.attrs.get("template");
  if (!templateAttr) return unknown("data.template_file.rendered", loc);
  const template = evaluate(templateAttr.expr, scope);
  const varsAttr = block.attrs.get("vars");
  const vars = varsAttr ? evaluate(varsAttr.expr, scope) : { kind: "object" as const, entries: [], loc };
  const source = templateSources.get(template);
  const text = source?.text ?? (template.kind === "string" ? knownText(template.value) : undefined);
  if (text === undefined) return unknown(`data.template_file.${block.labels[1] ?? ""}.rendered`, loc);
  const rel = source?.rel ?? nodeOrigin(template) ?? "template";
  const caller = `data.template_file.${block.labels[1] ?? ""}`;
  const via = source && { message: `rendered by ${caller}, used here`, loc };
  if (source) scope.module.budget.templates.add(source.rel);
  return renderTemplate(text, rel, vars, loc, scope, caller, via);
}

/** `.tf.json` values: strings are templates (`"${var.x}"`), evaluated as HCL templates; positions stay on the JSON string. */
function evaluateJson(file: TfFile, node: TreeNode, scope: Scope): TreeNode {
  switch (node.kind) {
    case "string": {
      const text = knownText(node.value);
      if (text === undefined || !text.includes("${")) return node;
      const parsed = parseTemplate(text);
      if ("error" in parsed) {
        debug(
          `${file.src.path}: string ${JSON.stringify(text.slice(0, 60))} is not a valid template (${parsed.error.message})`,
        );
        return unknown(text, node.loc);
      }
      const ctx: AstCtx = { file: { src: { ...file.src, text }, index: new LineIndex(file.src.path, text) } };
      const [only] = parsed.value;
      let v: TreeNode;
      if (parsed.value.length === 1 && only?.kind === "interpolation") {
        // `"${expr}"` alone is the value of expr, not a string.
        v = evalAst(only.expr, ctx, scope);
      } else {
        const value: TemplateValue = newTemplateValue();
        templateParts(parsed.value, ctx, scope, value);
        v = value.opaque ?? str(value.parts, node.loc, value.origins && joinOrigins(value.origins));
      }
      return relocate(v, node.loc, nodeOrigin(v));
    }
    case "array":
      return {
        kind: "array",
        items: node.items.map((i) => evaluateJson(file, i, scope)),
        loc: node.loc,
      };
    case "object":
      return {
        kind: "object",
        entries: node.entries.map((e) => ({ key: e.key, value: evaluateJson(file, e.value, scope) })),
        loc: node.loc,
      };
    default:
      return node;
  }
}
