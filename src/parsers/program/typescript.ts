import type TS from "typescript";
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
 * TypeScript and JavaScript through TypeScript's own parser (`createSourceFile`: no type checking, no
 * program, no `tsconfig`), lowered to the program IR. TypeScript's parser was measured against
 * `@typescript-eslint/typescript-estree` (which runs it and then converts its tree): 2.5–4× faster
 * with the same offsets (BENCHMARKS.md), so the tree is read directly.
 */

type TsModule = typeof TS;

const MAX_DEPTH = 300;

export function lowerTypeScript(ts: TsModule, file: string, text: string): ProgramModule {
  const kind = /\.tsx$/.test(file)
    ? ts.ScriptKind.TSX
    : /\.(m|c)?jsx?$/.test(file)
      ? file.endsWith("x")
        ? ts.ScriptKind.JSX
        : ts.ScriptKind.JS
      : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
  const exports = new Map<string, string>();
  const K = ts.SyntaxKind;
  let depth = 0;

  const span = (n: TS.Node): Span => ({ from: n.getStart(sf), to: n.getEnd() });
  const opaque = (n: TS.Node): Expr => ({ k: "opaque", span: span(n) });
  const hasModifier = (n: TS.Node, kind: TS.SyntaxKind): boolean =>
    ts.canHaveModifiers(n) ? (ts.getModifiers(n) ?? []).some((m) => m.kind === kind) : false;

  function strLit(
    n:
      | TS.StringLiteral
      | TS.NoSubstitutionTemplateLiteral
      | TS.TemplateLiteralLikeNode
      | TS.Identifier
      | TS.NumericLiteral,
  ): Expr {
    const s = span(n);
    const raw = text.slice(s.from, s.to);
    const isIdent = n.kind === K.Identifier || n.kind === K.NumericLiteral || n.kind === K.PrivateIdentifier;
    const contentFrom = isIdent ? s.from : s.from + 1;
    const body =
      n.kind === K.TemplateHead || n.kind === K.TemplateMiddle ? raw.slice(1, -2) : isIdent ? raw : raw.slice(1, -1);
    return { k: "str", text: n.text, span: s, contentFrom, exact: body === n.text };
  }

  function expr(n: TS.Expression | TS.Node): Expr {
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

  function exprInner(n: TS.Node): Expr {
    const s = span(n);
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return strLit(n);
    if (ts.isNumericLiteral(n)) return { k: "num", value: Number(n.text), span: s };
    if (n.kind === K.TrueKeyword) return { k: "bool", value: true, span: s };
    if (n.kind === K.FalseKeyword) return { k: "bool", value: false, span: s };
    if (n.kind === K.NullKeyword) return { k: "null", span: s };
    if (n.kind === K.ThisKeyword) return { k: "this", span: s };
    if (n.kind === K.SuperKeyword) return { k: "name", name: "super", span: s };
    if (ts.isIdentifier(n))
      return n.text === "undefined" ? { k: "null", span: s } : { k: "name", name: n.text, span: s };
    if (ts.isTemplateExpression(n)) {
      const parts: Expr[] = [strLit(n.head)];
      for (const t of n.templateSpans) parts.push(expr(t.expression), strLit(t.literal));
      return { k: "tpl", parts, span: s };
    }
    if (
      ts.isParenthesizedExpression(n) ||
      ts.isAsExpression(n) ||
      ts.isNonNullExpression(n) ||
      ts.isTypeAssertionExpression(n) ||
      ts.isSatisfiesExpression(n) ||
      ts.isAwaitExpression(n)
    ) {
      return expr(n.expression);
    }
    if (ts.isPropertyAccessExpression(n))
      return { k: "member", object: expr(n.expression), name: n.name.text, span: s };
    if (ts.isElementAccessExpression(n))
      return { k: "index", object: expr(n.expression), index: expr(n.argumentExpression), span: s };
    if (ts.isCallExpression(n))
      return { k: "call", callee: expr(n.expression), args: args(n.arguments), isNew: false, span: s };
    if (ts.isNewExpression(n))
      return {
        k: "call",
        callee: expr(n.expression),
        args: args(n.arguments ?? ts.factory.createNodeArray()),
        isNew: true,
        span: s,
      };
    if (ts.isObjectLiteralExpression(n))
      return {
        k: "object",
        entries: n.properties.map(objectEntry).filter((e): e is ObjectEntry => e !== undefined),
        span: s,
      };
    if (ts.isArrayLiteralExpression(n)) {
      const items: ArrayItem[] = [];
      for (const el of n.elements) {
        if (ts.isOmittedExpression(el)) continue;
        items.push(ts.isSpreadElement(el) ? { spread: expr(el.expression) } : { value: expr(el) });
      }
      return { k: "array", items, span: s };
    }
    if (ts.isArrowFunction(n) || ts.isFunctionExpression(n))
      return { k: "fn", fn: functionDef(n, n.name?.text), span: s };
    if (ts.isBinaryExpression(n)) {
      const op = n.operatorToken.kind;
      const name =
        op === K.PlusToken
          ? "+"
          : op === K.QuestionQuestionToken
            ? "??"
            : op === K.BarBarToken
              ? "||"
              : op === K.AmpersandAmpersandToken
                ? "&&"
                : op === K.EqualsEqualsEqualsToken
                  ? "==="
                  : op === K.ExclamationEqualsEqualsToken
                    ? "!=="
                    : op === K.EqualsEqualsToken
                      ? "=="
                      : op === K.ExclamationEqualsToken
                        ? "!="
                        : undefined;
      if (name === undefined) return opaque(n);
      return { k: "binary", op: name, left: expr(n.left), right: expr(n.right), span: s };
    }
    if (ts.isConditionalExpression(n))
      return { k: "cond", test: expr(n.condition), then: expr(n.whenTrue), else: expr(n.whenFalse), span: s };
    if (ts.isTaggedTemplateExpression(n)) return { k: "tagged", tag: expr(n.tag), template: expr(n.template), span: s };
    return opaque(n);
  }

  function args(list: TS.NodeArray<TS.Expression>): Arg[] {
    return list.map((a) => (ts.isSpreadElement(a) ? { value: expr(a.expression), spread: true } : { value: expr(a) }));
  }

  function propertyKey(name: TS.PropertyName): Expr {
    if (ts.isComputedPropertyName(name)) return expr(name.expression);
    if (
      ts.isIdentifier(name) ||
      ts.isStringLiteral(name) ||
      ts.isNumericLiteral(name) ||
      ts.isNoSubstitutionTemplateLiteral(name)
    )
      return strLit(name);
    if (ts.isPrivateIdentifier(name))
      return { k: "str", text: name.text, span: span(name), contentFrom: span(name).from, exact: true };
    return opaque(name);
  }

  function objectEntry(p: TS.ObjectLiteralElementLike): ObjectEntry | undefined {
    if (ts.isPropertyAssignment(p)) return { key: propertyKey(p.name), value: expr(p.initializer), span: span(p) };
    if (ts.isShorthandPropertyAssignment(p))
      return { key: strLit(p.name), value: { k: "name", name: p.name.text, span: span(p.name) }, span: span(p) };
    if (ts.isSpreadAssignment(p)) return { spread: expr(p.expression) };
    if (ts.isMethodDeclaration(p))
      return {
        key: propertyKey(p.name),
        value: { k: "fn", fn: functionDef(p, undefined), span: span(p) },
        span: span(p),
      };
    return undefined;
  }

  function pattern(n: TS.BindingName | TS.Expression): Pattern {
    const s = span(n);
    if (ts.isIdentifier(n)) return { k: "name", name: n.text, span: s };
    if (ts.isObjectBindingPattern(n)) {
      const props: { key: string; target: Pattern; init?: Expr }[] = [];
      let rest: string | undefined;
      for (const el of n.elements) {
        if (el.dotDotDotToken) {
          if (ts.isIdentifier(el.name)) rest = el.name.text;
          continue;
        }
        const keyNode = el.propertyName ?? el.name;
        const key = ts.isIdentifier(keyNode) || ts.isStringLiteral(keyNode) ? keyNode.text : undefined;
        if (key === undefined) continue;
        const p: { key: string; target: Pattern; init?: Expr } = { key, target: pattern(el.name) };
        if (el.initializer) p.init = expr(el.initializer);
        props.push(p);
      }
      return rest === undefined ? { k: "objpat", props, span: s } : { k: "objpat", props, rest, span: s };
    }
    if (ts.isArrayBindingPattern(n)) {
      return {
        k: "arrpat",
        items: n.elements.map((el) => (ts.isOmittedExpression(el) || el.dotDotDotToken ? undefined : pattern(el.name))),
        span: s,
      };
    }
    return { k: "name", name: "_", span: s };
  }

  function params(list: TS.NodeArray<TS.ParameterDeclaration>): Param[] {
    return list
      .filter((p) => !(ts.isIdentifier(p.name) && p.name.text === "this"))
      .map((p) => {
        const out: Param = { target: pattern(p.name) };
        if (p.initializer) out.init = expr(p.initializer);
        if (p.dotDotDotToken) out.rest = true;
        return out;
      });
  }

  function functionDef(
    n: TS.SignatureDeclarationBase & { body?: TS.ConciseBody | TS.Block },
    name: string | undefined,
  ): FunctionDef {
    const body: Stmt[] | Expr = !n.body ? [] : ts.isBlock(n.body) ? statements(n.body.statements) : expr(n.body);
    const def: FunctionDef = { params: params(n.parameters), body, span: span(n) };
    if (name !== undefined) def.name = name;
    return def;
  }

  function classDef(n: TS.ClassLikeDeclaration, name: string): ClassDef {
    const def: ClassDef = { name, methods: [], fields: [], span: span(n) };
    const ext = n.heritageClauses?.find((h) => h.token === K.ExtendsKeyword)?.types[0];
    if (ext) def.superClass = expr(ext.expression);
    for (const m of n.members) {
      if (ts.isConstructorDeclaration(m)) {
        const ctor = functionDef(m, "constructor");
        // Parameter properties (`constructor(private readonly props: Props)`) are fields too.
        const assigns: Stmt[] = m.parameters
          .filter((p) => ts.isIdentifier(p.name) && (ts.getModifiers(p) ?? []).length > 0)
          .map((p) => {
            const id = p.name as TS.Identifier;
            const s = span(p);
            return {
              k: "assign",
              target: { k: "member", object: { k: "this", span: s }, name: id.text, span: s },
              value: { k: "name", name: id.text, span: span(id) },
              span: s,
            };
          });
        if (Array.isArray(ctor.body)) ctor.body = [...assigns, ...ctor.body];
        def.ctor = ctor;
      } else if (ts.isMethodDeclaration(m) && m.body && (ts.isIdentifier(m.name) || ts.isPrivateIdentifier(m.name))) {
        def.methods.push(functionDef(m, m.name.text));
      } else if (
        ts.isPropertyDeclaration(m) &&
        m.initializer &&
        (ts.isIdentifier(m.name) || ts.isPrivateIdentifier(m.name))
      ) {
        if (!hasModifier(m, K.StaticKeyword)) def.fields.push({ name: m.name.text, value: expr(m.initializer) });
      }
    }
    return def;
  }

  /** `require("x")` as an import. */
  function requireOf(init: TS.Expression | undefined): string | undefined {
    if (!init || !ts.isCallExpression(init) || !ts.isIdentifier(init.expression) || init.expression.text !== "require")
      return undefined;
    const a = init.arguments[0];
    return a && ts.isStringLiteral(a) ? a.text : undefined;
  }

  function statements(list: readonly TS.Statement[]): Stmt[] {
    const out: Stmt[] = [];
    for (const st of list) statement(st, out);
    return out;
  }

  function statement(n: TS.Statement, out: Stmt[]): void {
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

  function statementInner(n: TS.Statement, out: Stmt[]): void {
    const s = span(n);
    const exported = hasModifier(n, K.ExportKeyword);
    const isDefault = hasModifier(n, K.DefaultKeyword);
    if (ts.isImportDeclaration(n)) {
      if (!ts.isStringLiteral(n.moduleSpecifier) || !n.importClause || n.importClause.phaseModifier === K.TypeKeyword)
        return;
      const names: { imported: string; local: string }[] = [];
      const c = n.importClause;
      if (c.name) names.push({ imported: "default", local: c.name.text });
      if (c.namedBindings && ts.isNamespaceImport(c.namedBindings))
        names.push({ imported: "*", local: c.namedBindings.name.text });
      else if (c.namedBindings)
        for (const el of c.namedBindings.elements)
          names.push({ imported: (el.propertyName ?? el.name).text, local: el.name.text });
      out.push({ k: "import", module: n.moduleSpecifier.text, names, span: s });
      return;
    }
    if (ts.isImportEqualsDeclaration(n)) {
      const ref = n.moduleReference;
      if (ts.isExternalModuleReference(ref) && ts.isStringLiteral(ref.expression))
        out.push({ k: "import", module: ref.expression.text, names: [{ imported: "*", local: n.name.text }], span: s });
      return;
    }
    if (ts.isVariableStatement(n)) {
      for (const d of n.declarationList.declarations) {
        const req = requireOf(d.initializer);
        if (req !== undefined) {
          if (ts.isIdentifier(d.name))
            out.push({ k: "import", module: req, names: [{ imported: "*", local: d.name.text }], span: s });
          else if (ts.isObjectBindingPattern(d.name)) {
            const names = d.name.elements.flatMap((el) =>
              ts.isIdentifier(el.name)
                ? [
                    {
                      imported:
                        el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : el.name.text,
                      local: el.name.text,
                    },
                  ]
                : [],
            );
            out.push({ k: "import", module: req, names, span: s });
          }
          continue;
        }
        const stmt: Stmt = { k: "let", target: pattern(d.name), span: span(d) };
        if (d.initializer) stmt.init = expr(d.initializer);
        out.push(stmt);
        if (exported && ts.isIdentifier(d.name)) exports.set(d.name.text, d.name.text);
      }
      return;
    }
    if (ts.isFunctionDeclaration(n)) {
      if (!n.name || !n.body) return;
      out.push({ k: "func", fn: functionDef(n, n.name.text), span: s });
      if (exported) exports.set(isDefault ? "default" : n.name.text, n.name.text);
      return;
    }
    if (ts.isClassDeclaration(n)) {
      const name = n.name?.text ?? "default";
      out.push({ k: "class", cls: classDef(n, name), span: s });
      if (exported) exports.set(isDefault ? "default" : name, name);
      return;
    }
    if (ts.isExportDeclaration(n)) {
      if (n.isTypeOnly) return;
      const module = n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier) ? n.moduleSpecifier.text : undefined;
      const elements = n.exportClause && ts.isNamedExports(n.exportClause) ? n.exportClause.elements : undefined;
      if (module !== undefined) {
        out.push({
          k: "reexport",
          module,
          names: (elements ?? []).map((el) => ({
            imported: (el.propertyName ?? el.name).text,
            exported: el.name.text,
          })),
          span: s,
        });
      } else for (const el of elements ?? []) exports.set(el.name.text, (el.propertyName ?? el.name).text);
      return;
    }
    if (ts.isExportAssignment(n)) {
      if (ts.isIdentifier(n.expression)) exports.set("default", n.expression.text);
      return;
    }
    if (ts.isExpressionStatement(n)) {
      const e = n.expression;
      if (ts.isBinaryExpression(e) && e.operatorToken.kind === K.EqualsToken) {
        out.push({ k: "assign", target: expr(e.left), value: expr(e.right), span: s });
        return;
      }
      out.push({ k: "expr", expr: expr(e), span: s });
      return;
    }
    if (ts.isReturnStatement(n)) {
      out.push(n.expression ? { k: "return", value: expr(n.expression), span: s } : { k: "return", span: s });
      return;
    }
    if (ts.isIfStatement(n)) {
      out.push({
        k: "if",
        test: expr(n.expression),
        then: block(n.thenStatement),
        else: n.elseStatement ? block(n.elseStatement) : [],
        span: s,
      });
      return;
    }
    if (ts.isForOfStatement(n)) {
      const init = n.initializer;
      const decl = ts.isVariableDeclarationList(init) ? init.declarations[0] : undefined;
      const target = decl ? pattern(decl.name) : pattern(init as TS.Expression);
      out.push({ k: "for", target, iter: expr(n.expression), body: block(n.statement), span: s });
      return;
    }
    if (ts.isBlock(n)) {
      out.push(...statements(n.statements));
      return;
    }
    if (ts.isTryStatement(n)) {
      out.push(...statements(n.tryBlock.statements));
      return;
    }
    if (ts.isModuleDeclaration(n) && n.body && ts.isModuleBlock(n.body)) {
      out.push(...statements(n.body.statements));
    }
  }

  function block(n: TS.Statement): Stmt[] {
    return ts.isBlock(n) ? statements(n.statements) : statements([n]);
  }

  const body = statements(sf.statements);
  return { file, text, language: "typescript", body, exports };
}
