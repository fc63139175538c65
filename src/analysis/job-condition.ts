/**
 * What a job's `if:` says about the runs that reach the job: for each event, the refs (`github.ref`)
 * it lets through. Shared by `trust-mismatch`, `untrusted-trigger-oidc` and `oidclint explain`.
 *
 * Read: `==` / `!=` between `github.event_name`, `github.ref` or `github.ref_name` and a string;
 * `startsWith(github.ref | github.ref_name, '…')`; `&&`, `||`, `!`, parentheses, `true`/`false`,
 * a whole-condition `${{ }}`. GitHub compares strings ignoring case (`==`, `startsWith`), so does this.
 * Also read, because they say which code a run carries:
 * - `github.event.release.tag_name` (`==`, `startsWith`): on `release` it is the tag of `github.ref`
 *   (`refs/tags/TAG`); on other events it is null, so the test is false;
 * - for `workflow_run`, `github.event.workflow_run.event` (the triggering run's event),
 *   `github.event.workflow_run.head_repository.full_name == github.repository` (same repository) and
 *   `github.event.workflow_run.head_repository.fork`: unknown for an ordinary run, but decided for the
 *   run of fork code (`reachesUntrusted`): event `pull_request`, head repository a fork;
 * - for `pull_request_target` (and `pull_request`), `github.event.pull_request.head.repo.full_name ==
 *   github.repository` (or `== github.event.pull_request.base.repo.full_name`) and
 *   `github.event.pull_request.head.repo.fork`: decided for a fork's pull request (`reachesUntrusted`),
 *   unknown otherwise; off those events the payload has no pull request, so the comparison is false.
 * Anything else (`contains(…)`, `success()`, `inputs.x`, a partial `${{ }}`) is unknown: the job may run.
 * Three-valued evaluation keeps every "never" certain. Several conditions (a job's and a step's `if:`)
 * must all hold.
 */

type Tri = "yes" | "no" | "maybe";

/** The condition reduced to the tests this module reads. Strings are lower-cased, except `ref.written`. */
type Expr =
  | { kind: "event"; name: string }
  | { kind: "refIs"; ref: string; written: string }
  | { kind: "refStarts"; prefix: string; written: string }
  | { kind: "const"; value: boolean }
  /** `github.event.workflow_run.event == name` (lower-cased). */
  | { kind: "runEvent"; name: string }
  /** `github.event.workflow_run.head_repository.full_name == github.repository`. */
  | { kind: "runSameRepo" }
  /** `github.event.workflow_run.head_repository.fork` is true. */
  | { kind: "runFromFork" }
  /** `github.event.pull_request.head.repo.full_name == github.repository`. */
  | { kind: "prSameRepo" }
  /** `github.event.pull_request.head.repo.fork` is true. */
  | { kind: "prFromFork" }
  | { kind: "not"; x: Expr }
  | { kind: "and" | "or"; parts: Expr[] }
  | { kind: "opaque"; text: string };

/**
 * The refs with which a run of one event reaches the job, spelled as the `if:` writes them. GitHub
 * compares ignoring case; callers take the names as spelled (a `V1` tag for `startsWith(…, 'refs/tags/v')`
 * is not relied on).
 */
export type RefRule =
  | { kind: "never" }
  /** Only these refs, and refs starting with `prefixes`. */
  | { kind: "only"; refs: string[]; prefixes: string[] }
  /** Every ref except these (empty lists: the `if:` does not restrict refs). */
  | { kind: "except"; refs: string[]; prefixes: string[] };

export interface JobCondition {
  /** The refs a run of `event` can have and still reach the job. */
  refsFor(event: string): RefRule;
  /** Whether a run of `event` reaches the job: `yes` for some ref, `no` never, `maybe` cannot tell. */
  reaches(event: string): Tri;
  /**
   * Like `reaches`, for the run that carries outsiders' code: for `workflow_run`, one triggered by a
   * `pull_request` from a fork. Other events: as `reaches`.
   */
  reachesUntrusted(event: string): Tri;
  /** The `if:` reads `github.event_name` in a form this module does not evaluate. */
  opaqueEventTest: boolean;
}

