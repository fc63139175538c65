import type { Fix } from "../engine/rule.js";
import type { SourceLocation } from "../model/location.js";
import type { Condition, Statement } from "../model/policy.js";
import { knownText, type StrValue } from "../model/value.js";
import { allOf, SAFE_PLAIN, UNSAFE_QUOTED, type Fixer } from "./fixer.js";

/**
 * Adds a condition `StringEquals { key: value }` to a statement, shaped like the conditions already written
 * there, so that JSON, YAML (block or flow), HCL object literals (`jsonencode`) and HCL `condition` blocks
 * (`aws_iam_policy_document`) all come out as their author would have written them:
 *
 * - entry form (`"key": value` inside an operator's map): beside `template` when its operator is
 *   `StringEquals`, else at the head of another `StringEquals` map of the statement, else as a new
 *   `StringEquals` map written before `template`'s operator, each copied from the entry next to it (quotes
 *   and separator; the value a scalar);
 * - block form (one `condition { test, variable, values }` per key): a copy of `template`'s block, without
 *   its comments, before it.
 *
 * Separators follow the neighbours: a comma where the container is a `{…}` map (JSON, YAML flow, HCL
 * written with commas; none after an HCL entry written one per line), none in a YAML block map. Returns
 * undefined unless every piece it copies is written literally (a key or value coming through a variable
 * or an expression gets no edit).
 */
