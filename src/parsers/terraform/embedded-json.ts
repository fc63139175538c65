import type { SourceLocation } from "../../model/location.js";
import type { TreeEntry, TreeNode } from "../tree.js";
import { displayText, joinParts, type Part, type StrValue, type ValueSource } from "../../model/value.js";

/**
 * JSON written inside something else: a heredoc with `${…}` interpolations, a file read by `file()` or
 * `templatefile()`, a policy string inside a Terraform plan. The text comes in segments: literal text
 * that knows where each of its characters is, and interpolated values (already evaluated trees). A JSON
 * string holding interpolations becomes a partly known `StrValue`; an interpolation standing where a
 * JSON value belongs becomes that value.
 */
export interface TextSegment {
  text: string;
  /** Location of `[start, end)` of `text` (a function property: segments are copied field by field). */
  locate: (start: number, end: number) => SourceLocation;
  /** Where this text came from, for values of a template file or of a variable or local. */
  origin?: (start: number) => string | undefined;
  /** For text written whole in one definition (a heredoc in a variable default): where `[start, end)` is written there. */
  source?: (start: number, end: number) => ValueSource | undefined;
  /**
   * The text of a file of its own (a `.json` or a template read by `file()` or `templatefile()`): its
   * positions are kept wherever the value is used, so that a finding in it is reported there, once.
   */
  ownFile?: boolean;
}

export interface NodeSegment {
  node: TreeNode;
  /** A value interpolated into the text of a template file: kept where the template places it, as the text is. */
  ownFile?: boolean;
}

export type Segment = TextSegment | NodeSegment;

export type EmbeddedJson = { tree: TreeNode } | { error: string; loc: SourceLocation };

const PLACEHOLDER = "\uE000";
/** Characters of a JSON string that need no attention: not its end, an escape, a placeholder or a line end. */
const PLAIN = /[^"\\\n\uE000]*/y;
const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};
const MAX_DEPTH = 200;

class JsonError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

export function parseEmbeddedJson(segments: Segment[]): EmbeddedJson {
  const parser = new EmbeddedJsonParser(segments);
  try {
    const tree = parser.document();
    return { tree };
  } catch (e) {
    if (e instanceof JsonError) return { error: e.message, loc: parser.locate(e.at, e.at + 1) };
    throw e;
  }
}

/** A plain text segment of one file: offsets map through the file's own line index. */
export function textAt(text: string, base: number, span: (start: number, end: number) => SourceLocation): TextSegment {
  return { text, locate: (s, e) => span(base + s, base + e) };
}

class EmbeddedJsonParser {
  private readonly text: string;
  /** Virtual start offset of each segment. */
  private readonly starts: number[] = [];
  private readonly nodes = new Map<number, TreeNode>();
  private i = 0;