// ---------------------------------------------------------------------------------------------
// Parsing

type Token = { t: "str"; v: string } | { t: "word"; v: string } | { t: "op"; v: string } | { t: "num"; v: string };

function tokenize(text: string): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'" || ch === '"') {
      // Single quotes are GitHub's (`''` escapes one); double quotes are read leniently.
      let v = "";
      let j = i + 1;
      for (;;) {
        if (j >= text.length) return undefined;
        const c = text.charAt(j);
        if (c === ch) {
          if (ch === "'" && text.charAt(j + 1) === "'") {
            v += "'";
            j += 2;
            continue;
          }
          break;
        }
        v += c;
        j++;
      }
      out.push({ t: "str", v });
      i = j + 1;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (["==", "!=", "&&", "||", "<=", ">="].includes(two)) {
      out.push({ t: "op", v: two });
      i += 2;
      continue;
    }
    if ("!()<>[],.*".includes(ch)) {
      out.push({ t: "op", v: ch });
      i++;
      continue;
    }
    const num = /^-?(?:0x[0-9a-f]+|\d+(?:\.\d+)?(?:e[+-]?\d+)?)/i.exec(text.slice(i));
    if (num && !/[A-Za-z_]/.test(text.charAt(i + num[0].length))) {
      out.push({ t: "num", v: num[0] });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i));
    if (!word) return undefined;
    out.push({ t: "word", v: word[0] });
    i += word[0].length;
  }
  return out;
}

