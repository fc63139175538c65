import type { RE2JS } from "re2js";

/**
 * Terraform's regular expressions (`regex`, `regexall`, `replace` with `/…/`) are Go's `regexp`: RE2
 * syntax, matched in linear time. `re2js` is the pure-JavaScript port of RE2 (no native code, no
 * WebAssembly); it is imported (`loadRegexEngine`, ≈ 8 ms of a cold run with its first compilation) when
 * evaluation first meets a pattern it needs for, so runs without one never load it (most modules that name a
 * regular-expression function never evaluate one). Evaluation is synchronous: a pattern met without the engine
 * loaded throws `RegexEngineNeeded`, and the caller loads the engine and evaluates that group of modules again.
 * JavaScript's own `RegExp` must not be used: it backtracks (`/(a+)+$/` takes time exponential in the input)
 * and its syntax differs.
 *
 * The simplest patterns need no engine (`simplePattern`): a literal (`-`, `\.`), or one character or class
 * repeated (`:+`, `[^a-zA-Z0-9]+`, `\s+`), as modules write them to test for a `:` in a subject or to clean a
 * name. Their leftmost-first match is found by a scan of the text; test/terraform-regex.test.ts compares them with
 * the engine's on random patterns and texts.
 */
let engine: typeof RE2JS | undefined;

/** Thrown by `compileRegex` before `loadRegexEngine` has finished. */
export class RegexEngineNeeded extends Error {
  constructor() {
    super("the regular expression engine is not loaded");
  }
}

export async function loadRegexEngine(): Promise<void> {
  engine ??= (await import("re2js")).RE2JS;
}

/** Whether the engine has been loaded in this process. */
export function regexEngineLoaded(): boolean {
  return engine !== undefined;
}

/** A compiled pattern: its capture groups, and the matches in a text from a position on. */
export interface Regex {
  groupCount: number;
  /** Named groups by name (their index). */
  names: Record<string, number>;
  /** The first match in `text` at or after `from`, if any (`finder` is made once per text). */
  finder(text: string): (from: number) => Match | undefined;
}

export type Compiled = { re: Regex } | { error: string };

/** Longest pattern accepted: RE2 compiles in time and memory proportional to the pattern. */
const MAX_PATTERN = 10_000;

export function compileRegex(pattern: string): Compiled {
  if (pattern.length > MAX_PATTERN)
    return { error: `a regular expression longer than ${String(MAX_PATTERN)} characters` };
  const simple = simplePattern(pattern);
  if (simple) return { re: simple };
  return engineRegex(pattern);
}

/** `compileRegex` by the engine whatever the pattern (the simple patterns are tested against it). */
export function engineRegex(pattern: string): Compiled {
  if (!engine) throw new RegexEngineNeeded();
  let re: RE2JS;
  try {
    re = engine.compile(pattern);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
  const groupCount = re.groupCount();
  return {
    re: {
      groupCount,
      names: re.namedGroups(),
      finder(text) {
        const m = re.matcher(text);
        return (from) => {
          if (!m.find(from)) return undefined;
          const groups: (string | null)[] = [];
          for (let i = 0; i <= groupCount; i++) groups.push(m.group(i));
          return { start: m.start(), end: m.end(), groups };
        };
      },
    },
  };
}

/** Characters that mean something in RE2 syntax outside a class; any other ASCII character stands for itself. */
const META = "\\.+*?()|[]{}^$";
/** Surrogates: a text holding one is left to the engine (it reads code points; the scan reads code units). */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * The pattern as a literal or a repeated class, when it is one (see the comment at the top); undefined for
 * anything else, which the engine compiles (or refuses). Only printable ASCII is read here.
 */
function simplePattern(pattern: string): Regex | undefined {
  if (!/^[\x20-\x7e]+$/.test(pattern)) return undefined;
  if (pattern.endsWith("+") && !pattern.endsWith("\\+")) {
    const set = classOf(pattern.slice(0, -1));
    return set && scanned(pattern, (text) => runFinder(text, set));
  }
  let literal = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === "\\") {
      const next = pattern.charAt(++i);
      if (!isPunctuation(next)) return undefined;
      literal += next;
    } else if (META.includes(c)) return undefined;
    else literal += c;
  }
  return scanned(pattern, (text) => (from) => {
    const start = text.indexOf(literal, from);
    return start < 0 ? undefined : { start, end: start + literal.length, groups: [literal] };
  });
}

/** A simple pattern's `Regex`: a text with surrogates goes to the engine. */
function scanned(pattern: string, scan: (text: string) => (from: number) => Match | undefined): Regex {
  return {
    groupCount: 0,
    names: {},
    finder(text) {
      if (!SURROGATE.test(text)) return scan(text);
      const compiled = engineRegex(pattern);
      if ("error" in compiled) throw new Error(`the engine refused a pattern read as simple: ${compiled.error}`);
      return compiled.re.finder(text);
    },
  };
}

/** The first run of characters of `set` at or after a position, whole (a greedy `x+`). */
function runFinder(text: string, set: (c: number) => boolean): (from: number) => Match | undefined {
  return (from) => {
    let start = from;
    while (start < text.length && !set(text.charCodeAt(start))) start++;
    if (start >= text.length) return undefined;
    let end = start + 1;
    while (end < text.length && set(text.charCodeAt(end))) end++;
    return { start, end, groups: [text.slice(start, end)] };
  };
}

