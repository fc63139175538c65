import type { HclAst } from "./hcl.js";
import { LineIndex, type SourceLocation } from "../../model/location.js";
import type { TreeEntry, TreeNode } from "../../model/tree.js";
import { displayText, joinParts, knownText, type Part, type StrValue } from "../../model/value.js";
import { interpolatedParts, nodeOrigin, type Segment } from "./embedded-json.js";
import { byteOffsets, expressionAst } from "./hcl.js";
import { where, type Block, type Expr, type ModuleCtx, type TfFile } from "./module.js";

/**
 * Evaluates Terraform expressions into located value trees. What is known statically is computed
 * (literals, templates, `var.*` from defaults and tfvars, `local.*`, `for` over known collections,
 * `jsonencode`, `concat`, `format`, `file`, `templatefile`, …); everything else becomes an explicit
 * unknown naming the expression. A value that comes through a variable or local is placed where the
 * expression uses it and carries `origin`, the place it was defined.
 */
export interface Scope {
  module: ModuleCtx;
  /** Names bound by `for`, dynamic-block iterators and `templatefile` variables. */
  names: Map<string, TreeNode>;
  depth: number;
  /** Called when a `data.aws_iam_policy_document.X.json` is used: builds that document's tree. */
  policyDocument?: (block: Block, scope: Scope) => Promise<TreeNode>;
}

/**
 * The located text a string was made of, when it was read from a template, heredoc or file: needed to
 * parse JSON out of it with per-character positions.
 */
export const stringSegments = new WeakMap<TreeNode, Segment[]>();

const MAX_DEPTH = 40;

interface AstCtx {
  file: TfFile;
  base: number;
  text: string;
  toChar: (byte: number) => number;
}

const astCache = new WeakMap<TfFile, Map<number, Promise<HclAst | null>>>();

export async function evaluate(expr: Expr, scope: Scope): Promise<TreeNode> {
  if (scope.depth > MAX_DEPTH) return { kind: "unknown", expr: "a value nested too deeply", loc: exprLoc(expr) };
  if (expr.kind === "json") return evaluateJson(expr.file, expr.node, scope);
  const text = expr.file.src.text.slice(expr.start, expr.end);
  const loc = exprLoc(expr);
  const simple = /^"([^"\\$%]*)"$/.exec(text);
  if (simple?.[1] !== undefined) return { kind: "string", value: { parts: [simple[1]], loc }, loc };
  if (/^-?\d+(\.\d+)?$/.test(text)) return { kind: "scalar", value: Number(text), loc };
  if (text === "true" || text === "false") return { kind: "scalar", value: text === "true", loc };
  if (text === "null") return { kind: "scalar", value: null, loc };
  let byFile = astCache.get(expr.file);
  if (!byFile) {
    byFile = new Map<number, Promise<HclAst | null>>();
    astCache.set(expr.file, byFile);
  }
  let ast = byFile.get(expr.start);
  // A heredoc must end with a newline after its closing marker.
  if (!ast) byFile.set(expr.start, (ast = expressionAst(expr.file.src.path, text.startsWith("<<") ? `${text}\n` : text)));
  const node = await ast;
  if (!node) return { kind: "unknown", expr: text, loc };
  return evalAst(node, { file: expr.file, base: expr.start, text, toChar: byteOffsets(text) }, scope);
}

export function exprLoc(expr: Expr): SourceLocation {
  if (expr.kind === "json") return expr.node.loc;
  return expr.file.index.span(expr.start, expr.end);
}

function rangeLoc(ctx: AstCtx, node: HclAst): SourceLocation {
  const start = ctx.base + ctx.toChar(node.range.start.byte);
  const end = ctx.base + ctx.toChar(node.range.end.byte);
  return ctx.file.index.span(start, end);
}

/** A string value's location starts at its opening quote, as in JSON. */
function stringLoc(ctx: AstCtx, node: HclAst): SourceLocation {
  const start = ctx.toChar(node.range.start.byte);
  const end = ctx.toChar(node.range.end.byte);
  const quoted = ctx.text[start - 1] === '"' && ctx.text[start] !== '"';
  return ctx.file.index.span(ctx.base + (quoted ? start - 1 : start), ctx.base + end + (quoted ? 1 : 0));
}

function sourceOf(ctx: AstCtx, node: HclAst): string {
  const meta = node.meta as { value?: string } | undefined;
  return meta?.value ?? ctx.text.slice(ctx.toChar(node.range.start.byte), ctx.toChar(node.range.end.byte));
}

