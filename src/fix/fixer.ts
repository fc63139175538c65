import { LineIndex, type SourceLocation } from "../model/location.js";
import type { Fix, TextEdit } from "../engine/rule.js";

/**
 * Builds fixes (src/engine/rule.ts `Fix`) against the files as they are written. Every builder checks that
 * the source at the model's location says what the model says, and returns undefined otherwise: a value
 * that came through a variable, a template or an expression, or a file that changed since it was parsed,
 * gets no fix. Offsets are UTF-16 code units, as `LineIndex` counts columns.
 */
export interface Fixer {
  /** The text of a file of the project and its line index; undefined when it cannot be read. */
  source(file: string): { text: string; lines: LineIndex } | undefined;
  /** The text of a file `source` has read already; undefined otherwise (nothing is read). */
  sourceRead(file: string): string | undefined;
  /**
   * Replaces a string value written literally at `at` — `"…"`, `'…'`, a JavaScript template literal without
   * substitutions (`` `…` ``) or a YAML plain scalar holding exactly
   * `old` — by `text`, in the same quoting. Undefined when the source holds anything else there, or when
   * `text` cannot be written in that quoting without escapes.
   */
  replaceValue(at: { loc: SourceLocation }, old: string, text: string): Fix | undefined;
  /** Replaces `[start, end)` of a file by `text`. */
  edit(file: string, start: number, end: number, text: string): TextEdit | undefined;
  /** The offsets of a location; undefined when the file cannot be read. */
  offsets(loc: SourceLocation): { start: number; end: number; text: string; lines: LineIndex } | undefined;
}

/** All the fixes or none: one fix whose edits are every part's. */
export function allOf(parts: (Fix | TextEdit | undefined)[]): Fix | undefined {
  const edits: TextEdit[] = [];
  for (const p of parts) {
    if (p === undefined) return undefined;
    if ("edits" in p) edits.push(...p.edits);
    else edits.push(p);
  }
  return edits.length === 0 ? undefined : { edits };
}

/** Characters that would need escaping, or change meaning, inside a quoted literal of JSON, HCL, YAML or a program. */
export const UNSAFE_QUOTED = /["'`\\\n\r\t]|\$\{|%\{/;
/** A YAML plain scalar that stays a plain string: no indicator first, no `: ` / ` #`, no flow characters. */
export const SAFE_PLAIN = /^[A-Za-z0-9_./][^\s#,[\]{}]*$/;

export function createFixer(read: (file: string) => string | undefined): Fixer {
  const cache = new Map<string, { text: string; lines: LineIndex } | undefined>();
  const source = (file: string): { text: string; lines: LineIndex } | undefined => {
    if (!cache.has(file)) {
      const text = read(file);
      cache.set(file, text === undefined ? undefined : { text, lines: new LineIndex(file, text) });
    }
    return cache.get(file);
  };
  const edit = (file: string, start: number, end: number, text: string): TextEdit | undefined => {
    const src = source(file);
    if (!src || start < 0 || end < start || end > src.text.length) return undefined;
    return { file, range: [start, end], loc: src.lines.span(start, end), text };
  };
  const offsets = (loc: SourceLocation): { start: number; end: number; text: string; lines: LineIndex } | undefined => {
    const src = source(loc.file);
    if (!src) return undefined;
    const start = src.lines.offset(loc.line, loc.column);
    const end = src.lines.offset(loc.endLine, loc.endColumn);
    if (start < 0 || end < start || end > src.text.length) return undefined;
    return { start, end, text: src.text, lines: src.lines };
  };
  return {
    source,
    sourceRead: (file) => cache.get(file)?.text,
    edit,
    offsets,
    replaceValue(at, old, text) {
      const o = offsets(at.loc);
      if (!o || old === text) return undefined;
      const slice = o.text.slice(o.start, o.end);
      const quote = slice[0];
      if ((quote === '"' || quote === "'" || quote === "`") && slice === `${quote}${old}${quote}`) {
        if (UNSAFE_QUOTED.test(old) || UNSAFE_QUOTED.test(text)) return undefined;
        return allOf([edit(at.loc.file, o.start + 1, o.end - 1, text)]);
      }
      // A YAML plain scalar (the location covers the scalar itself).
      if (slice === old && SAFE_PLAIN.test(old) && SAFE_PLAIN.test(text) && !/: /.test(text))
        return allOf([edit(at.loc.file, o.start, o.end, text)]);
      return undefined;
    },
  };
}