/** Parsed operands: a context path (`github.ref`), a string, or a reduced test. */
type Operand =
  | { kind: "path"; path: string; text: string }
  | { kind: "string"; value: string; text: string }
  | { kind: "expr"; expr: Expr; text: string };

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Expr | undefined {
    const e = this.or();
    if (!e || this.i !== this.tokens.length) return undefined;
    return asExpr(e);
  }

  private peek(v: string): boolean {
    const t = this.tokens[this.i];
    return t?.t === "op" && t.v === v;
  }

  private take(v: string): boolean {
    if (!this.peek(v)) return false;
    this.i++;
    return true;
  }

  private or(): Operand | undefined {
    const first = this.and();
    if (!first) return undefined;
    const parts = [first];
    while (this.take("||")) {
      const next = this.and();
      if (!next) return undefined;
      parts.push(next);
    }
    if (parts.length === 1) return first;
    return {
      kind: "expr",
      expr: { kind: "or", parts: parts.map(asExpr) },
      text: parts.map((p) => p.text).join(" || "),
    };
  }

  private and(): Operand | undefined {
    const first = this.equality();
    if (!first) return undefined;
    const parts = [first];
    while (this.take("&&")) {
      const next = this.equality();
      if (!next) return undefined;
      parts.push(next);
    }
    if (parts.length === 1) return first;
    return {
      kind: "expr",
      expr: { kind: "and", parts: parts.map(asExpr) },
      text: parts.map((p) => p.text).join(" && "),
    };
  }

  private equality(): Operand | undefined {
    let left: Operand | undefined = this.relational();
    if (!left) return undefined;
    for (;;) {
      const op = this.take("==") ? "==" : this.take("!=") ? "!=" : undefined;
      if (!op) return left;
      const right = this.relational();
      if (!right) return undefined;
      const test = compare(left, right);
      const text: string = `${left.text} ${op} ${right.text}`;
      left = { kind: "expr", expr: op === "==" ? test : { kind: "not", x: test }, text };
    }
  }

  private relational(): Operand | undefined {
    let left: Operand | undefined = this.unary();
    if (!left) return undefined;
    for (;;) {
      const op = ["<", "<=", ">", ">="].find((o) => this.take(o));
      if (!op) return left;
      const right = this.unary();
      if (!right) return undefined;
      const text: string = `${left.text} ${op} ${right.text}`;
      left = { kind: "expr", expr: { kind: "opaque", text }, text };
    }
  }

  private unary(): Operand | undefined {
    if (this.take("!")) {
      const x = this.unary();
      if (!x) return undefined;
      return { kind: "expr", expr: { kind: "not", x: asExpr(x) }, text: `!${x.text}` };
    }
    return this.postfix();
  }

  private postfix(): Operand | undefined {
    let base: Operand | undefined = this.primary();
    if (!base) return undefined;
    for (;;) {
      if (this.take(".")) {
        const t = this.tokens[this.i];
        if (t?.t === "word") {
          this.i++;
          base =
            base.kind === "path"
              ? { kind: "path", path: `${base.path}.${t.v.toLowerCase()}`, text: `${base.text}.${t.v}` }
              : opaque(`${base.text}.${t.v}`);
        } else if (this.take("*")) base = opaque(`${base.text}.*`);
        else return undefined;
        continue;
      }
      if (this.take("[")) {
        const index = this.or();
        if (!index || !this.take("]")) return undefined;
        base =
          base.kind === "path" && index.kind === "string"
            ? { kind: "path", path: `${base.path}.${index.value.toLowerCase()}`, text: `${base.text}[${index.text}]` }
            : opaque(`${base.text}[${index.text}]`);
        continue;
      }
      return base;
    }
  }

  private primary(): Operand | undefined {
    const t = this.tokens[this.i];
    if (!t) return undefined;
    if (t.t === "op" && t.v === "(") {
      this.i++;
      const inner = this.or();
      if (!inner || !this.take(")")) return undefined;
      return { ...inner, text: `(${inner.text})` };
    }
    if (t.t === "str") {
      this.i++;
      return { kind: "string", value: t.v, text: `'${t.v}'` };
    }
    if (t.t === "num") {
      this.i++;
      return opaque(t.v);
    }
    if (t.t !== "word") return undefined;
    this.i++;
    const word = t.v;
    if (this.take("(")) {
      const args: Operand[] = [];
      if (!this.take(")")) {
        for (;;) {
          const a = this.or();
          if (!a) return undefined;
          args.push(a);
          if (this.take(")")) break;
          if (!this.take(",")) return undefined;
        }
      }
      const text = `${word}(${args.map((a) => a.text).join(", ")})`;
      return { kind: "expr", expr: call(word.toLowerCase(), args, text), text };
    }
    const lower = word.toLowerCase();
    if (lower === "true" || lower === "false")
      return { kind: "expr", expr: { kind: "const", value: lower === "true" }, text: word };
    if (lower === "null") return opaque(word);
    return { kind: "path", path: lower, text: word };
  }
}

function opaque(text: string): Operand {
  return { kind: "expr", expr: { kind: "opaque", text }, text };
}

const RUN = "github.event.workflow_run.";
const RUN_FORK = `${RUN}head_repository.fork`;
const RUN_REPO = `${RUN}head_repository.full_name`;
const RELEASE_TAG = "github.event.release.tag_name";
const PR = "github.event.pull_request.";
const PR_FORK = `${PR}head.repo.fork`;
const PR_REPO = `${PR}head.repo.full_name`;
const PR_BASE_REPOS = new Set(["github.repository", `${PR}base.repo.full_name`]);

function asExpr(o: Operand): Expr {
  if (o.kind === "expr") return o.expr;
  if (o.kind === "path" && o.path === RUN_FORK) return { kind: "runFromFork" };
  if (o.kind === "path" && o.path === PR_FORK) return { kind: "prFromFork" };
  return { kind: "opaque", text: o.text };
}

/** `release` runs have `github.ref` = `refs/tags/` + the release's tag; other events have no release. */
function onRelease(test: Expr): Expr {
  return { kind: "and", parts: [{ kind: "event", name: "release" }, test] };
}

