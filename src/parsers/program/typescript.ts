import type { ParserOptions, ParserPlugin } from "@babel/parser";
import type * as B from "@babel/types";
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
 * TypeScript and JavaScript through `@babel/parser` (its `typescript` plugin: syntax only, no types, no
 * `tsconfig`), lowered to the program IR. Measured against TypeScript's own `createSourceFile` and
 * `@typescript-eslint/typescript-estree` (BENCHMARKS.md, "Programs"): loading the `typescript` module
 * costs about a second of CPU before the first file is parsed — more than everything else a pre-commit
 * run of one stack does — while `@babel/parser` (one 0.5 MB file, no dependencies at run time) loads in
 * about a tenth of that, with the same source offsets and complete TypeScript syntax.
 */

export type BabelParse = (text: string, options: ParserOptions) => B.File;

const MAX_DEPTH = 300;

type Node = B.Node;

function pluginsFor(file: string): ParserPlugin[] {
  const jsx = /\.(t|j)sx$/.test(file);
  const ts = /\.(m|c)?tsx?$/.test(file);
  return [
    ...(ts ? (["typescript"] as ParserPlugin[]) : []),
    ...(jsx ? (["jsx"] as ParserPlugin[]) : []),
    "decorators-legacy",
  ];
}

export function lowerTypeScript(
  parse: BabelParse,
  file: string,
  text: string,
): ProgramModule & { syntaxError?: { message: string; offset: number } } {
  let program: B.Program | undefined;
  let syntaxError: { message: string; offset: number } | undefined;
  try {
    program = parse(text, {
      sourceType: "module",
      plugins: pluginsFor(file),
      // Keep going past what a type checker or a strict-mode engine would refuse (a redeclared name, a
      // `return` at the top of a CommonJS file): only the shapes of values matter here.
      errorRecovery: true,
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
      allowImportExportEverywhere: true,
      allowUndeclaredExports: true,
      allowSuperOutsideMethod: true,
    }).program;
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    const pos = (e as { pos?: unknown }).pos;
    const message = e instanceof Error ? e.message.replace(/\s*\(\d+:\d+\)$/, "") : "syntax error";
    syntaxError = {
      message: `TypeScript/JavaScript syntax error: ${message}`,
      offset: typeof pos === "number" ? pos : 0,
    };
  }
  const exports = new Map<string, string>();
  let depth = 0;

  const span = (n: Node): Span => ({ from: n.start ?? 0, to: n.end ?? 0 });
  const opaque = (n: Node): Expr => ({ k: "opaque", span: span(n) });

  function strLit(n: B.StringLiteral): Expr {
    const s = span(n);
    const body = text.slice(s.from + 1, s.to - 1);
    return { k: "str", text: n.value, span: s, contentFrom: s.from + 1, exact: body === n.value };
  }

  /** An identifier or number used as a property name: its text is its value. */
  function nameLit(n: Node, value: string): Expr {
    const s = span(n);
    return { k: "str", text: value, span: s, contentFrom: s.from, exact: text.slice(s.from, s.to) === value };
  }

  function quasi(q: B.TemplateElement): Expr {
    const s = span(q);
    const value = q.value.cooked ?? q.value.raw;
    return { k: "str", text: value, span: s, contentFrom: s.from, exact: value === text.slice(s.from, s.to) };
  }

  function template(n: B.TemplateLiteral): Expr {
    const parts: Expr[] = [];
    n.quasis.forEach((q, i) => {
      parts.push(quasi(q));
      const e = n.expressions[i];
      if (e) parts.push(expr(e));
    });
    return { k: "tpl", parts, span: span(n) };
  }

  function expr(n: Node): Expr {
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

  const BINARY = new Set(["+", "===", "!==", "==", "!="]);

  function exprInner(n: Node): Expr {
    const s = span(n);
    switch (n.type) {
      case "StringLiteral":
        return strLit(n);
      case "TemplateLiteral":
        return n.expressions.length === 0 && n.quasis[0] ? { ...quasi(n.quasis[0]), span: s } : template(n);
      case "NumericLiteral":
        return { k: "num", value: n.value, span: s };
      case "BooleanLiteral":
        return { k: "bool", value: n.value, span: s };
      case "NullLiteral":
        return { k: "null", span: s };
      case "ThisExpression":
        return { k: "this", span: s };
      case "Super":
        return { k: "name", name: "super", span: s };
      case "Identifier":
        return n.name === "undefined" ? { k: "null", span: s } : { k: "name", name: n.name, span: s };
      case "ParenthesizedExpression":
      case "TSAsExpression":
      case "TSNonNullExpression":
      case "TSTypeAssertion":
      case "TSSatisfiesExpression":
      case "TSInstantiationExpression":
        return expr(n.expression);
      case "AwaitExpression":
        return expr(n.argument);
      case "MemberExpression":
      case "OptionalMemberExpression": {
        const p = n.property;
        if (!n.computed && p.type === "Identifier")
          return n.type === "OptionalMemberExpression" && n.optional
            ? { k: "member", object: expr(n.object), name: p.name, span: s, optional: true }
            : { k: "member", object: expr(n.object), name: p.name, span: s };
        if (!n.computed && p.type === "PrivateName")
          return { k: "member", object: expr(n.object), name: p.id.name, span: s };
        return { k: "index", object: expr(n.object), index: expr(p), span: s };
      }
      case "CallExpression":
      case "OptionalCallExpression":
        return { k: "call", callee: expr(n.callee), args: args(n.arguments), isNew: false, span: s };
      case "NewExpression":
        return { k: "call", callee: expr(n.callee), args: args(n.arguments), isNew: true, span: s };
      case "ObjectExpression":
        return {
          k: "object",
          entries: n.properties.map(objectEntry).filter((e): e is ObjectEntry => e !== undefined),
          span: s,
        };
      case "ArrayExpression": {
        const items: ArrayItem[] = [];
        for (const el of n.elements) {
          if (!el) continue;
          items.push(el.type === "SpreadElement" ? { spread: expr(el.argument) } : { value: expr(el) });
        }
        return { k: "array", items, span: s };
      }
      case "ArrowFunctionExpression":
        return { k: "fn", fn: functionDef(n, undefined), span: s };
      case "FunctionExpression":
        return { k: "fn", fn: functionDef(n, n.id?.name), span: s };
      case "BinaryExpression":
        if (!BINARY.has(n.operator) || n.left.type === "PrivateName") return opaque(n);
        return { k: "binary", op: n.operator, left: expr(n.left), right: expr(n.right), span: s };
      case "LogicalExpression":
        return { k: "binary", op: n.operator, left: expr(n.left), right: expr(n.right), span: s };
      case "ConditionalExpression":
        return { k: "cond", test: expr(n.test), then: expr(n.consequent), else: expr(n.alternate), span: s };
      case "TaggedTemplateExpression":
        return { k: "tagged", tag: expr(n.tag), template: expr(n.quasi), span: s };
      default:
        return opaque(n);
    }
  }

  function args(list: B.CallExpression["arguments"]): Arg[] {
    const out: Arg[] = [];
    for (const a of list) {
      if (a.type === "SpreadElement") out.push({ value: expr(a.argument), spread: true });
      else if (a.type !== "ArgumentPlaceholder") out.push({ value: expr(a) });
    }
    return out;
  }

  function propertyKey(key: Node, computed: boolean): Expr {
    if (computed) return expr(key);
    if (key.type === "Identifier") return nameLit(key, key.name);
    if (key.type === "StringLiteral") return strLit(key);
    if (key.type === "NumericLiteral") return nameLit(key, String(key.value));
    if (key.type === "PrivateName") return nameLit(key, key.id.name);
    return opaque(key);
  }

  function objectEntry(p: B.ObjectExpression["properties"][number]): ObjectEntry | undefined {
    if (p.type === "SpreadElement") return { spread: expr(p.argument) };
    if (p.type === "ObjectMethod") {
      if (p.kind !== "method") return undefined;
      return {
        key: propertyKey(p.key, p.computed),
        value: { k: "fn", fn: functionDef(p, undefined), span: span(p) },
        span: span(p),
      };
    }
    if (p.shorthand && p.key.type === "Identifier") {
      const value = p.value.type === "AssignmentPattern" ? p.value.left : p.value;
      const name = value.type === "Identifier" ? value.name : p.key.name;
      return { key: nameLit(p.key, p.key.name), value: { k: "name", name, span: span(p.key) }, span: span(p) };
    }
    return { key: propertyKey(p.key, p.computed), value: expr(p.value), span: span(p) };
  }

  function pattern(n: Node): Pattern {
    const s = span(n);
    switch (n.type) {
      case "Identifier":
        return { k: "name", name: n.name, span: s };
      case "AssignmentPattern":
        return pattern(n.left);
      case "TSParameterProperty":
        return pattern(n.parameter);
      case "ObjectPattern": {
        const props: { key: string; target: Pattern; init?: Expr }[] = [];
        let rest: string | undefined;
        for (const el of n.properties) {
          if (el.type === "RestElement") {
            if (el.argument.type === "Identifier") rest = el.argument.name;
            continue;
          }
          const key =
            !el.computed && el.key.type === "Identifier"
              ? el.key.name
              : el.key.type === "StringLiteral"
                ? el.key.value
                : undefined;
          if (key === undefined) continue;
          const p: { key: string; target: Pattern; init?: Expr } = { key, target: pattern(el.value) };
          if (el.value.type === "AssignmentPattern") p.init = expr(el.value.right);
          props.push(p);
        }
        return rest === undefined ? { k: "objpat", props, span: s } : { k: "objpat", props, rest, span: s };
      }
      case "ArrayPattern":
        return {
          k: "arrpat",
          items: n.elements.map((el) => (!el || el.type === "RestElement" ? undefined : pattern(el))),
          span: s,
        };
      default:
        return { k: "name", name: "_", span: s };
    }
  }

  function params(list: B.Function["params"] | B.ClassMethod["params"]): Param[] {
    const out: Param[] = [];
    for (const p of list) {
      if (p.type === "Identifier" && p.name === "this") continue;
      if (p.type === "RestElement") {
        out.push({ target: pattern(p.argument), rest: true });
        continue;
      }
      const inner = p.type === "TSParameterProperty" ? p.parameter : p;
      const param: Param = { target: pattern(inner) };
      if (inner.type === "AssignmentPattern") param.init = expr(inner.right);
      out.push(param);
    }
    return out;
  }

  function functionDef(n: B.Function | B.ClassMethod | B.ClassPrivateMethod, name: string | undefined): FunctionDef {
    const b = n.body;
    const body: Stmt[] | Expr = b.type === "BlockStatement" ? statements(b.body) : expr(b);
    const def: FunctionDef = { params: params(n.params), body, span: span(n) };
    if (name !== undefined) def.name = name;
    return def;
  }

  function memberName(key: Node, computed: boolean): string | undefined {
    if (computed) return undefined;
    if (key.type === "Identifier") return key.name;
    if (key.type === "PrivateName") return key.id.name;
    if (key.type === "StringLiteral") return key.value;
    return undefined;
  }

  function classDef(n: B.Class, name: string): ClassDef {
    const def: ClassDef = { name, methods: [], fields: [], span: span(n) };
    if (n.superClass) def.superClass = expr(n.superClass);
    for (const m of n.body.body) {
      if (m.type === "ClassMethod" && m.kind === "constructor") {
        const ctor = functionDef(m, "constructor");
        // Parameter properties (`constructor(private readonly props: Props)`) are fields too.
        const assigns: Stmt[] = [];
        for (const p of m.params) {
          if (p.type !== "TSParameterProperty") continue;
          const id = p.parameter.type === "AssignmentPattern" ? p.parameter.left : p.parameter;
          if (id.type !== "Identifier") continue;
          const s = span(p);
          assigns.push({
            k: "assign",
            target: { k: "member", object: { k: "this", span: s }, name: id.name, span: s },
            value: { k: "name", name: id.name, span: span(id) },
            span: s,
          });
        }
        if (Array.isArray(ctor.body)) ctor.body = [...assigns, ...ctor.body];
        def.ctor = ctor;
      } else if ((m.type === "ClassMethod" || m.type === "ClassPrivateMethod") && m.kind === "method") {
        const key = memberName(m.key, m.type === "ClassMethod" && m.computed);
        if (key !== undefined && !m.static) def.methods.push(functionDef(m, key));
      } else if ((m.type === "ClassProperty" || m.type === "ClassPrivateProperty") && m.value && !m.static) {
        const key = memberName(m.key, m.type === "ClassProperty" && m.computed);
        if (key !== undefined) def.fields.push({ name: key, value: expr(m.value) });
      }
    }
    return def;
  }

  /** `require("x")` as an import. */
  function requireOf(init: Node | null | undefined): string | undefined {
    if (!init || init.type !== "CallExpression" || init.callee.type !== "Identifier" || init.callee.name !== "require")
      return undefined;
    const a = init.arguments[0];
    return a?.type === "StringLiteral" ? a.value : undefined;
  }

  const nameOf = (n: B.Identifier | B.StringLiteral): string => (n.type === "Identifier" ? n.name : n.value);

  function statements(list: readonly B.Statement[]): Stmt[] {
    const out: Stmt[] = [];
    for (const st of list) statement(st, out);
    return out;
  }

  function statement(n: B.Statement, out: Stmt[]): void {
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

  function variables(n: B.VariableDeclaration, out: Stmt[], exported: boolean): void {
    const s = span(n);
    for (const d of n.declarations) {
      const req = requireOf(d.init);
      if (req !== undefined) {
        if (d.id.type === "Identifier")
          out.push({ k: "import", module: req, names: [{ imported: "*", local: d.id.name }], span: s });
        else if (d.id.type === "ObjectPattern") {
          const names = d.id.properties.flatMap((el) =>
            el.type === "ObjectProperty" && el.value.type === "Identifier"
              ? [{ imported: el.key.type === "Identifier" ? el.key.name : el.value.name, local: el.value.name }]
              : [],
          );
          out.push({ k: "import", module: req, names, span: s });
        }
        continue;
      }
      const stmt: Stmt = { k: "let", target: pattern(d.id), span: span(d) };
      if (d.init) stmt.init = expr(d.init);
      out.push(stmt);
      if (exported && d.id.type === "Identifier") exports.set(d.id.name, d.id.name);
    }
  }

  /** A declaration, possibly exported (`export …`, `export default …`). */
  function declaration(n: B.Declaration, out: Stmt[], exported: boolean, isDefault: boolean): void {
    const s = span(n);
    if (n.type === "VariableDeclaration") {
      variables(n, out, exported);
    } else if (n.type === "FunctionDeclaration") {
      if (!n.id && !isDefault) return;
      const name = n.id?.name ?? "default";
      out.push({ k: "func", fn: functionDef(n, name), span: s });
      if (exported) exports.set(isDefault ? "default" : name, name);
    } else if (n.type === "ClassDeclaration") {
      const name = n.id?.name ?? "default";
      out.push({ k: "class", cls: classDef(n, name), span: s });
      if (exported) exports.set(isDefault ? "default" : name, name);
    } else if (n.type === "TSModuleDeclaration" && n.body.type === "TSModuleBlock") {
      out.push(...statements(n.body.body));
    }
  }

  function statementInner(n: B.Statement, out: Stmt[]): void {
    const s = span(n);
    switch (n.type) {
      case "ImportDeclaration": {
        if (n.importKind === "type" || n.specifiers.length === 0) return;
        const names: { imported: string; local: string }[] = [];
        for (const sp of n.specifiers) {
          if (sp.type === "ImportDefaultSpecifier") names.push({ imported: "default", local: sp.local.name });
          else if (sp.type === "ImportNamespaceSpecifier") names.push({ imported: "*", local: sp.local.name });
          else if (sp.importKind !== "type") names.push({ imported: nameOf(sp.imported), local: sp.local.name });
        }
        out.push({ k: "import", module: n.source.value, names, span: s });
        return;
      }
      case "TSImportEqualsDeclaration": {
        const ref = n.moduleReference;
        if (ref.type === "TSExternalModuleReference")
          out.push({
            k: "import",
            module: ref.expression.value,
            names: [{ imported: "*", local: n.id.name }],
            span: s,
          });
        return;
      }
      case "ExportNamedDeclaration": {
        if (n.exportKind === "type") return;
        if (n.declaration) {
          declaration(n.declaration, out, true, false);
          return;
        }
        const specs = n.specifiers.flatMap((sp) =>
          sp.type === "ExportSpecifier" && sp.exportKind !== "type"
            ? [{ imported: sp.local.name, exported: nameOf(sp.exported) }]
            : [],
        );
        if (n.source) out.push({ k: "reexport", module: n.source.value, names: specs, span: s });
        else for (const sp of specs) exports.set(sp.exported, sp.imported);
        return;
      }
      case "ExportAllDeclaration":
        if (n.exportKind !== "type") out.push({ k: "reexport", module: n.source.value, names: [], span: s });
        return;
      case "ExportDefaultDeclaration": {
        const d = n.declaration;
        if (d.type === "FunctionDeclaration" || d.type === "ClassDeclaration") declaration(d, out, true, true);
        else if (d.type === "Identifier") exports.set("default", d.name);
        // `export default $config({…})`: the expression runs.
        else if (d.type !== "TSDeclareFunction") out.push({ k: "expr", expr: expr(d), span: s });
        return;
      }
      case "TSExportAssignment":
        if (n.expression.type === "Identifier") exports.set("default", n.expression.name);
        else out.push({ k: "expr", expr: expr(n.expression), span: s });
        return;
      case "VariableDeclaration":
      case "FunctionDeclaration":
      case "ClassDeclaration":
      case "TSModuleDeclaration":
        declaration(n, out, false, false);
        return;
      case "ExpressionStatement": {
        const e = n.expression;
        if (e.type === "AssignmentExpression" && e.operator === "=") {
          out.push({ k: "assign", target: expr(e.left), value: expr(e.right), span: s });
          return;
        }
        out.push({ k: "expr", expr: expr(e), span: s });
        return;
      }
      case "ReturnStatement":
        out.push(n.argument ? { k: "return", value: expr(n.argument), span: s } : { k: "return", span: s });
        return;
      case "IfStatement":
        out.push({
          k: "if",
          test: expr(n.test),
          then: block(n.consequent),
          else: n.alternate ? block(n.alternate) : [],
          span: s,
        });
        return;
      case "ForOfStatement": {
        const left = n.left;
        const decl = left.type === "VariableDeclaration" ? left.declarations[0] : undefined;
        const target = decl ? pattern(decl.id) : pattern(left);
        out.push({ k: "for", target, iter: expr(n.right), body: block(n.body), span: s });
        return;
      }
      case "BlockStatement":
        out.push(...statements(n.body));
        return;
      case "TryStatement":
        out.push(...statements(n.block.body));
        return;
      default:
        return;
    }
  }

  function block(n: B.Statement): Stmt[] {
    return n.type === "BlockStatement" ? statements(n.body) : statements([n]);
  }

  const body = program ? statements(program.body) : [];
  const mod: ProgramModule & { syntaxError?: { message: string; offset: number } } = {
    file,
    text,
    language: "typescript",
    body,
    exports,
  };
  if (syntaxError) mod.syntaxError = syntaxError;
  return mod;
}