  constructor(private readonly segments: Segment[]) {
    let text = "";
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i] as Segment;
      this.starts.push(text.length);
      if ("node" in seg) {
        this.nodes.set(text.length, seg.node);
        text += PLACEHOLDER;
      } else text += seg.text;
    }
    this.text = text;
  }

  private segmentAt(v: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= v) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  locate(start: number, end: number): SourceLocation {
    const k = this.segmentAt(Math.min(start, Math.max(0, this.text.length - 1)));
    const seg = this.segments[k];
    const base = this.starts[k] ?? 0;
    if (!seg) return { file: "", line: 1, column: 1, endLine: 1, endColumn: 1 };
    if ("node" in seg) return seg.node.loc;
    const local = start - base;
    const localEnd = Math.min(end - base, seg.text.length);
    return seg.locate(local, Math.max(local, localEnd));
  }

  /** The definition `[start, end)` is written in, when it lies within one text segment that knows it. */
  private source(start: number, end: number): ValueSource | undefined {
    const k = this.segmentAt(start);
    const seg = this.segments[k];
    const base = this.starts[k] ?? 0;
    if (!seg || "node" in seg || !seg.source || end - base > seg.text.length) return undefined;
    return seg.source(start - base, end - base);
  }

  /** The origin of each character of `[start, end)` whose text segment knows one (`origin`), added to `out`. */
  /** `out` with the origins of the characters from `start` to `end` added (made by the first one: most strings have none). */
  private addOrigins(start: number, end: number, out: Set<string> | undefined): Set<string> | undefined {
    let set = out;
    for (let k = this.segmentAt(start); k < this.segments.length; k++) {
      const base = this.starts[k] ?? 0;
      if (base >= end) return set;
      const seg = this.segments[k];
      if (!seg || "node" in seg || !seg.origin) continue;
      for (let v = Math.max(start, base); v < end && v < base + seg.text.length; v++) {
        const o = seg.origin(v - base);
        if (o) (set ??= new Set()).add(o);
      }
    }
    return set;
  }

  document(): TreeNode {
    const tree = this.value(0);
    this.ws();
    if (this.i < this.text.length) throw new JsonError("unexpected text after the JSON document", this.i);
    return tree;
  }

  private ws(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.i);
      // What `/\s/` matches: ASCII blanks tested by code, other characters (no-break space …) by the pattern.
      if (c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(t[this.i] ?? ""))) this.i++;
      else return;
    }
  }

  private value(depth: number): TreeNode {
    if (depth > MAX_DEPTH) throw new JsonError("JSON nested too deeply", this.i);
    this.ws();
    const c = this.text[this.i];
    if (c === undefined) throw new JsonError("unexpected end of JSON", this.i);
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') {
      // The string's node is where its value is (from its opening quote): located once, for both.
      const value = this.string();
      return { kind: "string", value, loc: value.loc };
    }
    if (c === PLACEHOLDER) {
      const node = this.nodes.get(this.i);
      this.i++;
      if (node) return node;
    }
    const m = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(this.text.slice(this.i, this.i + 64));
    if (!m?.[1]) throw new JsonError(`unexpected character ${JSON.stringify(c)} in JSON`, this.i);
    const start = this.i;
    this.i += m[1].length;
    const lit = m[1];
    const value = lit === "true" ? true : lit === "false" ? false : lit === "null" ? null : Number(lit);
    return { kind: "scalar", value, loc: this.locate(start, this.i) };
  }

  private object(depth: number): TreeNode {
    const start = this.i;
    this.i++;
    const entries: TreeEntry[] = [];
    this.ws();
    if (this.text[this.i] === "}") {
      this.i++;
      return { kind: "object", entries, loc: this.locate(start, this.i) };
    }
    for (;;) {
      this.ws();
      if (this.text[this.i] !== '"') throw new JsonError("expected a quoted key in JSON object", this.i);
      const keyStart = this.i;
      const key = this.string();
      const keyLoc = this.locate(keyStart, this.i);
      this.ws();
      if (this.text[this.i] !== ":") throw new JsonError("expected ':' after a JSON key", this.i);
      this.i++;
      const value = this.value(depth + 1);
      entries.push({ key: { value: displayText(key), loc: keyLoc }, value });
      this.ws();
      const c = this.text[this.i];
      this.i++;
      if (c === "}") break;
      if (c !== ",") throw new JsonError("expected ',' or '}' in JSON object", this.i - 1);
    }
    return { kind: "object", entries, loc: this.locate(start, start + 1) };
  }

  private array(depth: number): TreeNode {
    const start = this.i;
    this.i++;
    const items: TreeNode[] = [];
    this.ws();
    if (this.text[this.i] === "]") {
      this.i++;
      return { kind: "array", items, loc: this.locate(start, this.i) };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.ws();
      const c = this.text[this.i];
      this.i++;
      if (c === "]") break;
      if (c !== ",") throw new JsonError("expected ',' or ']' in JSON array", this.i - 1);
    }
    return { kind: "array", items, loc: this.locate(start, start + 1) };
  }

  /** A JSON string at `this.i` (on its opening quote); interpolations inside become value parts. */
  private string(): StrValue {
    const start = this.i;
    this.i++;
    // Made at the first interpolation: a string without one (most) is its literal alone.
    let parts: Part[] | undefined;
    // Where interpolated values came from says more than the template line around them: listed first.
    let valueOrigins: Set<string> | undefined;
    let origins: Set<string> | undefined;
    let literal = "";
    let interpolated = false;
    const t = this.text;
    for (;;) {
      const c = t[this.i];
      if (c === undefined || c === "\n") throw new JsonError("unterminated JSON string", start);
      if (c === '"') {
        this.i++;
        break;
      }
      if (c === "\\") {
        const e = t[this.i + 1];
        if (e === "u") {
          const hex = t.slice(this.i + 2, this.i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonError("bad \\u escape in JSON string", this.i);
          literal += String.fromCharCode(parseInt(hex, 16));
          this.i += 6;
        } else if (e !== undefined && SIMPLE_ESCAPES[e] !== undefined) {
          literal += SIMPLE_ESCAPES[e];
          this.i += 2;
        } else throw new JsonError("bad escape in JSON string", this.i);
        continue;
      }
      if (c === PLACEHOLDER) {
        const node = this.nodes.get(this.i);
        if (node) {
          interpolated = true;
          parts ??= [];
          if (literal) parts.push(literal);
          literal = "";
          parts.push(...interpolatedParts(node));
          const o = nodeOrigin(node);
          if (o) (valueOrigins ??= new Set()).add(o);
        }
        this.i++;
        continue;
      }
      // A run of plain characters at once; the origin of each character only from segments that have one.
      PLAIN.lastIndex = this.i;
      PLAIN.test(t);
      const end = Math.max(PLAIN.lastIndex, this.i + 1);
      origins = this.addOrigins(this.i, end, origins);
      literal += t.slice(this.i, end);
      this.i = end;
    }
    if (parts === undefined) parts = literal ? [literal] : [];
    else if (literal) parts.push(literal);
    const value: StrValue = { parts: joined(parts), loc: this.locate(start, this.i) };
    const origin =
      valueOrigins === undefined && origins === undefined
        ? undefined
        : joinOrigins([...(valueOrigins ?? []), ...(origins ?? [])]);
    if (origin !== undefined) value.origin = origin;
    const source = interpolated ? undefined : this.source(start, this.i);
    if (source) value.source = source;
    return value;
  }
}