/** `github.ref_name` is the ref without `refs/heads/`, `refs/tags/` or `refs/pull/` (`5/merge`). */
const REF_NAME_BASES = ["refs/heads/", "refs/tags/", "refs/pull/"];

function compare(a: Operand, b: Operand): Expr {
  if (a.kind === "string" && b.kind === "string")
    return { kind: "const", value: a.value.toLowerCase() === b.value.toLowerCase() };
  const pair =
    a.kind === "path" && b.kind === "string"
      ? { path: a, str: b }
      : b.kind === "path" && a.kind === "string"
        ? { path: b, str: a }
        : undefined;
  const text = `${a.text} == ${b.text}`;
  if (a.kind === "path" && b.kind === "path") {
    const paths = new Set([a.path, b.path]);
    if (paths.has(RUN_REPO) && paths.has("github.repository")) return { kind: "runSameRepo" };
    if (paths.has(PR_REPO) && [...paths].some((p) => PR_BASE_REPOS.has(p))) return { kind: "prSameRepo" };
    return { kind: "opaque", text };
  }
  // `…head_repository.fork == false` / `== true`, `…head.repo.fork == false`.
  for (const [path, kind] of [
    [RUN_FORK, "runFromFork"],
    [PR_FORK, "prFromFork"],
  ] as const) {
    const forkTest = a.kind === "path" && a.path === path ? b : b.kind === "path" && b.path === path ? a : undefined;
    if (forkTest?.kind === "expr" && forkTest.expr.kind === "const")
      return forkTest.expr.value ? { kind } : { kind: "not", x: { kind } };
  }
  if (!pair) return { kind: "opaque", text };
  const { path, str } = pair;
  switch (path.path) {
    case "github.event_name":
      return { kind: "event", name: str.value.toLowerCase() };
    case "github.ref":
      return { kind: "refIs", ref: str.value.toLowerCase(), written: str.value };
    case "github.ref_name":
      return {
        kind: "or",
        parts: REF_NAME_BASES.map((base) => ({
          kind: "refIs",
          ref: `${base}${str.value}`.toLowerCase(),
          written: `${base}${str.value}`,
        })),
      };
    case RELEASE_TAG:
      return onRelease({
        kind: "refIs",
        ref: `refs/tags/${str.value}`.toLowerCase(),
        written: `refs/tags/${str.value}`,
      });
    case `${RUN}event`:
      return { kind: "runEvent", name: str.value.toLowerCase() };
    default:
      return { kind: "opaque", text };
  }
}

