/**
 * The small language-neutral program form that TypeScript/JavaScript and Python are lowered into, so that
 * one evaluator (`interpreter.ts`) and one set of library models (`libraries.ts`) serve both languages.
 * Only what the evaluator understands has a node; anything else is `opaque` and evaluates to an unknown
 * named by its source text. Spans are offsets into the module's text.
 */

export interface Span {
  from: number;
  to: number;
}

export type Expr =
  /** A string literal; `contentFrom` is the offset of its first character inside the quotes, `exact` when
   * the literal has no escapes (every character of the value sits at its own offset). */
  | { k: "str"; text: string; span: Span; contentFrom: number; exact: boolean }
  | { k: "num"; value: number; span: Span }
  | { k: "bool"; value: boolean; span: Span }
  | { k: "null"; span: Span }
  /** Template literal or f-string: literal pieces (`str`) and interpolated expressions, in order. */
  | { k: "tpl"; parts: Expr[]; span: Span }
  | { k: "name"; name: string; span: Span }
  | { k: "this"; span: Span }
  /** `optional`: written `?.` (a member of `null`/`undefined` is then `undefined`). */
  | { k: "member"; object: Expr; name: string; span: Span; optional?: boolean }
  | { k: "index"; object: Expr; index: Expr; span: Span }
  | { k: "call"; callee: Expr; args: Arg[]; isNew: boolean; span: Span }
  | { k: "object"; entries: ObjectEntry[]; span: Span }
  | { k: "array"; items: ArrayItem[]; span: Span }
  | { k: "fn"; fn: FunctionDef; span: Span }
  | { k: "binary"; op: string; left: Expr; right: Expr; span: Span }
  | { k: "cond"; test: Expr; then: Expr; else: Expr; span: Span }
  /** Python list comprehension with one `for` (and no `if`): `[element for target in iter]`. */
  | { k: "comp"; element: Expr; target: Pattern; iter: Expr; span: Span }
  /** A tagged template (`pulumi.interpolate\`…\``). */
  | { k: "tagged"; tag: Expr; template: Expr; span: Span }
  | { k: "opaque"; span: Span };

export interface Arg {
  value: Expr;
  /** `...xs` / `*xs` */
  spread?: boolean;
  /** Python keyword argument. */
  name?: string;
  /** Python `**kwargs`. */
  kwSpread?: boolean;
}

export type ObjectEntry = { key: Expr; value: Expr; span: Span } | { spread: Expr };
export type ArrayItem = { value: Expr } | { spread: Expr };

export type Pattern =
  | { k: "name"; name: string; span: Span }
  | { k: "objpat"; props: { key: string; target: Pattern; init?: Expr }[]; rest?: string; span: Span }
  | { k: "arrpat"; items: (Pattern | undefined)[]; span: Span };

export interface Param {
  target: Pattern;
  init?: Expr;
  /** `...rest` / `*args` */
  rest?: boolean;
  /** Python `**kwargs` */
  kwRest?: boolean;
}

export interface FunctionDef {
  name?: string;
  params: Param[];
  /** Statements, or one expression (arrow function, lambda). */
  body: Stmt[] | Expr;
  span: Span;
}

export interface ClassDef {
  name: string;
  superClass?: Expr;
  ctor?: FunctionDef;
  methods: FunctionDef[];
  /** Property initialisers (`readonly x = …`), run before the constructor body. */
  fields: { name: string; value: Expr }[];
  span: Span;
}

export type Stmt =
  | { k: "let"; target: Pattern; init?: Expr; span: Span }
  | { k: "assign"; target: Expr; value: Expr; span: Span }
  | { k: "expr"; expr: Expr; span: Span }
  | { k: "return"; value?: Expr; span: Span }
  | { k: "if"; test: Expr; then: Stmt[]; else: Stmt[]; span: Span }
  | { k: "for"; target: Pattern; iter: Expr; body: Stmt[]; span: Span }
  | { k: "func"; fn: FunctionDef; span: Span }
  | { k: "class"; cls: ClassDef; span: Span }
  /** `imported` is `*` for a namespace import, `default` for a default import. */
  | { k: "import"; module: string; names: { imported: string; local: string }[]; span: Span }
  /** `export { a as b } from "./x"` / `export * from "./x"` (names empty: all). */
  | { k: "reexport"; module: string; names: { imported: string; exported: string }[]; span: Span };

export interface ProgramModule {
  /** Path relative to the root, `/` separators. */
  file: string;
  text: string;
  language: "typescript" | "python";
  body: Stmt[];
  /** Names the module exports; `all` for Python, where every top-level name can be imported. */
  exports: Map<string, string> | "all";
}
