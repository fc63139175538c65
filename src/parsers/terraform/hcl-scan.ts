import { HEREDOC_INTRO, mayBeMarkerLine } from "./hcl-expression.js";
import type { HclBlock, HclBody, HclLabel } from "./hcl-body.js";

/**
 * The top-level blocks of an HCL file, found without parsing their bodies: most blocks of a real module
 * (buckets, functions, outputs, providers) can matter to no rule, and parsing them was most of the cost
 * of reading Terraform. Each block's body is parsed by the full parser (`parseTopBlock`) when evaluation
 * first reads it (`LazyBlock` in `module.ts`).
 *
 * The scan is exact about what decides where a block ends — quoted strings and their escapes, heredocs
 * (their closing marker line found as the parser finds it), comments, template interpolations and
 * directives, and every bracket — and refuses (undefined) anything it does not fully understand: an
 * unclosed or mismatched bracket, string, heredoc or comment, a top-level argument, a label with an
 * escape or a template sequence, a block not followed by a newline, a non-ASCII name, nesting past
 * `MAX_NESTING`. A refused file is parsed whole, as before, which reports its first syntax error.
 */
export interface TopBlock {
  type: string;
  typeStart: number;
  labels: HclLabel[];
  /** Offset of the block's `{`. */
  open: number;
}

