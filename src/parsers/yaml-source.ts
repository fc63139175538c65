import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  type Document,
  type Node,
  type ParseOptions,
  type DocumentOptions,
  type SchemaOptions,
} from "yaml";
import { LineIndex, type Located, type SourceLocation } from "../model/location.js";
import type { TreeNode } from "./tree.js";
import type { ParseProblem } from "../model/project.js";

/** A YAML (or JSON) document with positions. Both formats go through the `yaml` package so every value has a range. */
export interface YamlSource {
  doc: Document.Parsed;
  index: LineIndex;
  problems: ParseProblem[];
}

type YamlOptions = ParseOptions & DocumentOptions & SchemaOptions;

/** Deep-nesting and alias-bomb limits: beyond these a file is reported, not walked. */
export const MAX_DEPTH = 200;

/**
 * The deepest flow nesting (`[`/`{`) and block indentation of a text, found by one linear scan. Parsers
 * recurse per level, so a hostile file (100,000 `[`) is refused before it can exhaust the stack.
 */
export function nestingProblem(text: string): { message: string; offset: number } | undefined {
  if (!mayBeTooDeep(text)) return undefined;
  let depth = 0;
  let max = 0;
  let indent = 0;
  let atLineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      atLineStart = true;
      indent = 0;
      continue;
    }
    if (atLineStart) {
      if (c === 32) {
        if (++indent > MAX_DEPTH * 2)
          return { message: `indentation deeper than ${MAX_DEPTH * 2} columns; not linted`, offset: i };
        continue;
      }
      atLineStart = false;
    }
    if (c === 91 || c === 123) {
      if (++depth > max) max = depth;
      if (max > MAX_DEPTH) return { message: `nesting deeper than ${MAX_DEPTH} levels; not linted`, offset: i };
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return undefined;
}

const DEEP_INDENT = " ".repeat(MAX_DEPTH * 2 + 1);

/**
 * Whether the scan below can find anything: more than MAX_DEPTH `[`/`{` in all, or a run of spaces as long as
 * the deepest indentation allowed is long, anywhere (then the scan decides). indexOf is several times cheaper
 * than the scan, and almost every file stops here.
 */
function mayBeTooDeep(text: string): boolean {
  if (text.includes(DEEP_INDENT)) return true;
  if (opens(text, MAX_DEPTH) <= MAX_DEPTH) return false;
  // Workflow expressions (`${{ … }}`) are most of a workflow's braces. Without one that holds no bracket the
  // scan's depth is the same everywhere but inside it, where it was at most 2 deeper: with no more than
  // MAX_DEPTH - 2 opening brackets left, no place is deeper than MAX_DEPTH.
  return opens(text.replace(EXPRESSION, ""), MAX_DEPTH - 2) > MAX_DEPTH - 2;
}

const EXPRESSION = /\{\{[^[\]{}]*\}\}/g;

/** The number of `[` and `{` in a text, counted up to one more than `limit`. */
function opens(text: string, limit: number): number {
  let n = 0;
  for (const bracket of ["[", "{"]) {
    for (let i = text.indexOf(bracket); i >= 0; i = text.indexOf(bracket, i + 1)) if (++n > limit) return n;
  }
  return n;
}

export function parseYamlSource(file: string, text: string, options: YamlOptions = {}): YamlSource {
  const index = new LineIndex(file, text);
  const json = options.schema === "json";
  const tooDeep = nestingProblem(text);
  if (tooDeep)
    return {
      doc: parseDocument("null"),
      index,
      problems: [{ message: tooDeep.message, loc: index.span(tooDeep.offset, tooDeep.offset + 1) }],
    };
  // A broken file can hold thousands of errors, each an Error whose stack trace V8 would collect; only the
  // messages are used.
  const traces = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, strict: false, ...options });
  } finally {
    Error.stackTraceLimit = traces;
  }
  const problems: ParseProblem[] = doc.errors.slice(0, 1).map((e) => {
    const message = e.message.split("\n")[0] ?? e.message;
    const [start, end] = errorSpan(text, message, e.pos);
    return { message: `${json ? "Invalid JSON" : "Invalid YAML"}: ${message}`, loc: index.span(start, end) };
  });
  return { doc, index, problems };
}