function unknown(expr: string, loc: SourceLocation, origin?: string): TreeNode {
  return origin === undefined ? { kind: "unknown", expr, loc } : { kind: "unknown", expr, loc, origin };
}

function str(parts: Part[], loc: SourceLocation, origin?: string): TreeNode {
  const value: StrValue = { parts: joinParts(parts), loc };
  if (origin) value.origin = origin;
  return { kind: "string", value, loc };
}

async function evalAst(node: HclAst, ctx: AstCtx, scope: Scope): Promise<TreeNode> {
  const loc = rangeLoc(ctx, node);
  const children = node.children;
  const inner = { ...scope, depth: scope.depth + 1 };
  switch (node.type) {
    case "literalValue": {
      const meta = node.meta as { type?: string; value?: string };
      if (meta.type === "number") return { kind: "scalar", value: Number(meta.value), loc };
      if (meta.type === "bool") return { kind: "scalar", value: meta.value === "true", loc };
      if (meta.value === "null") return { kind: "scalar", value: null, loc };
      return str([decodeQuoted(meta.value ?? "").text], loc);
    }
    case "template":
      return evalTemplate(node, ctx, inner);
    case "templateWrap": {
      const [child] = children;
      if (!child) return unknown(sourceOf(ctx, node), loc);
      const v = await evalAst(child, ctx, inner);
      if (v.kind === "string") return str(v.value.parts, stringLoc(ctx, node), v.value.origin);
      if (v.kind === "scalar") return str([String(v.value)], stringLoc(ctx, node));
      return v;
    }
    case "tuple":
      return { kind: "array", items: await Promise.all(children.map((c) => evalAst(c, ctx, inner))), loc };
    case "object": {
      const entries: TreeEntry[] = [];
      for (let i = 0; i + 1 < children.length; i += 2) {
        const keyNode = children[i];
        const valueNode = children[i + 1];
        if (!keyNode || !valueNode) continue;
        const key = await objectKey(keyNode, ctx, inner);
        entries.push({ key, value: await evalAst(valueNode, ctx, inner) });
      }
      return { kind: "object", entries, loc };
    }
    case "scopeTraversal": {
      const meta = node.meta as { fullAccessor?: string; traversal?: { type: string; segment: string }[] };
      return resolveTraversal(meta.traversal ?? [], meta.fullAccessor ?? sourceOf(ctx, node), loc, inner);
    }
    case "relativeTraversal": {
      const meta = node.meta as { traversal?: { type: string; segment: string }[] };
      const [source] = children;
      if (!source) return unknown(sourceOf(ctx, node), loc);
      const base = await evalAst(source, ctx, inner);
      return step(base, (meta.traversal ?? []).map((t) => t.segment), sourceOf(ctx, node), loc);
    }
    case "index": {
      const [coll, key] = children;
      if (!coll || !key) return unknown(sourceOf(ctx, node), loc);
      const c = await evalAst(coll, ctx, inner);
      const k = await evalAst(key, ctx, inner);
      const kt = k.kind === "string" ? knownText(k.value) : k.kind === "scalar" ? String(k.value) : undefined;
      if (kt === undefined) return unknown(sourceOf(ctx, node), loc);
      return step(c, [kt], sourceOf(ctx, node), loc);
    }
    case "function":
      return callFunction(node, ctx, inner, loc);
    case "for":
      return evalFor(node, ctx, inner, loc);
    case "conditional": {
      const [cond, yes, no] = children;
      if (!cond || !yes || !no) return unknown(sourceOf(ctx, node), loc);
      const c = await evalAst(cond, ctx, inner);
      if (c.kind === "scalar" && typeof c.value === "boolean") return evalAst(c.value ? yes : no, ctx, inner);
      return unknown(sourceOf(ctx, node), loc);
    }
    case "binaryOp":
      return evalBinary(node, ctx, inner, loc);
    case "unaryOp": {
      const meta = node.meta as { operator?: string };
      const [child] = children;
      if (!child) return unknown(sourceOf(ctx, node), loc);
      const v = await evalAst(child, ctx, inner);
      if (v.kind !== "scalar") return unknown(sourceOf(ctx, node), loc);
      if (meta.operator === "negate" && typeof v.value === "number") return { kind: "scalar", value: -v.value, loc };
      if (meta.operator === "not" && typeof v.value === "boolean") return { kind: "scalar", value: !v.value, loc };
      return unknown(sourceOf(ctx, node), loc);
    }
    default: {
      // Parentheses and object keys come as untyped wrappers of one expression.
      const [child] = children;
      if (children.length === 1 && child) return evalAst(child, ctx, inner);
      return unknown(sourceOf(ctx, node), loc);
    }
  }
}