/** `joinParts(parts)`; one literal (most strings) is joined already, and is not copied. */
export function joined(parts: Part[]): Part[] {
  return parts.length === 1 && typeof parts[0] === "string" ? parts : joinParts(parts);
}

/** The parts an interpolated value contributes to a string. */
export function interpolatedParts(node: TreeNode): Part[] {
  switch (node.kind) {
    case "string":
      return node.value.parts;
    case "scalar":
      return [String(node.value)];
    case "unknown":
      return [{ unknown: node.expr }];
    default:
      return [{ unknown: "a list or object" }];
  }
}

/**
 * The origins of the pieces of one string, as one: `variable "cfg" default (main.tf:6, 7)` for pieces
 * written on several lines of one definition; different definitions separated by `; `.
 */
export function joinOrigins(origins: Iterable<string>): string | undefined {
  // Most strings have no origin: nothing is allocated for them (the evaluation builds tens of thousands).
  if (origins instanceof Set ? origins.size === 0 : Array.isArray(origins) && origins.length === 0) return undefined;
  const all = [...origins];
  // One origin (however often), not itself joined: already in the form built below.
  const first = all[0];
  if (first !== undefined && !first.includes("; ") && all.every((o) => o === first)) return first;
  const lines = new Map<string, string[]>();
  for (const o of all.flatMap((x) => x.split("; "))) {
    const place = linePlace(o);
    const head = place?.head ?? o;
    const list = lines.get(head) ?? [];
    if (place !== undefined && !list.includes(place.line)) list.push(place.line);
    lines.set(head, list);
  }
  if (lines.size === 0) return undefined;
  return [...lines].map(([head, ls]) => (ls.length === 0 ? head : `${head}:${ls.join(", ")})`)).join("; ");
}

const LINE_BREAK = /[\n\r\u2028\u2029]/;

/**
 * An origin ending in a place `… (file:line)`, split before its line: `head` is the origin up to the file name,
 * `line` the line's digits. What `/^(.* \([^():]+):(\d+)\)$/` matches, found without backtracking: the place is
 * opened by the last `(`, which must follow a space (origins name several places; joined ones are long).
 */
function linePlace(origin: string): { head: string; line: string } | undefined {
  const open = origin.lastIndexOf("(");
  if (open < 1 || origin.charCodeAt(open - 1) !== 0x20 || !origin.endsWith(")")) return undefined;
  // (`.` stops at a line break.)
  const lineBreak = origin.search(LINE_BREAK);
  if (lineBreak !== -1 && lineBreak < open) return undefined;
  const colon = origin.indexOf(":", open + 1);
  const close = origin.length - 1;
  if (colon <= open + 1 || colon + 1 >= close || origin.indexOf(")", open + 1) !== close) return undefined;
  for (let i = colon + 1; i < close; i++) {
    const c = origin.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  return { head: origin.slice(0, colon), line: origin.slice(colon + 1, close) };
}

export function nodeOrigin(node: TreeNode): string | undefined {
  if (node.kind === "string") return node.value.origin;
  if (node.kind === "unknown") return node.origin;
  return undefined;
}