/** Blanks between top-level definitions: spaces, newlines, CRLF, comments (a lone carriage return is refused). */
const BETWEEN = /(?:[ \t\n]+|\r\n|#[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*/y;
/** Blanks inside a line (a block comment may span lines: the parser skips it there too). */
const INLINE = /(?:[ \t]+|\/\*[\s\S]*?\*\/)*/y;
const NAME = /[A-Za-z_][A-Za-z0-9_-]*/y;
/** A quoted label without escapes or `$`/`%` (a label with one is left to the parser). */
const LABEL = /"[^"\\$%\r\n]*"/y;
/** In expressions: what opens or closes something. */
const CODE = /["#/{}()[\]<]/g;
/** In a quoted string: its end, an escape, a template sequence, a line end (an error). */
const QUOTED = /["\\$%\r\n]/g;
/** In a heredoc: template sequences and line ends (each line may be the closing marker). */
const HEREDOC_TEXT = /[$%\r\n]/g;
/** Brackets and template sequences open at once; past this the file is parsed whole (which reports the limit). */
const MAX_NESTING = 64;
/**
 * What a scan keeps open, innermost last, in one array reused by every scan (scans do not nest): emptied by its
 * count, not its length (an array emptied by `length = 0` gives up its storage, which the next push allocates again).
 */
class OpenStack {
  private readonly items: string[] = [];
  size = 0;

  push(closer: string): void {
    this.items[this.size++] = closer;
  }

  pop(): string | undefined {
    return this.size > 0 ? this.items[--this.size] : undefined;
  }
}

/** What `skipBody` and `expressionEnd` keep open. */
const BODY_STACK = new OpenStack();
const EXPRESSION_STACK = new OpenStack();

/**
 * `keep`, when given, names the blocks wanted (by type and first label): the others are checked as usual but
 * left out, their labels not kept (most blocks of a real module are of types no rule reads).
 */
export function scanTopLevel(
  text: string,
  keep?: (type: string, label: string | undefined) => boolean,
): TopBlock[] | undefined {
  const blocks: TopBlock[] = [];
  // A UTF-8 byte order mark is tolerated, as by the parser.
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    BETWEEN.lastIndex = pos;
    BETWEEN.test(text);
    pos = BETWEEN.lastIndex;
    if (pos >= text.length) return blocks;
    const typeStart = pos;
    const type = name(text, pos);
    if (type === undefined) return undefined;
    pos = inline(text, pos + type.length);
    // Undefined while not known to be wanted (decided at the first label, or at `{` without one).
    let labels: HclLabel[] | undefined = keep ? undefined : [];
    let wanted = keep === undefined;
    let count = 0;
    for (;;) {
      const c = text.charCodeAt(pos);
      let end: number;
      if (c === 34 /* " */) {
        LABEL.lastIndex = pos;
        if (!LABEL.test(text)) return undefined;
        end = LABEL.lastIndex;
      } else if (c === 123 /* { */) break;
      else {
        end = nameEnd(text, pos);
        if (end < 0) return undefined;
      }
      if (labels || (count === 0 && keep)) {
        const value = c === 34 ? text.slice(pos + 1, end - 1) : text.slice(pos, end);
        if (count === 0 && keep && (wanted = keep(type, value))) labels = [];
        labels?.push({ start: pos, value });
      }
      count++;
      pos = inline(text, end);
    }
    if (count === 0 && keep) wanted = keep(type, undefined);
    const open = pos;
    const end = skipBody(text, pos);
    if (end < 0) return undefined;
    pos = inline(text, end);
    const c = text.charCodeAt(pos);
    if (!(
      pos >= text.length ||
      c === 10 ||
      c === 35 ||
      (c === 13 && text.charCodeAt(pos + 1) === 10) ||
      (c === 47 && text.charCodeAt(pos + 1) === 47)
    ))
      return undefined;
    if (wanted) blocks.push({ type, typeStart, labels: labels ?? [], open });
  }
}

/** The end of an ASCII name at `pos` (not followed by a non-ASCII character, which may continue it), or -1. */
function nameEnd(text: string, pos: number): number {
  NAME.lastIndex = pos;
  if (!NAME.test(text) || text.charCodeAt(NAME.lastIndex) > 127) return -1;
  return NAME.lastIndex;
}

/** An ASCII name at `pos` (not followed by a non-ASCII character, which may continue it). */
function name(text: string, pos: number): string | undefined {
  const end = nameEnd(text, pos);
  return end < 0 ? undefined : text.slice(pos, end);
}

function inline(text: string, pos: number): number {
  INLINE.lastIndex = pos;
  INLINE.test(text);
  return INLINE.lastIndex;
}

/**
 * From the `{` at `open` to just after its matching `}`; -1 when the text is not understood. `stack` holds
 * what closes each open construct: a bracket, `"` for a sequence inside a quoted string (its `}` resumes
 * the string), or `<<MARKER` for one inside a heredoc.
 */
export function skipBody(t: string, open: number): number {
  const stack = BODY_STACK;
  stack.size = 0;
  stack.push("}");
  let pos = open + 1;
  for (;;) {
    // `test`, not `exec`: no match array per character found (the scan of a large file finds many).
    CODE.lastIndex = pos;
    if (!CODE.test(t)) return -1;
    const i = CODE.lastIndex - 1;
    const c = t.charCodeAt(i);
    pos = i + 1;
    if (c === 35 /* # */ || (c === 47 && t.charCodeAt(pos) === 47)) {
      const nl = t.indexOf("\n", pos);
      if (nl < 0) return -1;
      pos = nl + 1;
    } else if (c === 47 /* / */) {
      if (t.charCodeAt(pos) === 42 /* * */) {
        const end = t.indexOf("*/", pos + 1);
        if (end < 0) return -1;
        pos = end + 2;
      }
    } else if (c === 123 /* { */ || c === 40 /* ( */ || c === 91 /* [ */)
      stack.push(c === 123 ? "}" : c === 40 ? ")" : "]");
    else if (c === 34 /* " */) pos = pastString(t, i, stack);
    else {
      pos = pastEnclosing(t, c, i, stack);
      // Only the block's own `}` empties the stack (an interpolation's pops its own entry, above it).
      if (pos >= 0 && stack.size === 0) return pos;
    }
    if (pos < 0 || stack.size > MAX_NESTING) return -1;
  }
}

/**
 * Past the bracket, quote or heredoc introduction at `i` (`c`, its code): an opening bracket is pushed on
 * `stack`, a closing one must match the top (a `}` may close an interpolation, and the string or heredoc it is
 * in is then read on), a quoted string or heredoc is read to its end or to an interpolation it opens (pushed).
 * Where the scan goes on, or -1 when not understood.
 */
function pastEnclosing(t: string, c: number, i: number, stack: OpenStack): number {
  const pos = i + 1;
  if (c === 40) stack.push(")");
  else if (c === 91) stack.push("]");
  else if (c === 123) stack.push("}");
  else if (c === 41 || c === 93 || c === 125) {
    const want = stack.pop();
    const ch = t[i];
    if (want === ch) return pos;
    if (ch !== "}" || want === undefined) return -1;
    if (want === '"') return quoted(t, pos, stack);
    if (want.startsWith("<<")) return heredoc(t, pos, want.slice(2), false, stack);
    return -1;
  } else if (c === 34) return quoted(t, pos, stack);
  else if (c === 60 /* < */ && t.charCodeAt(pos) === 60) {
    HEREDOC_INTRO.lastIndex = i;
    const h = HEREDOC_INTRO.exec(t);
    if (!h) return -1;
    return heredoc(t, i + h[0].length, h[2] ?? "", true, stack);
  }
  return pos;
}

/**
 * From the quote at `i` to after the string's closing quote, or to inside an interpolation it opens (pushed), as
 * `pastEnclosing`: a string without escapes or sequences (most) is read at once.
 */
function pastString(t: string, i: number, stack: OpenStack): number {
  QUOTED.lastIndex = i + 1;
  if (QUOTED.test(t) && t.charCodeAt(QUOTED.lastIndex - 1) === 34) return QUOTED.lastIndex;
  return quoted(t, i + 1, stack);
}

/** From inside a quoted string to after its closing quote, or to inside an interpolation it opens (pushed). */
function quoted(t: string, from: number, stack: OpenStack): number {
  let pos = from;
  for (;;) {
    QUOTED.lastIndex = pos;
    if (!QUOTED.test(t)) return -1;
    const i = QUOTED.lastIndex - 1;
    const c = t.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c === 92 /* \ */) {
      const e = t.charCodeAt(i + 1);
      if (e === 10 || e === 13 || Number.isNaN(e)) return -1;
      pos = i + 2;
    } else if (c === 10 || c === 13) return -1;
    else {
      const depth = stack.size;
      pos = sequence(t, i, '"', stack);
      if (stack.size > depth) return pos;
    }
  }
}