export function addStringEquals(
  fixer: Fixer,
  stmt: Statement,
  template: Condition,
  key: string,
  value: string,
): Fix | undefined {
  const src = fixer.source(template.key.loc.file);
  if (!src) return undefined;
  const text = src.text;
  const at = (loc: SourceLocation): Span | undefined => fixer.offsets(loc);
  const keyS = at(template.key.loc);
  const valsS = at(template.values.loc);
  if (!keyS || !valsS) return undefined;
  const edit = (offset: number, insert: string): Fix | undefined =>
    allOf([fixer.edit(template.key.loc.file, offset, offset, insert)]);

  if (!/^\s*[:=]\s*$/.test(text.slice(keyS.end, valsS.start))) {
    const block = blockClone(text, template, at, key, value);
    return block && edit(commentsAbove(text, block.start, indentAt(text, block.start)), `${block.text}\n`);
  }

  const block = (c: Condition): Condition[] => stmt.conditions.filter((o) => sameLoc(o.operator.loc, c.operator.loc));
  const equalsBlock =
    template.operator.value === "StringEquals"
      ? [template]
      : stmt.conditions
          .filter((c) => c.operator.value === "StringEquals")
          .map((c) => firstOf(block(c), at))
          .filter((c): c is Condition => c !== undefined);
  const neighbour = equalsBlock[0];
  if (neighbour) {
    const entry = entryClone(text, neighbour, at, key, value);
    const nKey = at(neighbour.key.loc);
    const nVals = at(neighbour.values.loc);
    if (!entry || !nKey || !nVals) return undefined;
    const ins = insertBefore(text, nKey.start, nVals.end, entry, /=/.test(text.slice(nKey.end, nVals.start)));
    return ins && edit(ins.at, ins.text);
  }

  // A new `StringEquals` map before the template's operator.
  const opS = at(template.operator.loc);
  const own = block(template);
  const ends = own.map((c) => at(c.values.loc)?.end);
  const first = firstOf(own, at);
  const firstS = first && at(first.key.loc);
  const entry = entryClone(text, template, at, key, value);
  if (!opS || !firstS || !entry) return undefined;
  const quote = literalQuote(text, opS, template.operator.value);
  const between = text.slice(opS.end, firstS.start);
  const m = /^(\s*[:=]\s*)(\{?)\s*$/.exec(between);
  if (quote === undefined || !m) return undefined;
  const flow = m[2] === "{";
  let end = Math.max(...ends.map((e) => e ?? Infinity));
  if (flow) {
    const close = nextSignificant(text, end, true);
    if (text[close] !== "}") return undefined;
    end = close + 1;
  }
  const multiline = between.includes("\n");
  const closing = !flow ? "" : multiline ? `\n${indentAt(text, opS.start)}}` : " }";
  // A map written with a comma after its last entry gets one after the new entry too.
  const last = Math.max(...ends.map((e) => e ?? -1));
  const after = nextSignificant(text, last, false);
  const trailing = flow && multiline && text[after] === "," && text[nextSignificant(text, after + 1, false)] === "}";
  const opened = `${quote}StringEquals${quote}${between}${entry}${trailing ? "," : ""}${closing}`;
  const ins = insertBefore(text, opS.start, end, opened, m[1]?.includes("=") ?? false);
  return ins && edit(ins.at, ins.text);
}

interface Span {
  start: number;
  end: number;
}

function sameLoc(a: SourceLocation, b: SourceLocation): boolean {
  return a.file === b.file && a.line === b.line && a.column === b.column;
}

/** The condition of a map written first. */
function firstOf(conditions: Condition[], at: (loc: SourceLocation) => Span | undefined): Condition | undefined {
  let best: { c: Condition; start: number } | undefined;
  for (const c of conditions) {
    const s = at(c.key.loc);
    if (s && (!best || s.start < best.start)) best = { c, start: s.start };
  }
  return best?.c;
}

/** How a literal is written: its quote (`"`, `'`, or `""` for a YAML plain scalar); undefined for anything else. */
function literalQuote(text: string, s: Span, value: string): string | undefined {
  const length = s.end - s.start;
  if (length === value.length + 2) {
    // `"value"` or `'value'` (compared in place: every finding of a large policy asks).
    const q = text.charAt(s.start);
    if ((q === '"' || q === "'") && text.charAt(s.end - 1) === q && text.startsWith(value, s.start + 1))
      return UNSAFE_QUOTED.test(value) ? undefined : q;
    return undefined;
  }
  return length === value.length && text.startsWith(value, s.start) && SAFE_PLAIN.test(value) ? "" : undefined;
}

/** `text` in `quote`, when it can be written there without escapes. */
function quoted(quote: string, text: string): string | undefined {
  if (quote === "") return SAFE_PLAIN.test(text) && !/: /.test(text) ? text : undefined;
  return UNSAFE_QUOTED.test(text) ? undefined : `${quote}${text}${quote}`;
}

/** The first and last item of a list as written, and the literal quote of the first. */
function valuesShape(
  text: string,
  values: Condition["values"],
  at: (loc: SourceLocation) => Span | undefined,
): { prefix: string; suffix: string; quote: string } | undefined {
  const first: StrValue | undefined = values.items[0];
  const last = values.items[values.items.length - 1];
  const all = at(values.loc);
  const f = first && at(first.loc);
  const l = last && at(last.loc);
  const firstText = first && knownText(first);
  if (!all || !f || !l || firstText === undefined || values.unknown) return undefined;
  const quote = literalQuote(text, f, firstText);
  if (quote === undefined) return undefined;
  return {
    prefix: stripComments(text.slice(all.start, f.start)),
    suffix: stripComments(text.slice(l.end, all.end)).trimEnd(),
    quote,
  };
}

/** `key: value` written like `like`'s entry (key quoting, separator, value quoting), the value a scalar. */
function entryClone(
  text: string,
  like: Condition,
  at: (loc: SourceLocation) => Span | undefined,
  key: string,
  value: string,
): string | undefined {
  const k = at(like.key.loc);
  const v = at(like.values.loc);
  const written = knownText(like.key);
  if (!k || !v || written === undefined) return undefined;
  const kq = literalQuote(text, k, written);
  const shape = valuesShape(text, like.values, at);
  if (kq === undefined || !shape) return undefined;
  const newKey = quoted(kq, key);
  const newValue = quoted(shape.quote, value);
  if (newKey === undefined || newValue === undefined) return undefined;
  // One value, so a scalar even beside a list (`key:` then a YAML block list becomes `key: value`).
  return `${newKey}${text.slice(k.end, v.start).replace(/^([ \t]*[:=])[ \t]*\n.*$/s, "$1 ")}${newValue}`;
}

/**
 * A copy of the block (`condition { test = … variable = … values = […] }`) holding `like`, with the
 * operator, key and values replaced and comments left out. Undefined when the block holds anything but
 * those three attributes.
 */
function blockClone(
  text: string,
  like: Condition,
  at: (loc: SourceLocation) => Span | undefined,
  key: string,
  value: string,
): { start: number; text: string } | undefined {
  const op = at(like.operator.loc);
  const k = at(like.key.loc);
  const v = at(like.values.loc);
  const written = knownText(like.key);
  const shape = valuesShape(text, like.values, at);
  if (!op || !k || !v || written === undefined || !shape) return undefined;
  const oq = literalQuote(text, op, like.operator.value);
  const kq = literalQuote(text, k, written);
  const newOp = oq === undefined ? undefined : quoted(oq, "StringEquals");
  const newKey = kq === undefined ? undefined : quoted(kq, key);
  const newValue = quoted(shape.quote, value);
  if (newOp === undefined || newKey === undefined || newValue === undefined) return undefined;
  const parts = [
    { s: op, t: newOp },
    { s: k, t: newKey },
    { s: v, t: `${shape.prefix}${newValue}${shape.suffix}` },
  ].sort((a, b) => a.s.start - b.s.start);
  const open = text.lastIndexOf("{", parts[0]?.s.start ?? 0);
  const close = closingBrace(text, parts[parts.length - 1]?.s.end ?? 0);
  if (open < 0 || close === undefined) return undefined;
  const lineStart = text.lastIndexOf("\n", open) + 1;
  if (!/^\s*[A-Za-z_][\w-]*\s*$/.test(text.slice(lineStart, open))) return undefined;
  let out = "";
  let rest = "";
  let pos = lineStart;
  for (const p of parts) {
    if (p.s.start < pos) return undefined;
    const gap = text.slice(pos, p.s.start);
    out += gap + p.t;
    rest += gap;
    pos = p.s.end;
  }
  out += text.slice(pos, close + 1);
  rest += text.slice(pos, close + 1);
  // Only attribute names, `=` and the braces around the three values: nothing else is copied.
  if (!/^[\s\w=-]*\{[\s\w=]*\}$/.test(stripComments(rest))) return undefined;
  return {
    start: lineStart,
    text: stripComments(out)
      .split("\n")
      .filter((line) => line.trim() !== "")
      .join("\n"),
  };
}

/** The `}` closing the block a position is in (strings and comments skipped). */
function closingBrace(text: string, from: number): number | undefined {
  let depth = 0;
  for (let i = nextSignificant(text, from, false); i < text.length; i = nextSignificant(text, i + 1, false)) {
    const ch = text[i];
    if (ch === '"') {
      const end = stringEnd(text, i);
      if (end === undefined) return undefined;
      i = end - 1;
    } else if (ch === "{") depth++;
    else if (ch === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return undefined;
}

/** The offset after a `"…"` string starting at `i` (backslash escapes). */
function stringEnd(text: string, i: number): number | undefined {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === '"') return j + 1;
    else if (text[j] === "\n") return undefined;
  }
  return undefined;
}

/** Where a `#` or `//` line comment starts in a line (outside `"…"`; `#` and `//` after a blank or at the start). */
function commentStart(line: string): number {
  // A line without `#` or `//` has no comment (a long minified line is then not read character by character).
  if (!line.includes("#") && !line.includes("//")) return line.length;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      const end = stringEnd(line, i);
      if (end === undefined) return line.length;
      i = end - 1;
    } else if ((ch === "#" || (ch === "/" && line[i + 1] === "/")) && (i === 0 || /\s/.test(line[i - 1] ?? ""))) {
      return i;
    }
  }
  return line.length;
}