async function objectKey(keyNode: HclAst, ctx: AstCtx, scope: Scope): Promise<TreeEntry["key"]> {
  const [child] = keyNode.children;
  if (!child) {
    // A bare identifier key: `Version = …`.
    const start = ctx.toChar(keyNode.range.start.byte);
    const end = ctx.toChar(keyNode.range.end.byte);
    return { value: ctx.text.slice(start, end), loc: rangeLoc(ctx, keyNode) };
  }
  const v = await evalAst(child, ctx, scope);
  const text = v.kind === "string" ? displayText(v.value) : v.kind === "scalar" ? String(v.value) : `\${${sourceOf(ctx, child)}}`;
  return { value: text, loc: child.type === "template" ? stringLoc(ctx, child) : rangeLoc(ctx, child) };
}

async function evalTemplate(node: HclAst, ctx: AstCtx, scope: Scope): Promise<TreeNode> {
  const raw = (node.meta as { value?: string } | undefined)?.value ?? "";
  const heredoc = raw.startsWith("<<");
  const loc = heredoc ? rangeLoc(ctx, node) : stringLoc(ctx, node);
  const parts: Part[] = [];
  const segments: Segment[] = [];
  const origins = new Set<string>();
  for (const child of node.children) {
    if (child.type === "literalValue") {
      const rawText = (child.meta as { value?: string }).value ?? "";
      const start = ctx.base + ctx.toChar(child.range.start.byte);
      const decoded = heredoc ? decodeHeredoc(rawText) : decodeQuoted(rawText);
      parts.push(decoded.text);
      const index = ctx.file.index;
      segments.push({ text: decoded.text, locate: (s, e) => index.span(start + (decoded.offsets[s] ?? s), start + (decoded.offsets[e] ?? e)) });
      continue;
    }
    const v = await evalAst(child, ctx, scope);
    parts.push(...interpolatedParts(v));
    segments.push({ node: v });
    const o = nodeOrigin(v);
    if (o) origins.add(o);
  }
  const out = str(parts, loc, origins.size > 0 ? [...origins].join("; ") : undefined);
  stringSegments.set(out, segments);
  return out;
}

/** HCL quoted-string escapes; `offsets[i]` is where decoded character `i` starts in the raw text. */
function decodeQuoted(raw: string): { text: string; offsets: number[] } {
  if (!raw.includes("\\") && !raw.includes("$${") && !raw.includes("%%{")) return { text: raw, offsets: [...Array(raw.length + 1).keys()] };
  let text = "";
  const offsets: number[] = [];
  const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };
  let i = 0;
  while (i < raw.length) {
    const c = raw[i] ?? "";
    offsets.push(i);
    if (c === "\\") {
      const e = raw[i + 1] ?? "";
      if (simple[e] !== undefined) {
        text += simple[e];
        i += 2;
        continue;
      }
      const hex = e === "u" ? raw.slice(i + 2, i + 6) : e === "U" ? raw.slice(i + 2, i + 10) : "";
      if (hex && /^[0-9a-fA-F]+$/.test(hex)) {
        const cp = String.fromCodePoint(parseInt(hex, 16));
        text += cp;
        if (cp.length > 1) offsets.push(i);
        i += 2 + hex.length;
        continue;
      }
    }
    if ((c === "$" || c === "%") && raw[i + 1] === c && raw[i + 2] === "{") {
      text += c;
      i += 2;
      continue;
    }
    text += c;
    i++;
  }
  offsets.push(raw.length);
  return { text, offsets };
}

/** Heredoc text keeps its characters (indentation only matters outside JSON, where oidclint does not read it). */
function decodeHeredoc(raw: string): { text: string; offsets: number[] } {
  if (!raw.includes("$${") && !raw.includes("%%{")) return { text: raw, offsets: [...Array(raw.length + 1).keys()] };
  return decodeQuoted(raw.replace(/\\/g, "\\\\"));
}