function yamlErrorOffset(file: string, text: string): number {
  const loc = parseYamlSource(file, text, { schema: "json" }).problems[0]?.loc;
  return loc ? new LineIndex(file, text).offset(loc.line, loc.column) : text.length;
}

/**
 * The parser reports what it could not finish at the end of the input; point at where it began instead
 * (the opening quote of an unclosed string), or at least at the last character of the file.
 */
function errorSpan(text: string, message: string, pos: [number, number]): [number, number] {
  if (pos[0] < text.length) return pos;
  const quote = /closing "quote/.test(message) ? '"' : /closing 'quote/.test(message) ? "'" : undefined;
  const opening = quote ? text.lastIndexOf(quote) : -1;
  const at = opening >= 0 ? opening : Math.max(0, text.trimEnd().length - 1);
  return [at, at + 1];
}

export function nodeLoc(node: Node | null | undefined, index: LineIndex): SourceLocation {
  const range = node?.range;
  if (!range) return index.span(0, 0);
  return index.span(range[0], range[1]);
}

/** Scalar text of a node, or undefined. */
export function scalarString(node: unknown): string | undefined {
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
  }
  return undefined;
}

export function locatedScalar(node: unknown, index: LineIndex): Located<string> | undefined {
  const s = scalarString(node);
  if (s === undefined || !isScalar(node)) return undefined;
  return { value: s, loc: nodeLoc(node, index) };
}

/** A tagged or otherwise special node that a caller wants to lower itself (CloudFormation intrinsics). */
export type TagHandler = (node: Node, convert: (n: unknown) => TreeNode) => TreeNode | undefined;

/** Lowers a YAML node into the located value tree. Aliases are followed once; depth is bounded. */
export function yamlToTree(root: unknown, index: LineIndex, onTag?: TagHandler): TreeNode {
  const convert = (node: unknown, depth: number): TreeNode => {
    if (depth > MAX_DEPTH) return { kind: "unknown", expr: "nesting too deep", loc: nodeLoc(node as Node, index) };
    if (isAlias(node)) return { kind: "unknown", expr: `*${node.source}`, loc: nodeLoc(node, index) };
    if (onTag && (isScalar(node) || isMap(node) || isSeq(node)) && node.tag) {
      const handled = onTag(node, (n) => convert(n, depth + 1));
      if (handled) return handled;
    }
    if (isScalar(node)) {
      const loc = nodeLoc(node, index);
      const v = node.value;
      if (typeof v === "string") return { kind: "string", value: { parts: [v], loc }, loc };
      if (typeof v === "number" || typeof v === "boolean" || v === null) return { kind: "scalar", value: v, loc };
      return { kind: "string", value: { parts: [node.source ?? ""], loc }, loc };
    }
    if (isSeq(node)) {
      return { kind: "array", items: node.items.map((i) => convert(i, depth + 1)), loc: nodeLoc(node, index) };
    }
    if (isMap(node)) {
      const entries = [];
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = locatedScalar(pair.key, index);
        if (!key) continue;
        entries.push({
          key,
          value:
            pair.value == null
              ? { kind: "scalar" as const, value: null, loc: key.loc }
              : convert(pair.value, depth + 1),
        });
      }
      return { kind: "object", entries, loc: nodeLoc(node, index) };
    }
    return { kind: "scalar", value: null, loc: nodeLoc(node as Node, index) };
  };
  return convert(root, 0);
}

/**
 * JSON with positions: `JSON.parse` first (strict, and its messages name the problem well), then the
 * `yaml` package for the ranges of every value.
 */
export function parseJsonSource(file: string, text: string): YamlSource {
  const tooDeep = nestingProblem(text);
  if (tooDeep) return parseYamlSource(file, text);
  try {
    JSON.parse(text);
  } catch (e) {
    const index = new LineIndex(file, text);
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message);
    // Some messages carry no position ("Unexpected end of JSON input", bad escapes): ask the yaml parser where it stopped.
    const offset = pos?.[1] ? Number(pos[1]) : yamlErrorOffset(file, text);
    const clean = message.replace(/\s*\(line \d+ column \d+\)/, "").replace(/ in JSON at position \d+/, "");
    return {
      doc: parseDocument("null"),
      index,
      problems: [{ message: `Invalid JSON: ${clean}`, loc: index.span(offset, offset + 1) }],
    };
  }
  return parseYamlSource(file, text, { schema: "json" });
}
