/**
 * Path globs for `ignore` and `overrides.files`: `**` (any directories), `*` (within one segment), `?`,
 * `{a,b}` and `[...]` classes (`[!...]` negates). A pattern without `/` matches the basename anywhere, as
 * in `.gitignore`; a pattern that matches a directory matches everything below it.
 *
 * Globs come from the repository's config, which a pull request can change: they are compiled to a small
 * automaton and run state set by state set (cost: pattern length × path length, never backtracking),
 * and a malformed class (`[z-a]`) is a `GlobError`, which config loading reports as a config error.
 */
export class GlobError extends Error {}

/** A test of one character (a code point). */
export type Test = (c: string) => boolean;

interface State {
  edges: { test: Test; to: number }[];
  eps: number[];
}

export const ANY: Test = () => true;
export const NOT_SLASH: Test = (c) => c !== "/";
const SLASH: Test = (c) => c === "/";

class Nfa {
  readonly states: State[] = [];
  add(): number {
    return this.states.push({ edges: [], eps: [] }) - 1;
  }
  edge(from: number, test: Test, to: number): void {
    this.states[from]?.edges.push({ test, to });
  }
  eps(from: number, to: number): void {
    this.states[from]?.eps.push(to);
  }
  /** `(?:.*\/)?` from `from`: returns the state after it. */
  anyDirs(from: number): number {
    const next = this.add();
    const loop = this.add();
    this.eps(from, next);
    this.eps(from, loop);
    this.edge(loop, ANY, loop);
    this.edge(loop, SLASH, next);
    return next;
  }
  /** A state that loops on `test`, reached from `from` without a character. */
  star(from: number, test: Test): number {
    const loop = this.add();
    this.eps(from, loop);
    this.edge(loop, test, loop);
    return loop;
  }
  literal(from: number, text: string): number {
    let cur = from;
    for (const ch of text) {
      const next = this.add();
      this.edge(cur, (c) => c === ch, next);
      cur = next;
    }
    return cur;
  }
}

/** `[...]` body → a test of one character (never `/`). */
function classTest(body: string, glob: string): Test {
  const negated = body.startsWith("!") || body.startsWith("^");
  const chars = Array.from(negated ? body.slice(1) : body);
  const ranges: [string, string][] = [];
  for (let i = 0; i < chars.length; i++) {
    let lo = chars[i] ?? "";
    if (lo === "\\" && i + 1 < chars.length) lo = chars[++i] ?? "";
    if (chars[i + 1] === "-" && i + 2 < chars.length) {
      let hi = chars[i + 2] ?? "";
      i += 2;
      if (hi === "\\" && i + 1 < chars.length) hi = chars[++i] ?? "";
      if ((lo.codePointAt(0) ?? 0) > (hi.codePointAt(0) ?? 0))
        throw new GlobError(`character range ${lo}-${hi} is out of order in "${glob}"`);
      ranges.push([lo, hi]);
    } else ranges.push([lo, lo]);
  }
  return (c) => c !== "/" && ranges.some(([lo, hi]) => c >= lo && c <= hi) !== negated;
}

/** Compiles a glob to a path test. Throws `GlobError` on a malformed class. */
export function compileGlob(glob: string): (path: string) => boolean {
  return compileGlobs([glob]);
}

/** Compiles globs to one test of "any of them" (one automaton for all). Throws `GlobError` on a malformed class. */
function compileGlobs(globs: readonly string[]): (path: string) => boolean {
  const nfa = new Nfa();
  const start = nfa.add();
  const accepting = new Set<number>();
  for (const glob of globs) {
    const from = nfa.add();
    nfa.eps(start, from);
    for (const s of addGlob(nfa, from, glob)) accepting.add(s);
  }
  return lazyDfa(nfa, start, accepting);
}