/** ASCII punctuation: RE2 reads `\` before one as that character. */
function isPunctuation(c: string): boolean {
  return /^[!-/:-@[-`{-~]$/.test(c);
}

/** RE2's Perl classes (ASCII only, as in Go). */
const PERL: Record<string, (c: number) => boolean> = {
  d: (c) => c >= 48 && c <= 57,
  s: (c) => c === 9 || c === 10 || c === 12 || c === 13 || c === 32,
  w: (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95,
};

/**
 * The characters one atom matches: a character, `\` and a punctuation character, `.` (all but a line feed),
 * `\d`, `\s`, `\w` and their negations, or a class `[…]` of characters, escaped punctuation and ranges
 * (`^` first negates it). Undefined for anything else (a POSIX or Unicode class, a flag, `]` or `-` where RE2
 * reads them otherwise).
 */
function classOf(atom: string): ((c: number) => boolean) | undefined {
  if (atom.length === 1) {
    const c = atom.charCodeAt(0);
    if (atom === ".") return (x) => x !== 10;
    return META.includes(atom) ? undefined : (x) => x === c;
  }
  if (atom.length === 2 && atom.charAt(0) === "\\") {
    const e = atom.charAt(1);
    if (isPunctuation(e)) {
      const c = e.charCodeAt(0);
      return (x) => x === c;
    }
    const perl = PERL[e.toLowerCase()];
    if (!perl) return undefined;
    return e === e.toLowerCase() ? perl : (x) => !perl(x);
  }
  if (!atom.startsWith("[") || !atom.endsWith("]")) return undefined;
  let i = 1;
  const negated = atom.charAt(1) === "^";
  if (negated) i++;
  const end = atom.length - 1;
  // `]` first is a member in RE2, `[]` and `[^]` are errors: left to the engine.
  if (i >= end || atom.charAt(i) === "]") return undefined;
  const ranges: number[] = [];
  while (i < end) {
    const lo = classChar(atom, i, end);
    if (!lo) return undefined;
    i = lo.next;
    if (atom.charAt(i) === "-" && i + 1 < end) {
      const hi = classChar(atom, i + 1, end);
      if (!hi || hi.code < lo.code) return undefined;
      ranges.push(lo.code, hi.code);
      i = hi.next;
    } else ranges.push(lo.code, lo.code);
  }
  const inside = (x: number): boolean => {
    for (let r = 0; r < ranges.length; r += 2)
      if (x >= (ranges[r] as number) && x <= (ranges[r + 1] as number)) return true;
    return false;
  };
  return negated ? (x) => !inside(x) : inside;
}

/** One member character of a class at `i`: plain (not `[`, `]` or `\`) or `\` and punctuation. */
function classChar(atom: string, i: number, end: number): { code: number; next: number } | undefined {
  const c = atom.charAt(i);
  if (c === "\\") {
    const e = atom.charAt(i + 1);
    return i + 1 < end && isPunctuation(e) ? { code: e.charCodeAt(0), next: i + 2 } : undefined;
  }
  // `[` may open a POSIX class (`[:alpha:]`), `-` first or last stands for itself only where RE2 agrees.
  if (
    c === "[" ||
    c === "]" ||
    (c === "-" && i !== end - 1 && atom.charAt(i - 1) !== "[" && atom.charAt(i - 1) !== "^")
  )
    return undefined;
  return { code: c.charCodeAt(0), next: i + 1 };
}

export interface Match {
  start: number;
  end: number;
  /** Group texts by index (0 is the whole match); null for a group that did not take part. */
  groups: (string | null)[];
}

/**
 * Successive non-overlapping matches, as Go finds them: an empty match right after the previous match
 * is skipped. `limit` bounds how many are returned.
 */
export function allMatches(re: Regex, text: string, limit: number): Match[] {
  const find = re.finder(text);
  const out: Match[] = [];
  let pos = 0;
  let prevEnd = -1;
  while (pos <= text.length && out.length < limit) {
    const m = find(pos);
    if (!m) break;
    const { start, end } = m;
    if (start === end && start === prevEnd) {
      pos = start + (isHighSurrogate(text.charCodeAt(start)) ? 2 : 1);
      continue;
    }
    out.push(m);
    prevEnd = end;
    pos = end > start ? end : end + (isHighSurrogate(text.charCodeAt(end)) ? 2 : 1);
  }
  return out;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** Go's `Regexp.Expand` of a replacement: `$1`, `${1}`, `$name`, `${name}`, `$$`; an unknown name is empty. */
export function expand(template: string, match: Match, names: Record<string, number>): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template.charAt(i);
    if (c !== "$") {
      out += c;
      continue;
    }
    const next = template[i + 1];
    if (next === "$") {
      out += "$";
      i++;
      continue;
    }
    let name: string | undefined;
    if (next === "{") {
      const close = template.indexOf("}", i + 2);
      const inner = close < 0 ? "" : template.slice(i + 2, close);
      if (close >= 0 && /^\w+$/.test(inner)) {
        name = inner;
        i = close;
      }
    } else {
      const word = /^\w+/.exec(template.slice(i + 1))?.[0];
      if (word) {
        name = word;
        i += word.length;
      }
    }
    if (name === undefined) {
      out += "$";
      continue;
    }
    const index = /^\d+$/.test(name) ? Number(name) : names[name];
    out += index === undefined ? "" : (match.groups[index] ?? "");
  }
  return out;
}

/** Every match of `re` in `text` replaced by `template` expanded (Go's `ReplaceAllString`). */
export function replaceAll(re: Regex, text: string, template: string): string {
  const names = re.names;
  let out = "";
  let last = 0;
  for (const m of allMatches(re, text, Number.MAX_SAFE_INTEGER)) {
    out += text.slice(last, m.start) + expand(template, m, names);
    last = m.end;
  }
  return out + text.slice(last);
}