/**
 * At `$` or `%` in template text: after `$${` / `%%{` (escapes), after `${` / `%{` (a sequence opens:
 * `closer` pushed, the caller returns to expressions), or after the lone character.
 */
function sequence(t: string, i: number, closer: string, stack: OpenStack): number {
  const c = t.charCodeAt(i);
  const d = t.charCodeAt(i + 1);
  if (d === c && t.charCodeAt(i + 2) === 123) return i + 3;
  if (d === 123) {
    stack.push(closer);
    return i + 2;
  }
  return i + 1;
}

/**
 * From inside a heredoc (`lineStart`: at the start of a line) to after its closing marker (a line that is
 * the marker between blanks, newline included, as the parser reads it), or to inside a sequence it opens.
 */
function heredoc(t: string, from: number, marker: string, lineStart: boolean, stack: OpenStack): number {
  let pos = from;
  let atLine = lineStart;
  for (;;) {
    if (atLine) {
      const nl = t.indexOf("\n", pos);
      if (nl < 0) return -1;
      if (mayBeMarkerLine(t, pos, marker)) {
        const line = t.slice(pos, nl);
        if (line.trim() === marker) return pos + line.indexOf(marker) + marker.length;
      }
    }
    HEREDOC_TEXT.lastIndex = pos;
    if (!HEREDOC_TEXT.test(t)) return -1;
    const i = HEREDOC_TEXT.lastIndex - 1;
    const c = t.charCodeAt(i);
    atLine = c === 10;
    if (c === 10) pos = i + 1;
    else if (c === 13) {
      if (t.charCodeAt(i + 1) !== 10) return -1;
      pos = i + 1;
    } else {
      const depth = stack.size;
      pos = sequence(t, i, `<<${marker}`, stack);
      if (stack.size > depth) return pos;
    }
  }
}