/** Adds one glob's states from `start`; returns its accepting states. */
function addGlob(nfa: Nfa, start: number, glob: string): number[] {
  const g = glob.replace(/^\.\//, "").replace(/^\//, "");
  let cur = glob.includes("/") ? start : nfa.anyDirs(start);
  let i = 0;
  while (i < g.length) {
    const c = g.charAt(i);
    if (c === "*" && g[i + 1] === "*") {
      const slashAfter = g[i + 2] === "/";
      cur = slashAfter ? nfa.anyDirs(cur) : nfa.star(cur, ANY);
      i += slashAfter ? 3 : 2;
      continue;
    }
    if (c === "*") cur = nfa.star(cur, NOT_SLASH);
    else if (c === "?") {
      const next = nfa.add();
      nfa.edge(cur, NOT_SLASH, next);
      cur = next;
    } else if (c === "{" && g.indexOf("}", i) > i) {
      const end = g.indexOf("}", i);
      const next = nfa.add();
      for (const alt of g.slice(i + 1, end).split(",")) nfa.eps(nfa.literal(cur, alt), next);
      cur = next;
      i = end + 1;
      continue;
    } else if (c === "[" && g.indexOf("]", i + 1) > i + 1) {
      const end = g.indexOf("]", i + 1);
      const next = nfa.add();
      nfa.edge(cur, classTest(g.slice(i + 1, end), glob), next);
      cur = next;
      i = end + 1;
      continue;
    } else cur = nfa.literal(cur, c);
    i++;
  }
  // A matched directory matches everything below it.
  const below = nfa.add();
  nfa.edge(cur, SLASH, below);
  nfa.edge(below, ANY, below);
  return [cur, below];
}

/** One piece of a wildcard pattern whose syntax the caller reads itself (`.gitignore`: src/engine/git-files.ts). */
export type WildcardPiece =
  /** one character passing `test` */
  | { kind: "one"; test: Test }
  /** any run of characters passing `test`, the empty one included */
  | { kind: "star"; test: Test }
  /** no directory or any number of them: `(?:.*\/)?` */
  | { kind: "anyDirs" };

/**
 * A whole-string test for a sequence of pieces, run as the globs are (state set by state set: pattern length ×
 * string length at worst, never backtracking), so that a pattern from the repository (`*a*a*a…b`) cannot stall.
 */
export function compileWildcard(pieces: readonly WildcardPiece[]): (s: string) => boolean {
  const variable = pieces.filter((p) => p.kind !== "one").length;
  if (variable <= 1) return oneVariablePiece(pieces);
  const nfa = new Nfa();
  const start = nfa.add();
  let cur = start;
  for (const piece of pieces) {
    if (piece.kind === "anyDirs") cur = nfa.anyDirs(cur);
    else if (piece.kind === "star") cur = nfa.star(cur, piece.test);
    else {
      const next = nfa.add();
      nfa.edge(cur, piece.test, next);
      cur = next;
    }
  }
  return lazyDfa(nfa, start, new Set([cur]));
}

/**
 * The common patterns (`*.log`, `build/`, `**\/cache`): with at most one piece of variable length, the pieces
 * before it match the start, the pieces after it the end, and what lies between is its own (linear, and
 * cheaper than the automaton's lookups). `s` is matched one UTF-16 unit at a time (git-files gives bytes).
 */
function oneVariablePiece(pieces: readonly WildcardPiece[]): (s: string) => boolean {
  const at = pieces.findIndex((p) => p.kind !== "one");
  const tests = (list: readonly WildcardPiece[]): Test[] => list.map((p) => (p.kind === "one" ? p.test : ANY));
  const matchAt = (s: string, from: number, list: readonly Test[]): boolean => {
    for (let i = 0; i < list.length; i++) if (!list[i]?.(s.charAt(from + i))) return false;
    return true;
  };
  if (at < 0) {
    const all = tests(pieces);
    return (s) => s.length === all.length && matchAt(s, 0, all);
  }
  const head = tests(pieces.slice(0, at));
  const tail = tests(pieces.slice(at + 1));
  const middle = pieces[at] as WildcardPiece;
  return (s) => {
    const end = s.length - tail.length;
    if (end < head.length || !matchAt(s, 0, head) || !matchAt(s, end, tail)) return false;
    // `(?:.*\/)?`: nothing, or anything that ends with a slash.
    if (middle.kind === "anyDirs") return end === head.length || s.charAt(end - 1) === "/";
    if (middle.kind === "star") for (let i = head.length; i < end; i++) if (!middle.test(s.charAt(i))) return false;
    return true;
  };
}

/** A state of the automaton's lazily built deterministic form: one set of NFA states. */
interface DfaState {
  set: Set<number>;
  accepts: boolean;
  /** Successor per character, filled as paths are matched; null: no NFA state survives. */
  next: Map<string, DfaState | null>;
}

/** Beyond this many deterministic states (a hostile glob), steps are computed without being remembered. */
const MAX_DFA_STATES = 4096;

/**
 * The path test: the NFA's state sets, each step remembered per (state set, character), so that the
 * thousands of paths of a discovery cost a map lookup per character (the sets are computed once).
 */
function lazyDfa(nfa: Nfa, start: number, accepting: ReadonlySet<number>): (path: string) => boolean {
  const states = new Map<string, DfaState>();
  const stateOf = (set: Set<number>): DfaState => {
    const key = [...set].sort((a, b) => a - b).join(",");
    let state = states.get(key);
    if (!state) {
      state = { set, accepts: [...set].some((s) => accepting.has(s)), next: new Map() };
      if (states.size < MAX_DFA_STATES) states.set(key, state);
    }
    return state;
  };
  const first = stateOf(closure(nfa, [start]));
  return (path) => {
    let state = first;
    // By index, not `for … of` (the string iterator was most of the cost of checking a discovery's thousands
    // of paths), taking code points as the iterator does: a surrogate pair is one character.
    for (let i = 0; i < path.length;) {
      const high = path.charCodeAt(i);
      const low = path.charCodeAt(i + 1);
      const width = high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
      const ch = width === 1 ? (path[i] ?? "") : path.slice(i, i + 2);
      i += width;
      let next = state.next.get(ch);
      if (next === undefined) {
        const targets: number[] = [];
        for (const s of state.set) for (const e of nfa.states[s]?.edges ?? []) if (e.test(ch)) targets.push(e.to);
        next = targets.length === 0 ? null : stateOf(closure(nfa, targets));
        if (state.next.size < 256) state.next.set(ch, next);
      }
      if (next === null) return false;
      state = next;
    }
    return state.accepts;
  };
}

function closure(nfa: Nfa, from: number[]): Set<number> {
  const set = new Set(from);
  const stack = [...from];
  while (stack.length > 0) {
    const s = stack.pop() ?? 0;
    for (const t of nfa.states[s]?.eps ?? []) {
      if (set.has(t)) continue;
      set.add(t);
      stack.push(t);
    }
  }
  return set;
}

const compiled = new Map<string, (path: string) => boolean>();

function cachedGlob(glob: string): (path: string) => boolean {
  let test = compiled.get(glob);
  if (!test) {
    test = compileGlob(glob);
    compiled.set(glob, test);
  }
  return test;
}

/** One test for many globs (discovery checks thousands of paths against the same list): one automaton. */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  return compileGlobs(globs);
}

export function matchesAny(path: string, globs: readonly string[]): boolean {
  return globs.some((g) => cachedGlob(g)(path));
}