/** Follows attribute / index steps into a value; unknown as soon as the value is. */
function step(base: TreeNode, steps: string[], expr: string, loc: SourceLocation): TreeNode {
  let cur = base;
  for (const s of steps) {
    if (cur.kind === "object") {
      const e = cur.entries.find((x) => x.key.value === s);
      if (!e) return unknown(expr, loc, nodeOrigin(cur));
      cur = e.value;
    } else if (cur.kind === "array" && /^\d+$/.test(s)) {
      const item = cur.items[Number(s)];
      if (!item) return unknown(expr, loc);
      cur = item;
    } else return unknown(expr, loc, nodeOrigin(cur));
  }
  return cur;
}

/** Places a value where it is used, remembering where it was defined. */
export function relocate(node: TreeNode, loc: SourceLocation, origin: string | undefined): TreeNode {
  switch (node.kind) {
    case "string": {
      const value: StrValue = { parts: node.value.parts, loc };
      const o = node.value.origin ?? origin;
      if (o) value.origin = o;
      const out: TreeNode = { kind: "string", value, loc };
      const segs = stringSegments.get(node);
      if (segs) stringSegments.set(out, segs);
      return out;
    }
    case "scalar":
      return { ...node, loc };
    case "array":
      return { kind: "array", items: node.items.map((i) => relocate(i, loc, origin)), loc };
    case "object":
      return { kind: "object", entries: node.entries.map((e) => ({ key: { value: e.key.value, loc }, value: relocate(e.value, loc, origin) })), loc };
    case "unknown": {
      const o = node.origin ?? origin;
      return o === undefined ? { kind: "unknown", expr: node.expr, loc } : { kind: "unknown", expr: node.expr, loc, origin: o };
    }
  }
}

async function resolveTraversal(traversal: { type: string; segment: string }[], full: string, loc: SourceLocation, scope: Scope): Promise<TreeNode> {
  const [root, ...rest] = traversal.map((t) => t.segment);
  if (root === undefined) return unknown(full, loc);
  const bound = scope.names.get(root);
  if (bound) return relocate(step(bound, rest, full, loc), loc, undefined);
  const mod = scope.module;
  const name = rest[0];
  if (root === "var" && name !== undefined) return step(await variable(mod, name, loc, scope), rest.slice(1), full, loc);
  if (root === "local" && name !== undefined) return step(await local(mod, name, loc, scope), rest.slice(1), full, loc);
  if (root === "path") {
    if (name === "module") return str([mod.dir], loc);
    if (name === "root" || name === "cwd") return str(["."], loc);
  }
  if (root === "data" && name !== undefined) {
    const label = rest[1];
    const block = label === undefined ? undefined : mod.data.get(`${name}.${label}`);
    const attrs = rest.slice(2).filter((s) => !/^\d+$/.test(s));
    if (block && name === "aws_iam_policy_document" && attrs[0] === "json" && scope.policyDocument) return scope.policyDocument(block, scope);
    if (block && name === "aws_iam_openid_connect_provider" && attrs[0] === "arn") return providerArn(block, loc, scope);
    if (block && name === "template_file" && attrs[0] === "rendered") return renderTemplateFile(block, loc, scope);
    return unknown(full, loc);
  }
  if (root === "aws_iam_openid_connect_provider" && name !== undefined) {
    const block = mod.resources.get(`${root}.${name}`);
    const attrs = rest.slice(1).filter((s) => !/^\d+$/.test(s));
    if (block && attrs[0] === "arn") return providerArn(block, loc, scope);
    const url = block?.attrs.get("url");
    if (block && url && attrs[0] === "url") return relocate(await evaluate(url.expr, scope), loc, `${root}.${name} (${where(block.loc)})`);
  }
  return unknown(full, loc);
}