function call(name: string, args: Operand[], text: string): Expr {
  const [subject, prefix] = args;
  if (name === "startswith" && args.length === 2 && subject?.kind === "path" && prefix?.kind === "string") {
    const p = prefix.value;
    if (subject.path === "github.ref") return { kind: "refStarts", prefix: p.toLowerCase(), written: p };
    if (subject.path === "github.ref_name")
      return {
        kind: "or",
        parts: REF_NAME_BASES.map((base) => ({
          kind: "refStarts",
          prefix: `${base}${p}`.toLowerCase(),
          written: `${base}${p}`,
        })),
      };
    if (subject.path === RELEASE_TAG)
      return onRelease({ kind: "refStarts", prefix: `refs/tags/${p}`.toLowerCase(), written: `refs/tags/${p}` });
  }
  return { kind: "opaque", text };
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** A class of refs: one named in the condition, the others starting with a prefix it names, or the rest. */
type RefClass = { kind: "literal"; ref: string } | { kind: "prefixed"; prefix: string } | { kind: "other" };

function not(t: Tri): Tri {
  return t === "yes" ? "no" : t === "no" ? "yes" : "maybe";
}

/** `any`: some run of the event; `untrusted`: a `workflow_run` of a fork's `pull_request` run, a fork's pull request. */
type Scenario = "any" | "untrusted";

function evaluate(e: Expr, event: string, ref: RefClass, scenario: Scenario): Tri {
  const runFacts = event === "workflow_run" ? scenario : undefined;
  const prFacts = event === "pull_request_target" || event === "pull_request" ? scenario : undefined;
  switch (e.kind) {
    case "const":
      return e.value ? "yes" : "no";
    // Without a `workflow_run` payload these are null: `null == 'push'` and `null == github.repository` are false.
    case "runEvent":
      return runFacts === undefined
        ? "no"
        : runFacts === "untrusted"
          ? e.name === "pull_request"
            ? "yes"
            : "no"
          : "maybe";
    case "runSameRepo":
      return runFacts === undefined ? "no" : runFacts === "untrusted" ? "no" : "maybe";
    // `null == false` holds in GitHub's expressions: off `workflow_run`, no claim.
    case "runFromFork":
      return runFacts === "untrusted" ? "yes" : "maybe";
    case "prSameRepo":
      return prFacts === undefined ? "no" : prFacts === "untrusted" ? "no" : "maybe";
    case "prFromFork":
      return prFacts === "untrusted" ? "yes" : "maybe";
    case "event":
      return e.name === event ? "yes" : "no";
    case "refIs":
      return ref.kind === "literal" && ref.ref === e.ref ? "yes" : "no";
    case "refStarts":
      if (ref.kind === "literal") return ref.ref.startsWith(e.prefix) ? "yes" : "no";
      if (ref.kind === "prefixed")
        return ref.prefix.startsWith(e.prefix) ? "yes" : e.prefix.startsWith(ref.prefix) ? "maybe" : "no";
      return "no";
    case "not":
      return not(evaluate(e.x, event, ref, scenario));
    case "and": {
      const r = e.parts.map((p) => evaluate(p, event, ref, scenario));
      return r.includes("no") ? "no" : r.includes("maybe") ? "maybe" : "yes";
    }
    case "or": {
      const r = e.parts.map((p) => evaluate(p, event, ref, scenario));
      return r.includes("yes") ? "yes" : r.includes("maybe") ? "maybe" : "no";
    }
    case "opaque":
      return "maybe";
  }
}

function collect(e: Expr, out: { refs: Map<string, string>; prefixes: Map<string, string>; opaque: string[] }): void {
  switch (e.kind) {
    case "refIs":
      if (!out.refs.has(e.ref)) out.refs.set(e.ref, e.written);
      return;
    case "refStarts":
      if (!out.prefixes.has(e.prefix)) out.prefixes.set(e.prefix, e.written);
      return;
    case "not":
      collect(e.x, out);
      return;
    case "and":
    case "or":
      for (const p of e.parts) collect(p, out);
      return;
    case "opaque":
      out.opaque.push(e.text);
      return;
    default:
      return;
  }
}

/** `${{ … }}` around the whole condition; a condition with `${{` elsewhere is not read. */
function unwrap(text: string): string | undefined {
  const t = text.trim();
  const m = /^\$\{\{([\s\S]*)\}\}$/.exec(t);
  if (m) return m[1]?.includes("${{") || m[1]?.includes("}}") ? undefined : m[1];
  return t.includes("${{") ? undefined : t;
}

/** One `if:` as a test: no condition always holds; one this module cannot read is unknown. */
function parseCondition(text: string | undefined): Expr {
  if (text === undefined || text.trim() === "") return { kind: "const", value: true };
  const source = unwrap(text);
  const tokens = source === undefined ? undefined : tokenize(source);
  const expr = tokens && tokens.length > 0 ? new Parser(tokens).parse() : undefined;
  return expr ?? { kind: "opaque", text };
}

/** The runs that pass every given `if:` (a job's, then a step's); undefined ones always pass. */
export function jobCondition(...texts: (string | undefined)[]): JobCondition {
  const parts = texts.map(parseCondition);
  const expr: Expr = parts.length === 1 && parts[0] ? parts[0] : { kind: "and", parts };
  const found = { refs: new Map<string, string>(), prefixes: new Map<string, string>(), opaque: [] as string[] };
  collect(expr, found);
  const refs = [...found.refs.keys()];
  const prefixes = [...found.prefixes.keys()];
  // Every ref is in one of these classes: named, starting with a named prefix, or neither.
  const refClasses: RefClass[] = [
    ...refs.map((r): RefClass => ({ kind: "literal", ref: r })),
    ...prefixes.map((p): RefClass => ({ kind: "prefixed", prefix: p })),
    { kind: "other" },
  ];
  const classes = (event: string, scenario: Scenario = "any"): { cls: RefClass; result: Tri }[] =>
    refClasses.map((cls) => ({ cls, result: evaluate(expr, event, cls, scenario) }));
  const written = (r: string): string => found.refs.get(r) ?? found.prefixes.get(r) ?? r;
  const reachesIn = (event: string, scenario: Scenario): Tri => {
    const results = classes(event.toLowerCase(), scenario).map((c) => c.result);
    return results.includes("yes") ? "yes" : results.includes("maybe") ? "maybe" : "no";
  };
  return {
    opaqueEventTest: found.opaque.some((o) => o.includes("event_name")),
    reaches: (event) => reachesIn(event, "any"),
    reachesUntrusted: (event) => reachesIn(event, "untrusted"),
    refsFor(event) {
      const results = classes(event.toLowerCase());
      if (results.every((c) => c.result === "no")) return { kind: "never" };
      const pick = (want: (t: Tri) => boolean, kind: RefClass["kind"]): string[] =>
        results
          .filter((c) => c.cls.kind === kind && want(c.result))
          .map((c) =>
            c.cls.kind === "literal" ? written(c.cls.ref) : c.cls.kind === "prefixed" ? written(c.cls.prefix) : "",
          );
      const other = results.find((c) => c.cls.kind === "other")?.result;
      if (other === "no")
        return {
          kind: "only",
          refs: pick((t) => t !== "no", "literal"),
          prefixes: pick((t) => t !== "no", "prefixed"),
        };
      return {
        kind: "except",
        refs: pick((t) => t === "no", "literal"),
        prefixes: pick((t) => t === "no", "prefixed"),
      };
    },
  };
}

/** Whether a rule lets a run with this exact ref through. */
export function ruleAdmitsRef(rule: RefRule, ref: string): boolean {
  const r = ref.toLowerCase();
  if (rule.kind === "never") return false;
  const named =
    rule.refs.some((x) => x.toLowerCase() === r) || rule.prefixes.some((p) => r.startsWith(p.toLowerCase()));
  return rule.kind === "only" ? named : !named;
}

/**
 * The rule restricted to the refs under `base` (`refs/heads/`), as names relative to it: `none` (no ref
 * under the base passes), `only` names and name prefixes, or every name `except` some.
 */
export type NamesUnder = { kind: "none" } | { kind: "only" | "except"; names: string[]; prefixes: string[] };

export function namesUnder(rule: RefRule, base: string): NamesUnder {
  if (rule.kind === "never") return { kind: "none" };
  const b = base.toLowerCase();
  const coversBase = rule.prefixes.some((p) => b.startsWith(p.toLowerCase()));
  const names = rule.refs
    .filter((r) => r.toLowerCase().startsWith(b) && r.length > b.length)
    .map((r) => r.slice(b.length));
  const prefixes = rule.prefixes
    .filter((p) => p.toLowerCase().startsWith(b) && p.length > b.length)
    .map((p) => p.slice(b.length));
  if (rule.kind === "only") {
    if (coversBase) return { kind: "except", names: [], prefixes: [] };
    return names.length === 0 && prefixes.length === 0 ? { kind: "none" } : { kind: "only", names, prefixes };
  }
  if (coversBase) return { kind: "none" };
  return { kind: "except", names, prefixes };
}