/** Blocks nested deeper than this inside a scanned body: the block is parsed instead (the parser has its own limit). */
const MAX_BLOCK_DEPTH = 32;
/** In an attribute's expression: what opens or closes something, and line ends (which end it outside brackets). */
const EXPR_CODE = /["#/{}()[\]<\r\n]/g;

/**
 * The body of the block whose `{` is at `open`, as `parseTopBlock` gives it, without parsing its expressions:
 * each attribute's expression is found by its extent (`exprStart`/`exprEnd`, the parser's offsets: from its
 * first character to the end of its last, blanks and a comment after it excluded) and parsed when evaluation
 * first reads it (`exprTree` in `module.ts`), which checks that the parser ends it there too. Nested blocks are
 * scanned the same way. Undefined for anything not fully understood (as `scanTopLevel`, and a one-line block, a
 * block comment after an expression, blocks nested past `MAX_BLOCK_DEPTH`): the block is then parsed.
 */
export function scanBody(text: string, open: number): HclBody | undefined {
  return body(text, open + 1, 0)?.body;
}

function body(t: string, from: number, depth: number): { body: HclBody; end: number } | undefined {
  const out: HclBody = { attributes: [], blocks: [] };
  let pos = from;
  for (;;) {
    BETWEEN.lastIndex = pos;
    BETWEEN.test(t);
    pos = BETWEEN.lastIndex;
    if (pos >= t.length) return undefined;
    if (t.charCodeAt(pos) === 125 /* } */) return { body: out, end: pos + 1 };
    const nameStart = pos;
    const n = name(t, pos);
    if (n === undefined) return undefined;
    pos = inline(t, pos + n.length);
    if (t.charCodeAt(pos) === 61 /* = */ && t.charCodeAt(pos + 1) !== 61) {
      const exprStart = inline(t, pos + 1);
      if (atLineEnd(t, exprStart)) return undefined;
      const exprEnd = expressionEnd(t, exprStart);
      if (exprEnd < 0) return undefined;
      out.attributes.push({ name: n, nameStart, exprStart, exprEnd, checked: true, scanned: true });
      pos = exprEnd;
      continue;
    }
    const block = nested(t, n, nameStart, pos, depth);
    if (!block) return undefined;
    out.blocks.push(block);
    pos = block.end;
  }
}

/** A block inside a body, from after its type (`pos`): labels, `{`, a body on the following lines, `}` ending its line. */
function nested(t: string, type: string, typeStart: number, from: number, depth: number): HclBlock | undefined {
  if (depth >= MAX_BLOCK_DEPTH) return undefined;
  const labels: HclLabel[] = [];
  let pos = from;
  for (;;) {
    const c = t.charCodeAt(pos);
    if (c === 123 /* { */) break;
    if (c === 34 /* " */) {
      LABEL.lastIndex = pos;
      if (!LABEL.test(t)) return undefined;
      labels.push({ start: pos, value: t.slice(pos + 1, LABEL.lastIndex - 1) });
      pos = LABEL.lastIndex;
    } else {
      const label = name(t, pos);
      if (label === undefined) return undefined;
      labels.push({ start: pos, value: label });
      pos += label.length;
    }
    pos = inline(t, pos);
  }
  pos = inline(t, pos + 1);
  let inner: HclBody;
  let end: number;
  if (t.charCodeAt(pos) === 125) {
    inner = { attributes: [], blocks: [] };
    end = pos + 1;
  } else {
    if (!atLineEnd(t, pos) || pos >= t.length) return undefined;
    const r = body(t, pos, depth + 1);
    if (!r) return undefined;
    inner = r.body;
    end = r.end;
  }
  if (!atLineEnd(t, inline(t, end))) return undefined;
  return { type, typeStart, labels, body: inner, end };
}

/** Whether a line ends at `pos` (a newline, a line comment, the end of the text), as the parser's `atLineEnd`. */
function atLineEnd(t: string, pos: number): boolean {
  const c = t.charCodeAt(pos);
  return (
    pos >= t.length ||
    c === 10 ||
    (c === 13 && t.charCodeAt(pos + 1) === 10) ||
    c === 35 ||
    (c === 47 && t.charCodeAt(pos + 1) === 47)
  );
}

/**
 * The end of the expression starting at `start` (not at a line end): the first line end or line comment outside
 * brackets, strings and heredocs, blanks before it excluded; -1 when not understood.
 */
function expressionEnd(t: string, start: number): number {
  const stack = EXPRESSION_STACK;
  stack.size = 0;
  let pos = start;
  for (;;) {
    EXPR_CODE.lastIndex = pos;
    if (!EXPR_CODE.test(t)) return -1;
    const i = EXPR_CODE.lastIndex - 1;
    const c = t.charCodeAt(i);
    pos = i + 1;
    if (c === 10 || c === 13) {
      if (c === 13 && t.charCodeAt(pos) !== 10) return -1;
      if (stack.size === 0) return trimmedEnd(t, start, i);
    } else if (c === 35 /* # */ || (c === 47 && t.charCodeAt(pos) === 47)) {
      if (stack.size === 0) return trimmedEnd(t, start, i);
      const nl = t.indexOf("\n", pos);
      if (nl < 0) return -1;
      pos = nl + 1;
    } else if (c === 47 /* / */) {
      if (t.charCodeAt(pos) === 42 /* * */) {
        // After an expression, a block comment would have to be left out of its extent: left to the parser.
        if (stack.size === 0) return -1;
        const end = t.indexOf("*/", pos + 1);
        if (end < 0) return -1;
        pos = end + 2;
      }
    } else if (c === 123 /* { */ || c === 40 /* ( */ || c === 91 /* [ */)
      stack.push(c === 123 ? "}" : c === 40 ? ")" : "]");
    else if (c === 34 /* " */) pos = pastString(t, i, stack);
    else pos = pastEnclosing(t, c, i, stack);
    if (pos < 0 || stack.size > MAX_NESTING) return -1;
  }
}

/** `end` moved back over spaces and tabs, not before `start`. */
function trimmedEnd(t: string, start: number, end: number): number {
  let e = end;
  while (e > start && (t.charCodeAt(e - 1) === 32 || t.charCodeAt(e - 1) === 9)) e--;
  return e;
}