/** `arn:${partition}:iam::${account}:oidc-provider/HOST` of a provider whose url is known (partly). */
async function providerArn(block: Block, loc: SourceLocation, scope: Scope): Promise<TreeNode> {
  const id = `${block.type === "data" ? "data." : ""}aws_iam_openid_connect_provider.${block.labels[block.labels.length - 1] ?? ""}`;
  const origin = `${id} (${where(block.loc)})`;
  const urlAttr = block.attrs.get("url");
  const prefix: Part[] = ["arn:", { unknown: "partition" }, ":iam::", { unknown: "account" }, ":oidc-provider/"];
  if (!urlAttr) return str([...prefix, { unknown: `${id}.url` }], loc, origin);
  const url = await evaluate(urlAttr.expr, scope);
  if (url.kind !== "string") return str([...prefix, { unknown: `${id}.url` }], loc, origin);
  const parts = [...url.value.parts];
  const first = parts[0];
  if (typeof first === "string") parts[0] = first.replace(/^https?:\/\//, "");
  return str([...prefix, ...parts], loc, origin);
}

export async function variable(mod: ModuleCtx, name: string, loc: SourceLocation, scope: Scope): Promise<TreeNode> {
  const key = `var.${name}`;
  let cached = mod.cache.get(key);
  if (!cached) {
    cached = (async (): Promise<TreeNode> => {
      const set = mod.tfvars.get(name);
      const block = mod.variables.get(name);
      const plain: Scope = { module: mod, names: new Map(), depth: scope.depth + 1, ...(scope.policyDocument ? { policyDocument: scope.policyDocument } : {}) };
      if (set) {
        const v = await evaluate(set.expr, plain);
        return relocate(v, v.loc, `${name} = … in ${where(set.loc)}`);
      }
      const def = block?.attrs.get("default");
      if (block && def) {
        const v = await evaluate(def.expr, plain);
        return relocate(v, v.loc, `variable "${name}" default (${where(def.loc)})`);
      }
      if (block) return unknown(key, block.loc, `variable "${name}" has no default (${where(block.loc)})`);
      return unknown(key, loc, `variable "${name}" is not declared in this module`);
    })();
    mod.cache.set(key, cached);
  }
  const v = await cached;
  return relocate(v, loc, nodeOrigin(v));
}

async function local(mod: ModuleCtx, name: string, loc: SourceLocation, scope: Scope): Promise<TreeNode> {
  const key = `local.${name}`;
  let cached = mod.cache.get(key);
  if (!cached) {
    const attr = mod.locals.get(name);
    if (!attr) return unknown(key, loc);
    // A placeholder first, so that a local referring to itself ends as unknown instead of looping.
    mod.cache.set(key, Promise.resolve(unknown(key, loc, `local "${name}" refers to itself`)));
    cached = evaluate(attr.expr, { module: mod, names: new Map(), depth: scope.depth + 1, ...(scope.policyDocument ? { policyDocument: scope.policyDocument } : {}) }).then((v) =>
      relocate(v, v.loc, `local "${name}" (${where(attr.loc)})`),
    );
    mod.cache.set(key, cached);
  }
  const v = await cached;
  // Policy documents built by a local keep their own positions; plain values move to the use site.
  if (v.kind === "object") return v;
  return relocate(v, loc, nodeOrigin(v) ?? `local "${name}"`);
}

async function evalFor(node: HclAst, ctx: AstCtx, scope: Scope, loc: SourceLocation): Promise<TreeNode> {
  const meta = node.meta as { keyVar?: string; valVar?: string; keyExpression?: string; conditionalExpression?: string; openRangeValue?: string; groupedValue?: boolean };
  const kids = [...node.children];
  const collNode = kids.shift();
  const keyNode = meta.keyExpression ? kids.shift() : undefined;
  const valueNode = kids.shift();
  const condNode = meta.conditionalExpression ? kids.shift() : undefined;
  const isObject = meta.openRangeValue === "{" || keyNode !== undefined;
  if (!collNode || !valueNode) return unknown(sourceOf(ctx, node), loc);
  const coll = await evalAst(collNode, ctx, scope);
  let pairs: [TreeNode, TreeNode][];
  if (coll.kind === "array") pairs = coll.items.map((item, i) => [{ kind: "scalar", value: i, loc: item.loc }, item]);
  else if (coll.kind === "object") pairs = coll.entries.map((e) => [{ kind: "string", value: { parts: [e.key.value], loc: e.key.loc }, loc: e.key.loc }, e.value]);
  else return unknown(sourceOf(ctx, node), loc, nodeOrigin(coll));
  const items: TreeNode[] = [];
  const entries: TreeEntry[] = [];
  for (const [k, v] of pairs) {
    const names = new Map(scope.names);
    if (meta.keyVar) names.set(meta.keyVar, k);
    if (meta.valVar) names.set(meta.valVar, v);
    const inner: Scope = { ...scope, names };
    if (condNode) {
      const c = await evalAst(condNode, ctx, inner);
      if (c.kind === "scalar" && c.value === false) continue;
      if (!(c.kind === "scalar" && c.value === true)) {
        items.push(unknown(`...${sourceOf(ctx, node)}`, loc));
        continue;
      }
    }
    const value = await evalAst(valueNode, ctx, inner);
    if (isObject && keyNode) {
      const kv = await evalAst(keyNode, ctx, inner);
      const kt = kv.kind === "string" ? knownText(kv.value) : kv.kind === "scalar" ? String(kv.value) : undefined;
      if (kt === undefined) return unknown(sourceOf(ctx, node), loc);
      entries.push({ key: { value: kt, loc: kv.loc }, value });
    } else items.push(value);
  }
  if (isObject) return { kind: "object", entries, loc };
  return { kind: "array", items, loc };
}

async function evalBinary(node: HclAst, ctx: AstCtx, scope: Scope, loc: SourceLocation): Promise<TreeNode> {
  const meta = node.meta as { operator?: string };
  const [l, r] = node.children;
  if (!l || !r) return unknown(sourceOf(ctx, node), loc);
  const a = plainOf(await evalAst(l, ctx, scope));
  const b = plainOf(await evalAst(r, ctx, scope));
  if (a === undefined || b === undefined) return unknown(sourceOf(ctx, node), loc);
  switch (meta.operator) {
    case "equal":
      return { kind: "scalar", value: a === b, loc };
    case "notEqual":
      return { kind: "scalar", value: a !== b, loc };
    case "and":
      return typeof a === "boolean" && typeof b === "boolean" ? { kind: "scalar", value: a && b, loc } : unknown(sourceOf(ctx, node), loc);
    case "or":
      return typeof a === "boolean" && typeof b === "boolean" ? { kind: "scalar", value: a || b, loc } : unknown(sourceOf(ctx, node), loc);
    default:
      return unknown(sourceOf(ctx, node), loc);
  }
}

function plainOf(n: TreeNode): string | number | boolean | null | undefined {
  if (n.kind === "scalar") return n.value;
  if (n.kind === "string") return knownText(n.value);
  return undefined;
}

async function callFunction(node: HclAst, ctx: AstCtx, scope: Scope, loc: SourceLocation): Promise<TreeNode> {
  const meta = node.meta as { name?: string; expandedFinalArgument?: boolean };
  const name = (meta.name ?? "").replace(/^provider::[^:]+::/, "");
  const src = sourceOf(ctx, node);
  const args = await Promise.all(node.children.map((c) => evalAst(c, ctx, scope)));
  const [a0, a1, a2] = args;
  switch (name) {
    case "jsonencode":
    case "tolist":
    case "toset":
    case "distinct":
    case "sort":
    case "tostring":
    case "tomap":
      return a0 ?? unknown(src, loc);
    case "concat": {
      const items: TreeNode[] = [];
      for (const [i, a] of args.entries()) {
        if (a.kind === "array") items.push(...a.items);
        else {
          const argSrc = node.children[i] ? sourceOf(ctx, node.children[i]) : src;
          items.push(unknown(`...${argSrc}`, a.loc, nodeOrigin(a)));
        }
      }
      return { kind: "array", items, loc };
    }
    case "flatten": {
      const flat = (n: TreeNode): TreeNode[] => (n.kind === "array" ? n.items.flatMap(flat) : [n]);
      return a0?.kind === "array" ? { kind: "array", items: flat(a0), loc } : unknown(src, loc);
    }
    case "compact":
      return a0?.kind === "array" ? { kind: "array", items: a0.items.filter((i) => !(i.kind === "string" && knownText(i.value) === "")), loc } : unknown(src, loc);
    case "merge": {
      const entries = new Map<string, TreeEntry>();
      for (const a of args) {
        if (a.kind !== "object") return unknown(src, loc);
        for (const e of a.entries) entries.set(e.key.value, e);
      }
      return { kind: "object", entries: [...entries.values()], loc };
    }
    case "try":
    case "coalesce":
      return args.find((a) => a.kind !== "unknown") ?? unknown(src, loc);
    case "format":
      return formatCall(args, src, loc);
    case "join": {
      if (a0?.kind !== "string" || knownText(a0.value) === undefined || a1?.kind !== "array") return unknown(src, loc);
      const sep = knownText(a0.value) ?? "";
      const parts: Part[] = [];
      a1.items.forEach((item, i) => {
        if (i > 0) parts.push(sep);
        parts.push(...interpolatedParts(item));
      });
      return str(parts, loc, originOf(args));
    }
    case "lower":
    case "upper":
    case "trimspace": {
      const t = a0?.kind === "string" ? knownText(a0.value) : undefined;
      if (t === undefined) return unknown(src, loc);
      return str([name === "lower" ? t.toLowerCase() : name === "upper" ? t.toUpperCase() : t.trim()], loc, originOf(args));
    }
    case "replace":
      return replaceCall(a0, a1, a2, src, loc);
    case "file":
      return fileCall(a0, src, loc, scope, undefined);
    case "templatefile":
      return fileCall(a0, src, loc, scope, a1 ?? { kind: "object", entries: [], loc });
    default:
      return unknown(src, loc);
  }
}

function originOf(args: TreeNode[]): string | undefined {
  const all = args.map(nodeOrigin).filter((o): o is string => o !== undefined);
  return all.length > 0 ? [...new Set(all)].join("; ") : undefined;
}

function formatCall(args: TreeNode[], src: string, loc: SourceLocation): TreeNode {
  const [fmt, ...rest] = args;
  const f = fmt?.kind === "string" ? knownText(fmt.value) : undefined;
  if (f === undefined) return unknown(src, loc);
  const parts: Part[] = [];
  let next = 0;
  let ok = true;
  const re = /%(%|[-+# 0]*\d*(?:\.\d+)?[sdvqtfe])/g;
  let last = 0;
  for (let m = re.exec(f); m; m = re.exec(f)) {
    parts.push(f.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[1] === "%") {
      parts.push("%");
      continue;
    }
    const arg = rest[next++];
    if (!arg) {
      ok = false;
      break;
    }
    parts.push(...interpolatedParts(arg));
  }
  if (!ok) return unknown(src, loc);
  parts.push(f.slice(last));
  return str(parts, loc, originOf(args));
}

function replaceCall(subject: TreeNode | undefined, search: TreeNode | undefined, repl: TreeNode | undefined, src: string, loc: SourceLocation): TreeNode {
  const s = search?.kind === "string" ? knownText(search.value) : undefined;
  const r = repl?.kind === "string" ? knownText(repl.value) : undefined;
  if (subject?.kind !== "string" || s === undefined || r === undefined) return unknown(src, loc);
  const isRegex = s.length > 1 && s.startsWith("/") && s.endsWith("/");
  let re: RegExp;
  try {
    re = isRegex ? new RegExp(s.slice(1, -1), "g") : new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g");
  } catch {
    return unknown(src, loc);
  }
  const text = knownText(subject.value);
  if (text !== undefined) return str([text.replace(re, r.replace(/\$/g, "$$$$"))], subject.loc, subject.value.origin);
  // Partly known: only a pattern anchored at the start can be applied to the leading literal.
  const [first, ...others] = subject.value.parts;
  if (isRegex && s.startsWith("/^") && typeof first === "string") return str([first.replace(re, r), ...others], subject.loc, subject.value.origin);
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
 * `file(path)` and `templatefile(path, vars)`. A `.json` file read as it is keeps positions in that file
 * (it is linted on its own too, and the same finding there is reported once); template text is placed on
 * the call, with the template's line as origin, since templates are not inputs by themselves.
 */
async function fileCall(pathNode: TreeNode | undefined, src: string, loc: SourceLocation, scope: Scope, vars: TreeNode | undefined): Promise<TreeNode> {
  const p = pathNode?.kind === "string" ? knownText(pathNode.value) : undefined;
  if (p === undefined) return unknown(src, loc);
  // `${path.module}/x` joins the module directory to the file: resolve the already-prefixed path.
  const rel = resolvePath({ ...scope.module, dir: "." }, p.startsWith(scope.module.dir + "/") || scope.module.dir === "." ? p : `${scope.module.dir}/${p}`);
  const text = scope.module.env.readFile(rel);
  if (text === undefined) return unknown(src, loc, `${rel} could not be read`);
  if (vars === undefined && !/\.(tpl|tftpl)$/.test(rel)) {
    const index = new LineIndex(rel, text);
    const out = str([text], loc, rel);
    stringSegments.set(out, [{ text, locate: (s, e) => index.span(s, e) }]);
    return out;
  }
  return renderTemplate(text, rel, vars ?? { kind: "object", entries: [], loc }, loc, scope);
}

/** Renders template text (`${…}` interpolations) with the given variables; `%{…}` directives are not evaluated. */
export async function renderTemplate(text: string, rel: string, vars: TreeNode, loc: SourceLocation, scope: Scope): Promise<TreeNode> {
  if (/(^|[^%])%\{/.test(text)) return unknown(`templatefile("${rel}") with %{…} directives`, loc, rel);
  const index = new LineIndex(rel, text);
  const names = new Map<string, TreeNode>();
  if (vars.kind === "object") for (const e of vars.entries) names.set(e.key.value, e.value);
  const templateScope: Scope = { ...scope, names, depth: scope.depth + 1 };
  const segments: Segment[] = [];
  const parts: Part[] = [];
  const origins = new Set<string>();
  let last = 0;
  let i = 0;
  const literal = (from: number, to: number): void => {
    if (to <= from) return;
    const piece = text.slice(from, to).replace(/\$\$\{/g, "${");
    parts.push(piece);
    segments.push({ text: piece, locate: () => loc, origin: (s) => `${rel}:${index.position(from + s).line}` });
  };
  while ((i = text.indexOf("${", i)) >= 0) {
    if (text[i - 1] === "$") {
      i += 2;
      continue;
    }
    const end = interpolationEnd(text, i + 2);
    literal(last, i);
    const inner = text.slice(i + 2, end - 1).trim();
    const ast = await expressionAst(rel, inner);
    const v = ast ? await evalAst(ast, { file: { src: { path: rel, abs: rel, text: inner }, index: new LineIndex(rel, inner) }, base: 0, text: inner, toChar: byteOffsets(inner) }, templateScope) : unknown(inner, loc);
    const placed = relocate(v, loc, nodeOrigin(v) ?? `${rel}:${index.position(i).line}`);
    segments.push({ node: placed });
    parts.push(...interpolatedParts(placed));
    const o = nodeOrigin(placed);
    if (o) origins.add(o);
    last = end;
    i = end;
  }
  literal(last, text.length);
  const out = str(parts, loc, rel);
  stringSegments.set(out, segments);
  return out;
}

function interpolationEnd(text: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return i + 1;
      depth--;
    }
  }
  return text.length;
}

/** `data "template_file" "x" { template = file(…), vars = {…} }` → its `rendered` text. */
async function renderTemplateFile(block: Block, loc: SourceLocation, scope: Scope): Promise<TreeNode> {
  const templateAttr = block.attrs.get("template");
  if (!templateAttr) return unknown("data.template_file.rendered", loc);
  const template = await evaluate(templateAttr.expr, scope);
  const varsAttr = block.attrs.get("vars");
  const vars = varsAttr ? await evaluate(varsAttr.expr, scope) : { kind: "object" as const, entries: [], loc };
  const text = template.kind === "string" ? knownText(template.value) : undefined;
  if (text === undefined || template.kind !== "string") return unknown(`data.template_file.${block.labels[1] ?? ""}.rendered`, loc);
  const rel = template.value.origin ?? "template";
  return renderTemplate(text, rel, vars, loc, scope);
}

/** `.tf.json` values: strings are templates (`"${var.x}"`), evaluated as HCL templates; positions stay on the JSON string. */
async function evaluateJson(file: TfFile, node: TreeNode, scope: Scope): Promise<TreeNode> {
  switch (node.kind) {
    case "string": {
      const text = knownText(node.value);
      if (text === undefined || !text.includes("${")) return node;
      const wrapped = `<<OIDCLINT_EOT\n${text}\nOIDCLINT_EOT\n`;
      const ast = await expressionAst(file.src.path, wrapped);
      if (!ast) return unknown(text, node.loc);
      const inner: AstCtx = { file: { src: { ...file.src, text: wrapped }, index: new LineIndex(file.src.path, wrapped) }, base: 0, text: wrapped, toChar: byteOffsets(wrapped) };
      let v: TreeNode;
      if (/^\$\{[\s\S]*\}$/.test(text) && ast.children.length === 2 && ast.children[1]?.type === "literalValue") {
        // `"${expr}"` alone is the value of expr, not a string.
        const [only] = ast.children;
        v = only ? await evalAst(only, inner, scope) : unknown(text, node.loc);
      } else {
        v = await evalAst(ast, inner, scope);
        if (v.kind === "string") {
          const parts = [...v.value.parts];
          const lastPart = parts[parts.length - 1];
          if (typeof lastPart === "string") parts[parts.length - 1] = lastPart.replace(/\n$/, "");
          v = str(parts, node.loc, v.value.origin);
        }
      }
      return relocate(v, node.loc, nodeOrigin(v));
    }
    case "array":
      return { kind: "array", items: await Promise.all(node.items.map((i) => evaluateJson(file, i, scope))), loc: node.loc };
    case "object":
      return { kind: "object", entries: await Promise.all(node.entries.map(async (e) => ({ key: e.key, value: await evaluateJson(file, e.value, scope) }))), loc: node.loc };
    default:
      return node;
  }
}
