import {
  corePlainValue,
  tailScanner,
  type YMap,
  type YNode,
  type YPair,
  type YScalar,
  type YSeq,
} from "./yaml-tree.js";

/**
 * The tree of a workflow written in plain YAML, read in one linear pass (issue 13): the same tree, offsets and
 * values `yaml` gives (and `fastYamlTree`, which this is tried before), for the subset almost every workflow
 * is written in — or undefined ("not sure") for anything else, which then goes the way it went before
 * (js-yaml's events, then `yaml` for its exact message). Because it answers only where it is sure, a text it
 * reads is one `yaml` reads without an error, so it is also the syntax check of workflows the pre-filter skips.
 *
 * The subset:
 * - block mappings and sequences indented with spaces (a sequence may sit at its key's indentation, a
 *   mapping or sequence may start on a `- ` line), keys on one line (plain, or quoted and followed by `:`);
 * - plain scalars on one line, without `: ` (or a `:` ending the line) and not starting with an indicator;
 * - single- and double-quoted scalars closed on their line (the usual escapes);
 * - `|`, `|-`, `>`, `>-` block scalars (a folded one with no more-indented line), with content;
 * - flow sequences and mappings on one line, of plain words, quoted scalars and flow collections;
 * - comments, blank lines, CRLF line breaks.
 *
 * Not sure, so left to the other builders: tabs outside comments and block scalar text, anchors, aliases, tags,
 * directives, `---` and `...` lines, `?` keys, a value going on over the next line (multi-line plain or quoted
 * scalars, flow collections), explicit indentation or `+` in a block scalar header, control characters, a
 * byte-order mark. test/plain-yaml.test.ts holds the result to `yaml`'s, on fixtures and mutated workflows.
 */
export function plainYamlTree(text: string): YNode | null | undefined {
  if (UNSURE_CHARACTER.test(text) || (text.includes("\r") && LONE_CR.test(text))) return undefined;
  // One `---` may start the document; any other marker or directive is left to the other builders.
  const marker = markerLine(text);
  if (marker >= 0 && (!text.startsWith("---", marker) || markerLine(text, marker + 1) >= 0)) return undefined;
  try {
    return readPlain(text, marker);
  } catch (e) {
    if (e === NOT_SURE) return undefined;
    throw e;
  }
}

/**
 * Characters the reader does not take anywhere: control characters (but tab and line feed), a carriage return
 * not before a line feed, C1 controls, Unicode line separators, byte-order marks and non-characters.
 */
const UNSURE_CHARACTER = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;
const LONE_CR = /\r(?!\n)/;
/** The start of the first line from `from` on that starts with a document marker or a directive, or -1. */
function markerLine(text: string, from = 0): number {
  let first = -1;
  for (const marker of ["---", "...", "%"]) {
    const lf = from === 0 && text.startsWith(marker) ? -1 : text.indexOf(`\n${marker}`, Math.max(0, from - 1));
    const at = lf >= 0 ? lf + 1 : from === 0 && text.startsWith(marker) ? 0 : -1;
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}

/** Thrown (always this one object, made once: no stack trace per refusal) where the text leaves the subset. */
class NotSure extends Error {}
const NOT_SURE = new NotSure("not plain YAML");
const unsure = (): never => {
  throw NOT_SURE;
};

/** Nesting of block and flow collections beyond this is left to the other builders. */
const MAX_NESTING = 100;

const ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  N: "\x85",
  _: "\xa0",
  L: "\u2028",
  P: "\u2029",
};
const HEX_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };

/** Characters that cannot start a plain scalar (but `-`, `?`, `:` before a non-space): blanks and , [ ] { } # & * ! | > ' " % @ ` */
const NOT_PLAIN_FIRST = new Uint8Array(128);
for (let c = 0; c <= 34; c++) NOT_PLAIN_FIRST[c] = 1;
for (const c of ",[]{}#&*|>'%@`?:") NOT_PLAIN_FIRST[c.charCodeAt(0)] = 1;