/** The text without `#` / `//` line comments (trailing blanks before them dropped too). */
function stripComments(text: string): string {
  if (!text.includes("#") && !text.includes("//")) return text;
  return text
    .split("\n")
    .map((line) => {
      const c = commentStart(line);
      return c === line.length ? line : line.slice(0, c).trimEnd();
    })
    .join("\n");
}

/** The offset of the next character that is not a blank, a comment or (with `commas`) a comma. */
function nextSignificant(text: string, from: number, commas: boolean): number {
  let i = from;
  while (i < text.length) {
    const ch = text[i] ?? "";
    if (/\s/.test(ch) || (commas && ch === ",")) i++;
    else if (ch === "#" || (ch === "/" && text[i + 1] === "/")) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl;
    } else return i;
  }
  return i;
}

/**
 * The lines of the last text asked about: where each starts, and where each one's comment starts (offset
 * in the text) once asked. A minified 1 MiB policy is one line, and every finding in it asks.
 */
let lines: { text: string; starts: number[]; byLine: Map<number, number> } = {
  text: "",
  starts: [0],
  byLine: new Map(),
};

function linesOf(text: string): typeof lines {
  if (lines.text !== text) {
    const starts = [0];
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    lines = { text, starts, byLine: new Map() };
  }
  return lines;
}

