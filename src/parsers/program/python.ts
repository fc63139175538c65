import type { SyntaxNode } from "@lezer/common";
import { parser } from "@lezer/python";
import type {
  Arg,
  ArrayItem,
  ClassDef,
  Expr,
  FunctionDef,
  ObjectEntry,
  Param,
  Pattern,
  ProgramModule,
  Span,
  Stmt,
} from "./ir.js";

/**
 * Python through `@lezer/python` (pure JavaScript, ~0.6 MB with its runtime, synchronous, error-tolerant,
 * exact offsets), lowered to the program IR. Chosen over tree-sitter's Python grammar as WebAssembly
 * (~13 MB installed, asynchronous initialisation, trees freed by hand) for size and loading cost at about
 * the same parsing speed (BENCHMARKS.md). A method's first parameter (`self`) is the IR's `this`.
 */

const MAX_DEPTH = 300;

export function lowerPython(
  file: string,
  text: string,
): ProgramModule & { syntaxError?: { message: string; offset: number } } {
  const tree = parser.parse(text);
  let depth = 0;
  let selfName: string | undefined;
  let syntaxError: { message: string; offset: number } | undefined;

  const span = (n: SyntaxNode): Span => ({ from: n.from, to: n.to });
  const src = (n: SyntaxNode): string => text.slice(n.from, n.to);
  const opaque = (n: SyntaxNode): Expr => ({ k: "opaque", span: span(n) });

  function kids(n: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.type.isError && !syntaxError) syntaxError = { message: "Python syntax error", offset: c.from };
      // A comment may sit between any two tokens (after an argument, inside a dict): never a value.
      if (c.name !== "Comment") out.push(c);
    }
    return out;
  }

  const PUNCT = new Set(["(", ")", "[", "]", "{", "}", ",", ":", "."]);
  const meaningful = (n: SyntaxNode): SyntaxNode[] => kids(n).filter((c) => !PUNCT.has(c.name));

  function stringLiteral(n: SyntaxNode): Expr {
    const raw = src(n);
    const m = /^([rRbBuU]*)('''|"""|'|")/.exec(raw);
    const prefix = m?.[1] ?? "";
    const quote = m?.[2] ?? '"';
    const body = raw.slice(
      prefix.length + quote.length,
      Math.max(prefix.length + quote.length, raw.length - quote.length),
    );
    const value = /r/i.test(prefix) ? body : unescapePython(body);
    return {
      k: "str",
      text: value,
      span: span(n),
      contentFrom: n.from + prefix.length + quote.length,
      exact: value === body,
    };
  }

  function formatString(n: SyntaxNode): Expr {
    const raw = src(n);
    const m = /^([a-zA-Z]*)('''|"""|'|")/.exec(raw);
    const open = (m?.[1]?.length ?? 0) + (m?.[2]?.length ?? 1);
    const close = m?.[2]?.length ?? 1;
    const raw_ = /r/i.test(m?.[1] ?? "");
    const parts: Expr[] = [];
    let at = n.from + open;
    const end = n.to - close;
    const literal = (from: number, to: number): void => {
      if (to <= from) return;
      const body = text.slice(from, to).replace(/\{\{/g, "{").replace(/\}\}/g, "}");
      const value = raw_ ? body : unescapePython(body);
      parts.push({
        k: "str",
        text: value,
        span: { from, to },
        contentFrom: from,
        exact: value === text.slice(from, to),
      });
    };
    for (const r of kids(n)) {
      if (r.name !== "FormatReplacement") continue;
      literal(at, r.from);
      const inner = meaningful(r).filter(
        (c) => c.name !== "FormatSpec" && c.name !== "FormatConversion" && c.name !== "=",
      );
      const e = inner[0];
      const hasSpec = kids(r).some((c) => c.name === "FormatSpec" || c.name === "FormatConversion");
      parts.push(e && !hasSpec ? expr(e) : opaque(r));
      at = r.to;
    }
    literal(at, end);
    return { k: "tpl", parts, span: span(n) };
  }

  function expr(n: SyntaxNode): Expr {
    if (++depth > MAX_DEPTH) {
      depth--;
      return opaque(n);
    }
    try {
      return exprInner(n);
    } finally {
      depth--;
    }
  }

  function exprInner(n: SyntaxNode): Expr {
    const s = span(n);
    switch (n.name) {
      case "String":
        return stringLiteral(n);
      case "FormatString":
        return formatString(n);
      case "ContinuedString":
        return { k: "tpl", parts: kids(n).map(expr), span: s };
      case "Number": {
        const v = Number(src(n).replace(/_/g, ""));
        return Number.isFinite(v) ? { k: "num", value: v, span: s } : opaque(n);
      }
      case "Boolean":
        return { k: "bool", value: src(n) === "True", span: s };
      case "None":
        return { k: "null", span: s };
      case "VariableName": {
        const name = src(n);
        return name === selfName ? { k: "this", span: s } : { k: "name", name, span: s };
      }
      case "ParenthesizedExpression":
      case "AwaitExpression": {
        const inner = meaningful(n).filter((c) => c.name !== "await")[0];
        return inner ? expr(inner) : opaque(n);
      }
      case "MemberExpression": {
        const cs = kids(n);
        const object = cs[0];
        if (!object) return opaque(n);
        const prop = cs.find((c) => c.name === "PropertyName");
        if (prop) return { k: "member", object: expr(object), name: src(prop), span: s };
        const index = cs.find((c, i) => i > 0 && !PUNCT.has(c.name));
        return index ? { k: "index", object: expr(object), index: expr(index), span: s } : opaque(n);
      }
      case "CallExpression": {
        const cs = kids(n);
        const callee = cs[0];
        const argList = cs.find((c) => c.name === "ArgList");
        if (!callee || !argList) return opaque(n);
        // `super().__init__(…)`: the parent class's constructor.
        if (callee.name === "MemberExpression" && /^super\s*\(\s*\)\s*\.\s*__init__$/.test(src(callee))) {
          return {
            k: "call",
            callee: { k: "name", name: "super", span: span(callee) },
            args: args(argList),
            isNew: false,
            span: s,
          };
        }
        return { k: "call", callee: expr(callee), args: args(argList), isNew: false, span: s };
      }
      case "DictionaryExpression": {
        const entries: ObjectEntry[] = [];
        const cs = kids(n).filter((c) => !["{", "}", ","].includes(c.name));
        for (let i = 0; i < cs.length; i++) {
          const c = cs[i];
          if (!c) continue;
          if (c.name === "**") {
            const v = cs[++i];
            if (v) entries.push({ spread: expr(v) });
            continue;
          }
          const colon = cs[i + 1];
          const v = cs[i + 2];
          if (colon?.name === ":" && v) {
            entries.push({ key: expr(c), value: expr(v), span: { from: c.from, to: v.to } });
            i += 2;
          }
        }
        return { k: "object", entries, span: s };
      }
      case "ArrayExpression":
      case "TupleExpression":
      case "SetExpression": {
        const items: ArrayItem[] = [];
        const cs = meaningful(n);
        for (let i = 0; i < cs.length; i++) {
          const c = cs[i];
          if (!c) continue;
          if (c.name === "*") {
            const v = cs[++i];
            if (v) items.push({ spread: expr(v) });
          } else items.push({ value: expr(c) });
        }
        return { k: "array", items, span: s };
      }
      case "ArrayComprehensionExpression": {
        const cs = meaningful(n);
        // [element for target in iter] — anything more (if, nested for) is not evaluated.
        if (cs.length !== 5 || cs[1]?.name !== "for" || cs[3]?.name !== "in") return opaque(n);
        const [element, , target, , iter] = cs as [SyntaxNode, SyntaxNode, SyntaxNode, SyntaxNode, SyntaxNode];
        return { k: "comp", element: expr(element), target: pattern(target), iter: expr(iter), span: s };
      }
      case "BinaryExpression": {
        const cs = kids(n);
        const [left, op, right] = cs;
        if (!left || !op || !right || cs.length !== 3) return opaque(n);
        const o = src(op);
        if (!["+", "or", "and", "==", "!="].includes(o)) return opaque(n);
        return { k: "binary", op: o, left: expr(left), right: expr(right), span: s };
      }
      case "ConditionalExpression": {
        const cs = meaningful(n).filter((c) => c.name !== "if" && c.name !== "else");
        const [then, test, otherwise] = cs;
        if (!then || !test || !otherwise) return opaque(n);
        return { k: "cond", test: expr(test), then: expr(then), else: expr(otherwise), span: s };
      }
      case "LambdaExpression": {
        const paramList = kids(n).find((c) => c.name === "ParamList");
        const body = meaningful(n).filter((c) => c.name !== "lambda" && c.name !== "ParamList")[0];
        if (!body) return opaque(n);
        return {
          k: "fn",
          fn: { name: "lambda", params: paramList ? params(paramList) : [], body: expr(body), span: s },
          span: s,
        };
      }
      default:
        return opaque(n);
    }
  }

  function args(list: SyntaxNode): Arg[] {
    const out: Arg[] = [];
    const cs = kids(list).filter((c) => !["(", ")", ","].includes(c.name));
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i];
      if (!c) continue;
      if (c.name === "*" || c.name === "**") {
        const v = cs[++i];
        if (v) out.push(c.name === "*" ? { value: expr(v), spread: true } : { value: expr(v), kwSpread: true });
        continue;
      }
      if (c.name === "VariableName" && cs[i + 1]?.name === "AssignOp") {
        const v = cs[i + 2];
        if (v) out.push({ value: expr(v), name: src(c) });
        i += 2;
        continue;
      }
      out.push({ value: expr(c) });
    }
    return out;
  }

  function pattern(n: SyntaxNode): Pattern {
    if (n.name === "VariableName") return { k: "name", name: src(n), span: span(n) };
    if (n.name === "TupleExpression" || n.name === "ArrayExpression" || n.name === "ParenthesizedExpression") {
      return {
        k: "arrpat",
        items: meaningful(n).map((c) => (c.name === "VariableName" ? pattern(c) : undefined)),
        span: span(n),
      };
    }
    // `for a, b in …` has no tuple node: the names follow each other.
    return { k: "name", name: "_", span: span(n) };
  }

  function params(list: SyntaxNode): Param[] {
    const out: Param[] = [];
    const cs = kids(list).filter((c) => !["(", ")"].includes(c.name) && c.name !== "TypeDef");
    let star: "rest" | "kwRest" | undefined;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i];
      if (!c || c.name === ",") continue;
      if (c.name === "*" || c.name === "**") {
        // A bare `*` (keyword-only marker) is followed by a comma, not a name.
        star = cs[i + 1]?.name === "VariableName" ? (c.name === "*" ? "rest" : "kwRest") : undefined;
        continue;
      }
      if (c.name !== "VariableName") continue;
      const p: Param = { target: pattern(c) };
      if (cs[i + 1]?.name === "AssignOp" && cs[i + 2]) {
        p.init = expr(cs[i + 2] as SyntaxNode);
        i += 2;
      }
      if (star === "rest") p.rest = true;
      if (star === "kwRest") p.kwRest = true;
      star = undefined;
      out.push(p);
    }
    return out;
  }

  function functionDef(n: SyntaxNode, method: boolean): FunctionDef | undefined {
    const cs = kids(n);
    const name = cs.find((c) => c.name === "VariableName");
    const paramList = cs.find((c) => c.name === "ParamList");
    const body = cs.find((c) => c.name === "Body");
    if (!name || !paramList || !body) return undefined;
    let ps = params(paramList);
    const outer = selfName;
    if (method) {
      const first = ps[0];
      selfName = first?.target.k === "name" ? first.target.name : undefined;
      ps = ps.slice(1);
    }
    try {
      return { name: src(name), params: ps, body: block(body), span: span(n) };
    } finally {
      selfName = outer;
    }
  }

  function classDef(n: SyntaxNode): ClassDef | undefined {
    const cs = kids(n);
    const name = cs.find((c) => c.name === "VariableName");
    const body = cs.find((c) => c.name === "Body");
    if (!name || !body) return undefined;
    const def: ClassDef = { name: src(name), methods: [], fields: [], span: span(n) };
    const bases = cs.find((c) => c.name === "ArgList");
    const first = bases ? meaningful(bases)[0] : undefined;
    if (first) def.superClass = expr(first);
    for (let m of kids(body)) {
      if (m.name === "DecoratedStatement") m = kids(m).find((c) => c.name === "FunctionDefinition") ?? m;
      if (m.name !== "FunctionDefinition") continue;
      const isStatic = /@staticmethod/.test(text.slice(m.parent?.from ?? m.from, m.from));
      const fn = functionDef(m, !isStatic);
      if (!fn) continue;
      if (fn.name === "__init__") def.ctor = fn;
      else def.methods.push(fn);
    }
    const named = /(^|\.)NamedTuple$/.test(first ? src(first) : "");
    if (!def.ctor && (named || isDataclass(n))) def.ctor = fieldsCtor(body, first !== undefined && !named);
    return def;
  }

  const isDataclass = (n: SyntaxNode): boolean =>
    n.parent?.name === "DecoratedStatement" &&
    kids(n.parent).some((d) => d.name === "Decorator" && /^@\s*(dataclasses\s*\.\s*)?dataclass\b/.test(src(d)));

  /**
   * The `__init__` a `@dataclass` or `NamedTuple` generates: one parameter per annotated field, in order.
   * A dataclass with a parent takes the parent's fields first: positional arguments and unknown keywords go
   * to the parent's `__init__`, this class's own fields are bound by keyword only (never guessed by position).
   */
  function fieldsCtor(body: SyntaxNode, hasParent: boolean): FunctionDef {
    const at = span(body);
    const params: Param[] = [];
    const stmts: Stmt[] = [];
    const rest = (name: string, kw: boolean): Param => ({
      target: { k: "name", name, span: at },
      ...(kw ? { kwRest: true } : { rest: true }),
    });
    if (hasParent) {
      params.push(rest("__args", false));
      const ref = (name: string): Expr => ({ k: "name", name, span: at });
      const args: Arg[] = [
        { value: ref("__args"), spread: true },
        { value: ref("__kwargs"), kwSpread: true },
      ];
      const call: Expr = { k: "call", callee: { k: "name", name: "super", span: at }, args, isNew: false, span: at };
      stmts.push({ k: "expr", expr: call, span: at });
    }
    for (const a of kids(body)) {
      const cs = kids(a);
      const target = cs[0];
      if (a.name !== "AssignStatement" || target?.name !== "VariableName" || cs[1]?.name !== "TypeDef") continue;
      const name = src(target);
      const init = cs[2]?.name === "AssignOp" && cs[3] ? expr(cs[3]) : undefined;
      params.push({ target: { k: "name", name, span: span(target) }, ...(init ? { init } : {}) });
      const at = span(a);
      stmts.push({
        k: "assign",
        target: { k: "member", object: { k: "this", span: at }, name, span: at },
        value: { k: "name", name, span: span(target) },
        span: at,
      });
    }
    if (hasParent) params.push(rest("__kwargs", true));
    return { name: "__init__", params, body: stmts, span: at };
  }

  /** A `TypedDict` subclass called with keywords builds a plain dict of them. */
  function typedDict(cls: SyntaxNode): FunctionDef | undefined {
    const cs = kids(cls);
    const name = cs.find((c) => c.name === "VariableName");
    const bases = cs.find((c) => c.name === "ArgList");
    const first = bases ? meaningful(bases)[0] : undefined;
    if (!name || !first || !/(^|\.)TypedDict$/.test(src(first))) return undefined;
    const at = span(cls);
    const kw: Pattern = { k: "name", name: "kwargs", span: at };
    return {
      name: src(name),
      params: [{ target: kw, kwRest: true }],
      body: [{ k: "return", value: { k: "name", name: "kwargs", span: at }, span: at }],
      span: at,
    };
  }

  function block(body: SyntaxNode): Stmt[] {
    const out: Stmt[] = [];
    for (const c of kids(body)) statement(c, out);
    return out;
  }

  function statement(n: SyntaxNode, out: Stmt[]): void {
    if (++depth > MAX_DEPTH) {
      depth--;
      return;
    }
    try {
      statementInner(n, out);
    } finally {
      depth--;
    }
  }

  function dotted(nodes: SyntaxNode[]): string {
    return nodes.map((c) => (c.name === "." ? "." : src(c))).join("");
  }

  function importStatement(n: SyntaxNode, out: Stmt[]): void {
    const cs = kids(n);
    const s = span(n);
    if (cs[0]?.name === "from") {
      const importAt = cs.findIndex((c) => c.name === "import");
      const module = dotted(cs.slice(1, importAt).filter((c) => c.name === "VariableName" || c.name === "."));
      const names: { imported: string; local: string }[] = [];
      const rest = cs.slice(importAt + 1).filter((c) => c.name === "VariableName" || c.name === "as");
      for (let i = 0; i < rest.length; i++) {
        const c = rest[i];
        if (c?.name !== "VariableName") continue;
        const alias = rest[i + 1]?.name === "as" ? rest[i + 2] : undefined;
        names.push({ imported: src(c), local: alias ? src(alias) : src(c) });
        if (alias) i += 2;
      }
      out.push({ k: "import", module, names, span: s });
      return;
    }
    // import a.b.c as x, d
    let parts: SyntaxNode[] = [];
    const flush = (alias?: SyntaxNode): void => {
      if (parts.length === 0) return;
      const module = dotted(parts);
      const first = parts[0];
      if (alias) out.push({ k: "import", module, names: [{ imported: "*", local: src(alias) }], span: s });
      else if (first)
        out.push({ k: "import", module: src(first), names: [{ imported: "*", local: src(first) }], span: s });
      parts = [];
    };
    for (let i = 1; i < cs.length; i++) {
      const c = cs[i];
      if (!c) continue;
      if (c.name === "as") {
        flush(cs[i + 1]);
        i++;
      } else if (c.name === ",") flush();
      else if (c.name === "VariableName" || c.name === ".") parts.push(c);
    }
    flush();
  }

  function statementInner(n: SyntaxNode, out: Stmt[]): void {
    const s = span(n);
    switch (n.name) {
      case "ImportStatement":
        importStatement(n, out);
        return;
      case "AssignStatement": {
        const cs = kids(n).filter((c) => c.name !== "TypeDef");
        const ops = cs.map((c, i) => (c.name === "AssignOp" ? i : -1)).filter((i) => i >= 0);
        const valueNode = cs[cs.length - 1];
        if (ops.length === 0 || !valueNode || src(cs[ops[0] ?? 0] as SyntaxNode) !== "=") return;
        const value = expr(valueNode);
        const target = cs[0];
        if (!target || (ops[0] ?? 0) !== 1) return;
        if (target.name === "VariableName") out.push({ k: "let", target: pattern(target), init: value, span: s });
        else if (target.name === "MemberExpression") out.push({ k: "assign", target: expr(target), value, span: s });
        else if (target.name === "TupleExpression")
          out.push({ k: "let", target: pattern(target), init: value, span: s });
        return;
      }
      case "ExpressionStatement": {
        const e = meaningful(n)[0];
        if (e) out.push({ k: "expr", expr: expr(e), span: s });
        return;
      }
      case "ReturnStatement": {
        const e = meaningful(n).filter((c) => c.name !== "return")[0];
        out.push(e ? { k: "return", value: expr(e), span: s } : { k: "return", span: s });
        return;
      }
      case "IfStatement": {
        // if test Body (elif test Body)* (else Body)?
        const cs = kids(n);
        const branches: { test?: SyntaxNode; body: SyntaxNode }[] = [];
        for (let i = 0; i < cs.length; i++) {
          const c = cs[i];
          if (!c) continue;
          if ((c.name === "if" || c.name === "elif") && cs[i + 1] && cs[i + 2]?.name === "Body") {
            branches.push({ test: cs[i + 1], body: cs[i + 2] as SyntaxNode });
            i += 2;
          } else if (c.name === "else" && cs[i + 1]?.name === "Body") {
            branches.push({ body: cs[i + 1] as SyntaxNode });
            i++;
          }
        }
        const build = (k: number): Stmt[] => {
          const b = branches[k];
          if (!b) return [];
          if (!b.test) return block(b.body);
          return [{ k: "if", test: expr(b.test), then: block(b.body), else: build(k + 1), span: s }];
        };
        out.push(...build(0));
        return;
      }
      case "ForStatement": {
        const cs = kids(n);
        const inAt = cs.findIndex((c) => c.name === "in");
        const body = cs.find((c) => c.name === "Body");
        const targets = cs.slice(1, inAt).filter((c) => c.name !== ",");
        const iter = cs[inAt + 1];
        if (inAt < 0 || !body || !iter || targets.length === 0) return;
        const target: Pattern =
          targets.length === 1 && targets[0]
            ? pattern(targets[0])
            : { k: "arrpat", items: targets.map(pattern), span: s };
        out.push({ k: "for", target, iter: expr(iter), body: block(body), span: s });
        return;
      }
      case "FunctionDefinition": {
        const fn = functionDef(n, false);
        if (fn) out.push({ k: "func", fn, span: s });
        return;
      }
      case "ClassDefinition": {
        const dict = typedDict(n);
        if (dict) {
          out.push({ k: "func", fn: dict, span: s });
          return;
        }
        const cls = classDef(n);
        if (cls) out.push({ k: "class", cls, span: s });
        return;
      }
      case "DecoratedStatement":
        for (const c of kids(n)) if (c.name !== "Decorator") statement(c, out);
        return;
      case "WithStatement":
      case "TryStatement":
      case "WhileStatement": {
        const body = kids(n).find((c) => c.name === "Body");
        if (body && n.name !== "WhileStatement") out.push(...block(body));
        return;
      }
      default:
        return;
    }
  }

  const body: Stmt[] = [];
  for (const c of kids(tree.topNode)) statement(c, body);
  const mod: ProgramModule & { syntaxError?: { message: string; offset: number } } = {
    file,
    text,
    language: "python",
    body,
    exports: "all",
  };
  if (syntaxError) mod.syntaxError = syntaxError;
  return mod;
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "\n": "",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  "0": "\0",
};

function unescapePython(s: string): string {
  if (!s.includes("\\")) return s;
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[\s\S])/g, (m, e: string) => {
    if (/^[xuU]/.test(e) && e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    return ESCAPES[e] ?? m;
  });
}