/**
 * The scans run as regular expressions (native code from the first file on, where a character loop would be
 * interpreted for the first few hundred files). Sticky: each matches from `lastIndex` on.
 *
 * PLAIN_RUN: the text of a plain scalar (or implicit key) on its line, from its second character: it stops at a
 * line break, a tab, a `:` before a blank or the end, or the space before a ` #` comment.
 */
const PLAIN_RUN = /(?:[^\n\r\t:# ]+| (?!#)|:(?=[^ \t\r\n])|#)*/y;
const SINGLE_QUOTED_RUN = /[^'\n\r\t]*/y;
const DOUBLE_QUOTED_RUN = /[^"\\\n\r\t]*/y;
const SPACES = / */y;
/**
 * The lines of a block scalar indented `indent`: text lines (with no tab where the indentation ends) and blank
 * lines; in a folded scalar, no line of spaces only longer than the indentation.
 */
const BODIES = new Map<number, RegExp>();
const blockBody = (indent: number, folded: boolean): RegExp => {
  const key = indent * 2 + (folded ? 1 : 0);
  let pattern = BODIES.get(key);
  if (!pattern) {
    const text = ` {${indent}}(?! *\\t)`;
    const line = folded ? `${text}(?= *[^ \\r\\n])[^\\n]*| {0,${indent}}\\r?` : `${text}[^\\n]*| *\\r?`;
    pattern = new RegExp(`(?:(?:${line})(?:\\n|$))*`, "y");
    BODIES.set(key, pattern);
  }
  return pattern;
};
/** A line break and the indentation of the next line of a block scalar (up to `indent` spaces). */
const INDENTATIONS = new Map<number, RegExp>();
const indentation = (indent: number): RegExp => {
  let pattern = INDENTATIONS.get(indent);
  if (!pattern) INDENTATIONS.set(indent, (pattern = new RegExp(`\n {1,${indent}}`, "g")));
  return pattern;
};
/**
 * The text of a folded block scalar from its lines: a line break between two lines of text is a space, one
 * before n blank lines is dropped; around a line indented more than the others, line breaks are kept.
 */
function fold(lines: string): string {
  if (!lines.includes("\n")) return lines;
  let out = "";
  let blanks = 0;
  /** The last line: 0 none yet, 1 text, 2 indented more. */
  let last = 0;
  for (const line of lines.split("\n")) {
    if (line === "") {
      blanks++;
      continue;
    }
    const kind = line.charCodeAt(0) === 32 ? 2 : 1;
    if (last === 0) out += "\n".repeat(blanks);
    else if (last === 1 && kind === 1) out += blanks > 0 ? "\n".repeat(blanks) : " ";
    else out += "\n".repeat(blanks + 1);
    out += line;
    blanks = 0;
    last = kind;
  }
  return out;
}
const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
const run = (pattern: RegExp, text: string, i: number): number => {
  pattern.lastIndex = i;
  pattern.test(text);
  return pattern.lastIndex;
};

/** `docStart`: where a `---` line is, or -1. */
function readPlain(text: string, docStart: number): YNode | null {
  const len = text.length;
  const { at, trimEnd, flowTail, blockScalarTail, nextLine, emptyAt, out, blockTail, emptyNode } = tailScanner(text);
  /** The start of the line after the node read last. */
  let pos = 0;
  let depth = 0;

  const isEol = (i: number): boolean => {
    const c = text.charCodeAt(i);
    return c === 10 || c === 13 || i >= len;
  };
  const isSpaceOrEol = (i: number): boolean => text.charCodeAt(i) === 32 || isEol(i);
  const isDash = (i: number): boolean => text.charCodeAt(i) === 45 && isSpaceOrEol(i + 1);
  const spaces = (i: number): number => {
    while (text.charCodeAt(i) === 32) i++;
    return i;
  };
  /** From a line start: the start of the next line with content (blank and comment lines skipped), or len. */
  const contentLine = (p: number): number => {
    for (;;) {
      const j = text.charCodeAt(p) === 32 ? run(SPACES, text, p) : p;
      if (j >= len) return len;
      const c = text.charCodeAt(j);
      if (c === 10 || c === 13 || c === 35) p = nextLine(j);
      else if (c === 9) return unsure();
      else return p;
    }
  };
  /**
   * A multi-line scalar going on after the line break at `eol`: the next line with text (`line`: its start,
   * `first`: its first non-space) and the folded break before it (a space, or one line break per blank line).
   */
  const continuation = (eol: number): { line: number; first: number; fold: string } => {
    let blanks = 0;
    let line = nextLine(eol);
    let first = spaces(line);
    while (isEol(first) && first < len) {
      blanks++;
      line = nextLine(first);
      first = spaces(line);
    }
    return { line, first, fold: blanks > 0 ? "\n".repeat(blanks) : " " };
  };
  /** Whether a plain scalar may start at `i` (no indicator; `-` only before a non-space). */
  const plainStart = (i: number): boolean => {
    const c = text.charCodeAt(i);
    if (c === 45 || c === 58 || c === 63) return !isSpaceOrEol(i + 1) && text.charCodeAt(i + 1) !== 9;
    return !(c < 128 && NOT_PLAIN_FIRST[c] === 1);
  };

  /**
   * After a quoted scalar (`quotedValue` is its value). It may go on over lines indented at least as deep as
   * `parent` (-2: it must close on its line), folded as YAML folds them; an escaped line break is not handled.
   */
  let quotedValue = "";
  const quoted = (q: number, parent: number): number => {
    const quote = at(q);
    let value = "";
    let from = q + 1;
    const skip = quote === 39 ? SINGLE_QUOTED_RUN : DOUBLE_QUOTED_RUN;
    for (let i = q + 1; ; i++) {
      i = run(skip, text, i);
      const c = at(i);
      if (c === 9 || i >= len) return unsure();
      if (isEol(i)) {
        if (parent < -1) return unsure();
        let k = i;
        while (k > from && at(k - 1) === 32) k--;
        value += text.slice(from, k);
        const { line: p, first: j, fold } = continuation(i);
        // At the indentation of the collection holding it, too: YAML wants deeper lines, but GitHub's parser
        // (js-yaml, which the fast builder follows) reads them, and so does the linter.
        if (j >= len || j - p < parent || at(j) === 9) return unsure();
        value += fold;
        from = j;
        i = j - 1;
        continue;
      }
      if (quote === 39) {
        if (at(i + 1) === 39) {
          value += text.slice(from, i + 1);
          from = ++i + 1;
          continue;
        }
      } else if (c === 92) {
        value += text.slice(from, i);
        const e = text[i + 1] ?? "";
        const digits = HEX_DIGITS[e];
        if (digits !== undefined) {
          const hex = text.slice(i + 2, i + 2 + digits);
          const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === digits ? parseInt(hex, 16) : -1;
          if (code < 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return unsure();
          value += String.fromCodePoint(code);
          i += 1 + digits;
        } else {
          const decoded = ESCAPES[e];
          if (decoded === undefined) return unsure();
          value += decoded;
          i++;
        }
        from = i + 1;
        continue;
      }
      quotedValue = value + text.slice(from, i);
      return i + 1;
    }
  };
  /** After a node that ended on its line at `end`: only spaces and a comment may follow. The next line's start. */
  const endOfLine = (end: number): number => {
    const i = spaces(end);
    if (at(i) === 35 && i > end) return nextLine(i);
    return isEol(i) ? nextLine(i) : unsure();
  };

  /** The `:` after an implicit key starting at `k` on this line, or -1 when the line holds no key there. */
  const keyColon = (k: number): number => {
    const c = at(k);
    if (c === 39 || c === 34) {
      const e = quoted(k, -2);
      if (at(e) !== 58 || !isSpaceOrEol(e + 1)) return -1;
      return e - k > 1000 ? unsure() : e;
    }
    if (!plainStart(k)) return -1;
    const e = run(PLAIN_RUN, text, k + 1);
    const ch = text.charCodeAt(e);
    if (ch === 9 || (ch === 58 && text.charCodeAt(e + 1) === 9)) return unsure();
    if (ch !== 58) return -1;
    return e - k > 1000 ? unsure() : e;
  };
  const keyNode = (k: number, colon: number): YScalar => {
    const c = at(k);
    if (c === 39 || c === 34) {
      quoted(k, -2);
      return { kind: "scalar", value: quotedValue, start: k, end: colon };
    }
    const end = trimEnd(k, colon);
    return { kind: "scalar", value: corePlainValue(text.slice(k, end)), start: k, end };
  };

  /**
   * A plain scalar in a flow collection, on one line: ends before `,` `]` `}`, `: `, a comment or the line's
   * end; no other `:`, no opening bracket in it.
   */
  const flowPlain = (i: number): YScalar => {
    if (!plainStart(i) || at(i) === 58 || at(i) === 63) return unsure();
    let j = i + 1;
    for (; !isEol(j); j++) {
      const c = at(j);
      if (c === 44 || c === 93 || c === 125 || (c === 35 && at(j - 1) === 32)) break;
      if (c === 58) {
        if (isSpaceOrEol(j + 1)) break;
        return unsure();
      }
      if (c === 91 || c === 123 || c === 9) return unsure();
    }
    const end = trimEnd(i, j);
    return { kind: "scalar", value: corePlainValue(text.slice(i, end)), start: i, end };
  };
  /**
   * From `i`, after spaces, comments and line breaks in a flow collection (its lines indented deeper than
   * `parent`, the collection holding it). A line indented as much as `parent` is let through when it starts with
   * a closing bracket (`closeAtParent` is then set): only the outermost collection's may be there.
   */
  let closeAtParent = false;
  const flowSpace = (i: number, parent: number): number => {
    closeAtParent = false;
    for (;;) {
      i = spaces(i);
      if (at(i) === 35) {
        if (at(i - 1) !== 32 && at(i - 1) !== 10) return unsure();
        while (!isEol(i)) i++;
      }
      if (!isEol(i)) return i;
      if (i >= len) return unsure();
      const p = nextLine(i);
      i = spaces(p);
      if (at(i) === 9) return unsure();
      if (!isEol(i) && i - p <= parent) {
        if (i - p < parent || (at(i) !== 93 && at(i) !== 125)) return unsure();
        closeAtParent = true;
      }
    }
  };
  /** A node in a flow collection at `i`; `flowEnd` is set after it. */
  let flowEnd = 0;
  const flowNode = (i: number, parent: number): YNode => {
    const c = at(i);
    if (c === 91 || c === 123) return flowCollection(i, parent, false);
    if (c === 39 || c === 34) {
      flowEnd = quoted(i, parent);
      return { kind: "scalar", value: quotedValue, start: i, end: flowEnd };
    }
    const node = flowPlain(i);
    flowEnd = node.end;
    return node;
  };
  /**
   * A flow sequence or mapping (each mapping entry a scalar key, `: ` and a value), whose lines are indented
   * deeper than `parent`.
   */
  const flowCollection = (start: number, parent: number, outermost: boolean): YMap | YSeq => {
    if (++depth > MAX_NESTING) return unsure();
    const isSeq = at(start) === 91;
    const close = isSeq ? 93 : 125;
    const items: YNode[] = [];
    const pairs: YPair[] = [];
    let i = flowSpace(start + 1, parent);
    while (at(i) !== close) {
      const node = flowNode(i, parent);
      if (isSeq) items.push(node);
      else {
        if (node.kind !== "scalar" || at(flowEnd) !== 58 || at(flowEnd + 1) !== 32) return unsure();
        pairs.push({ key: node, value: flowNode(flowSpace(flowEnd + 1, parent), parent) });
      }
      i = flowSpace(flowEnd, parent);
      if (at(i) === close) break;
      if (at(i) !== 44) return unsure();
      i = flowSpace(i + 1, parent);
    }
    if (closeAtParent && !outermost) return unsure();
    depth--;
    flowEnd = i + 1;
    return isSeq ? { kind: "seq", items, start, end: flowEnd } : { kind: "map", pairs, start, end: flowEnd };
  };

  /** A block scalar whose header (`|`, `|-`, `>`, `>-`) is at `h`, in a collection indented `parent`. */
  const blockScalar = (h: number, parent: number): YScalar => {
    const folded = at(h) === 62;
    let i = h + 1;
    const strip = at(i) === 45;
    if (strip) i++;
    if (!isSpaceOrEol(i)) return unsure();
    const bodyStart = endOfLine(i);
    // The first line with text sets the indentation; blank lines before it may not be longer.
    let p = bodyStart;
    let j = spaces(p);
    let leading = 0;
    while (isEol(j) && j < len) {
      leading = Math.max(leading, j - p);
      p = nextLine(j);
      j = spaces(p);
    }
    const indent = j - p;
    if (at(j) === 9) return unsure();
    if (j >= len || indent <= parent) {
      // No text: an empty scalar ending after its header line (as js-yaml's builder ends it; `yaml` takes the
      // empty lines after it too). Blank lines with spaces are not settled here.
      if (leading > 0) return unsure();
      pos = p;
      blockScalarTail(bodyStart);
      return { kind: "scalar", value: "", start: h, end: bodyStart };
    }
    if (leading > indent) return unsure();
    const stop = run(blockBody(indent, folded), text, bodyStart);
    // The line after: one at the indentation or deeper (a folded line indented more), or with a tab where the
    // indentation ends, or of spaces only, is not settled here.
    const s = spaces(stop);
    if (at(s) === 9 || (s < len && s - stop >= indent) || (s > stop && isEol(s))) return unsure();
    let k = stop - 1;
    while (k > bodyStart && isBlank(at(k))) k--;
    const end = nextLine(k);
    let body = text.slice(bodyStart, stop);
    if (body.includes("\r")) body = body.replace(/\r\n/g, "\n");
    // The body starts at a line start: its first line's indentation, then each other line's.
    let value =
      indent === 0
        ? body
        : body.slice(Math.min(spaces(bodyStart) - bodyStart, indent)).replace(indentation(indent), "\n");
    value = value.replace(/\n+$/, "");
    // A last line of spaces only: whether it is text or a blank line is not settled here.
    if (value.charCodeAt(value.length - 1) === 32 && value.slice(value.lastIndexOf("\n") + 1).trim() === "")
      return unsure();
    if (folded) value = fold(value);
    if (!strip) value += "\n";
    pos = stop;
    blockScalarTail(end);
    return { kind: "scalar", value, start: h, end };
  };

  /** The end of a plain scalar's line from `i`: its comment's `#` or line break; not sure of `: ` or a tab. */
  const plainLine = (i: number): number => {
    const e = run(PLAIN_RUN, text, i);
    const c = text.charCodeAt(e);
    if (c === 32) return e + 1;
    return c === 58 || c === 9 ? unsure() : e;
  };
  /**
   * A plain scalar at `i`, going on over the next lines indented deeper than `parent` (folded: a line break is
   * a space, n blank lines are n line breaks) until a comment, a blank line's end or a line that is not plain.
   */
  const plainScalar = (i: number, parent: number): YScalar => {
    if (!plainStart(i)) return unsure();
    let j = plainLine(i + 1);
    let end = trimEnd(i, j);
    let value = text.slice(i, end);
    while (at(j) !== 35 && j < len) {
      const { line: p, first: s, fold } = continuation(j);
      // Any text but a comment goes on a plain scalar (`&& b`, `- c`, `[d`); an indicator before a blank is left aside.
      const c = at(s);
      if (s >= len || s - p <= parent || c === 35 || c === 9) break;
      if ((c === 45 || c === 58 || c === 63) && isSpaceOrEol(s + 1)) return unsure();
      j = plainLine(s + 1);
      const lineEnd = trimEnd(s, j);
      value += fold + text.slice(s, lineEnd);
      end = lineEnd;
    }
    return { kind: "scalar", value: corePlainValue(value), start: i, end };
  };

  /** A scalar or flow collection at `i` (after `key: `, `- `, or alone on its line), in a collection indented `parent`. */
  const scalarNode = (i: number, parent: number): YNode => {
    const c = at(i);
    if (c === 124 || c === 62) return blockScalar(i, parent);
    let node: YNode;
    if (c === 91 || c === 123) node = flowCollection(i, parent, true);
    else if (c === 39 || c === 34) {
      const e = quoted(i, parent);
      node = { kind: "scalar", value: quotedValue, start: i, end: e };
    } else node = plainScalar(i, parent);
    pos = endOfLine(node.end);
    flowTail(node.end);
    return node;
  };

  /** The node starting at `i`, column `col`, in a collection indented `parent` (-1: the document). */
  const blockNode = (i: number, col: number, parent: number): YNode => {
    if (isDash(i)) return sequence(i, col);
    const colon = keyColon(i);
    return colon >= 0 ? mapping(i, col, colon) : scalarNode(i, parent);
  };

  /**
   * What follows an indicator (`key:`, `-`) at `after` with nothing else on its line: the node on the next
   * lines indented deeper than `col` (or a sequence at `col` itself, for a key), else an empty node.
   */
  const nextLinesNode = (after: number, col: number, dashAtCol: boolean): YNode => {
    const lineEnd = endOfLine(after);
    const p = contentLine(lineEnd);
    const n = spaces(p) - p;
    if (p < len && n > col) return blockNode(p + n, n, col);
    if (p < len && n === col && dashAtCol && isDash(p + n)) return sequence(p + n, col);
    pos = lineEnd;
    return emptyNode(emptyAt(after));
  };
  /** The next entry's line of a collection indented `col`: its content, or -1 when the collection ends there. */
  const nextEntry = (col: number): number => {
    const p = contentLine(pos);
    if (p >= len) return -1;
    const n = spaces(p) - p;
    if (n > col) return unsure();
    return n === col ? p + n : -1;
  };

  const mapping = (start: number, col: number, firstColon: number): YMap => {
    if (++depth > MAX_NESTING) return unsure();
    const pairs: YPair[] = [];
    let k = start;
    let colon = firstColon;
    for (;;) {
      const key = keyNode(k, colon);
      const w = spaces(colon + 1);
      const value = isEol(w) || at(w) === 35 ? nextLinesNode(colon + 1, col, true) : scalarNode(w, col);
      pairs.push({ key, value });
      const next = nextEntry(col);
      if (next < 0) break;
      colon = keyColon(next);
      if (colon < 0) {
        // A sequence entry ends this mapping only where it is the mapping's value (read above).
        return unsure();
      }
      k = next;
    }
    depth--;
    const node: YMap = { kind: "map", pairs, start, end: 0 };
    node.end = blockTail(start, out);
    return node;
  };

  const sequence = (start: number, col: number): YSeq => {
    if (++depth > MAX_NESTING) return unsure();
    const items: YNode[] = [];
    let d = start;
    for (;;) {
      const w = spaces(d + 1);
      items.push(isEol(w) || at(w) === 35 ? nextLinesNode(d + 1, col, false) : blockNode(w, col + w - d, col));
      const next = nextEntry(col);
      if (next < 0 || !isDash(next)) break;
      d = next;
    }
    depth--;
    const node: YSeq = { kind: "seq", items, start, end: 0 };
    node.end = blockTail(start, out);
    return node;
  };

  let first = contentLine(0);
  if (docStart >= 0) {
    if (first !== docStart || !isSpaceOrEol(first + 3)) return unsure();
    first = contentLine(endOfLine(first + 3));
  }
  // No node: js-yaml's builder gives an empty scalar at the end when there is a comment or a marker (`yaml`: none).
  if (first >= len) {
    if (text.trim() === "") return null;
    return text.endsWith("\n") ? { kind: "scalar", value: null, start: len, end: len } : unsure();
  }
  const n = spaces(first) - first;
  const root = blockNode(first + n, n, -1);
  if (contentLine(pos) < len) return unsure();
  return root;
}