/** The start of the line holding `offset` (`text.lastIndexOf("\n", offset - 1) + 1`, by binary search). */
function lineStartOf(text: string, offset: number): number {
  const { starts } = linesOf(text);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return starts[lo] ?? 0;
}

/** The offset of the comment of the line starting at `lineStart`, or the line's end: computed once per line. */
function lineCommentStart(text: string, lineStart: number): number {
  const commentStarts = linesOf(text);
  let at = commentStarts.byLine.get(lineStart);
  if (at === undefined) {
    const nl = text.indexOf("\n", lineStart);
    const line = text.slice(lineStart, nl < 0 ? text.length : nl);
    at = lineStart + commentStart(line);
    commentStarts.byLine.set(lineStart, at);
  }
  return at;
}

/** The last character before `offset` that is not a blank or in a line comment, and its offset. */
function previousSignificant(text: string, offset: number): { ch: string; at: number } | undefined {
  let end = offset;
  while (end > 0) {
    const lineStart = lineStartOf(text, end);
    // A comment that starts before `end` ends the code there; one after it does not concern this part.
    let i = Math.min(end, lineCommentStart(text, lineStart)) - 1;
    while (i >= lineStart && /\s/.test(text[i] ?? "")) i--;
    if (i >= lineStart) return { ch: text[i] ?? "", at: i };
    end = lineStart - 1;
  }
  return undefined;
}

/** The blanks a line starts with. */
function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? "";
}

/**
 * Writes `entry` before the neighbour entry `[start, end)`: on its own line, above the comment lines that
 * head the neighbour (they stay with it), with the neighbour's indentation; or, when the neighbour does not
 * start its line, just before it. A comma follows where the container is a `{…}` map that separates
 * entries with commas: always in JSON and YAML flow maps, in HCL when its neighbours do or on one line.
 * Undefined when a one-line neighbour is not inside a `{…}` map.
 */
function insertBefore(
  text: string,
  start: number,
  end: number,
  entry: string,
  hcl: boolean,
): { at: number; text: string } | undefined {
  const lineStart = lineStartOf(text, start);
  let before = start - 1;
  while (before >= lineStart && /\s/.test(text[before] ?? "")) before--;
  const inline = before >= lineStart;
  const prev = previousSignificant(text, start);
  if (inline) {
    if (prev?.ch !== "{" && prev?.ch !== ",") return undefined;
    // After `{` the blank before the neighbour says nothing of the blank after a comma: `"k": v` suggests `, `.
    const gap =
      prev.ch === "," ? text.slice(prev.at + 1, start) : /^\S+[:=] /.test(entry) || / [:=] /.test(entry) ? " " : "";
    return { at: start, text: `${entry},${gap}` };
  }
  const next = text[nextSignificant(text, end, false)];
  const comma = prev?.ch === "," || (prev?.ch === "{" && (next === "," || (next === "}" && !hcl)));
  const indent = text.slice(lineStart, start);
  return { at: commentsAbove(text, lineStart, indent), text: `${indent}${entry}${comma ? "," : ""}\n` };
}

/** The start of the comment lines, at `indent`, right above the line starting at `lineStart` (or that line's start). */
function commentsAbove(text: string, lineStart: number, indent: string): number {
  let at = lineStart;
  while (at > 0) {
    const above = text.lastIndexOf("\n", at - 2) + 1;
    const line = text.slice(above, at - 1);
    if (!line.startsWith(indent) || line.trim() === "" || commentStart(line) !== indent.length) break;
    at = above;
  }
  return at;
}
