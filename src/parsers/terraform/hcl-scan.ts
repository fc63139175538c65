import { HEREDOC_INTRO, mayBeMarkerLine } from "./hcl-expression.js";
import type { HclLabel } from "./hcl-body.js";

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

export function scanTopLevel(text: string): TopBlock[] | undefined {
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
    const labels: HclLabel[] = [];
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 34 /* " */) {
        LABEL.lastIndex = pos;
        if (!LABEL.test(text)) return undefined;
        labels.push({ start: pos, value: text.slice(pos + 1, LABEL.lastIndex - 1) });
        pos = LABEL.lastIndex;
      } else if (c === 123 /* { */) break;
      else {
        const label = name(text, pos);
        if (label === undefined) return undefined;
        labels.push({ start: pos, value: label });
        pos += label.length;
      }
      pos = inline(text, pos);
    }
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
    blocks.push({ type, typeStart, labels });
  }
}

/** An ASCII name at `pos` (not followed by a non-ASCII character, which may continue it). */
function name(text: string, pos: number): string | undefined {
  NAME.lastIndex = pos;
  if (!NAME.test(text) || text.charCodeAt(NAME.lastIndex) > 127) return undefined;
  return text.slice(pos, NAME.lastIndex);
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
function skipBody(t: string, open: number): number {
  const stack: string[] = ["}"];
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
    } else if (c === 40) stack.push(")");
    else if (c === 91) stack.push("]");
    else if (c === 123) stack.push("}");
    else if (c === 41 || c === 93 || c === 125) {
      const want = stack.pop();
      const ch = t[i];
      if (want === ch) {
        if (stack.length === 0) return pos;
      } else if (ch !== "}" || want === undefined) return -1;
      else if (want === '"') pos = quoted(t, pos, stack);
      else if (want.startsWith("<<")) pos = heredoc(t, pos, want.slice(2), false, stack);
      else return -1;
    } else if (c === 34) pos = quoted(t, pos, stack);
    else if (c === 60 /* < */ && t.charCodeAt(pos) === 60) {
      HEREDOC_INTRO.lastIndex = i;
      const h = HEREDOC_INTRO.exec(t);
      if (!h) return -1;
      pos = heredoc(t, i + h[0].length, h[2] ?? "", true, stack);
    }
    if (pos < 0 || stack.length > MAX_NESTING) return -1;
  }
}

/** From inside a quoted string to after its closing quote, or to inside an interpolation it opens (pushed). */
function quoted(t: string, from: number, stack: string[]): number {
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
      const depth = stack.length;
      pos = sequence(t, i, '"', stack);
      if (stack.length > depth) return pos;
    }
  }
}

/**
 * At `$` or `%` in template text: after `$${` / `%%{` (escapes), after `${` / `%{` (a sequence opens:
 * `closer` pushed, the caller returns to expressions), or after the lone character.
 */
function sequence(t: string, i: number, closer: string, stack: string[]): number {
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
function heredoc(t: string, from: number, marker: string, lineStart: boolean, stack: string[]): number {
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
      const depth = stack.length;
      pos = sequence(t, i, `<<${marker}`, stack);
      if (stack.length > depth) return pos;
    }
  }
}
