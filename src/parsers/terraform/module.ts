import { LineIndex, type SourceLocation } from "../../model/location.js";
import type { TreeNode } from "../tree.js";
import type { ParseEnv, SourceFile } from "../source.js";
import { parseExpressionAt, type HclExpr } from "./hcl-expression.js";
import { attributeExpression, parseTopBlock, type HclBlock as ParsedHclBlock, type HclBody } from "./hcl-body.js";
import { scanBody, scanTopLevel, type TopBlock } from "./hcl-scan.js";
import { Budget } from "./limits.js";

/**
 * A Terraform module directory as oidclint sees it: the blocks of its files (HCL or `.tf.json`), its
 * variables with the values `terraform.tfvars` / `*.auto.tfvars` give them, and its locals. Values are
 * evaluated lazily by `evaluate.ts`, only when a policy needs them.
 */
export interface TfFile {
  src: SourceFile;
  index: LineIndex;
}

/** A file of a module whose line index is built when a location in it is first asked for: most blocks of a module are never read. */
export class ModuleFile implements TfFile {
  private lines: LineIndex | undefined;

  constructor(readonly src: SourceFile) {}

  get index(): LineIndex {
    return (this.lines ??= new LineIndex(this.src.path, this.src.text));
  }
}

/** An attribute's expression: a span of an HCL file, or a value of a `.tf.json` file (strings are templates there). */
export type Expr =
  /**
   * `checked`: the TypeScript parser read it (its tree, `ast`, is parsed again when first evaluated), or, with
   * `scanned`, found its extent without parsing it (`scanBody`); else hcl2json's (`ast` read at load).
   */
  | {
      kind: "hcl";
      file: TfFile;
      start: number;
      end: number;
      checked?: true;
      scanned?: true;
      ast?: HclExpr;
      facts?: TextFacts | null;
    }
  | { kind: "json"; file: TfFile; node: TreeNode; facts?: TextFacts | null };

/**
 * What an expression's own text says (the same in every module instance), read once by `inert.ts` (`factsOf`); null
 * for an expression whose evaluation may have an effect by itself (or that is not HCL text).
 */
export interface TextFacts {
  /** The `var.x` / `local.x` it names (`[kind, name]`). */
  names: [string, string][];
  /** The policy documents it names (`data.aws_iam_policy_document.NAME`). */
  documents: string[];
  /** Whether it may put a principal in its value (`PRINCIPAL_WORDS` in inert.ts). */
  principals: boolean;
}

export interface Attr {
  name: string;
  expr: Expr;
  /** The attribute name. */
  loc: SourceLocation;
}

export interface Block {
  type: string;
  labels: string[];
  attrs: Map<string, Attr>;
  blocks: Block[];
  /** The block header (its type keyword). */
  loc: SourceLocation;
  file: TfFile;
}

/** The names of a scope that binds none (scopes' names are never changed: a scope binding more makes a new Map). */
export const NO_NAMES: ReadonlyMap<string, TreeNode> = new Map();

/** What an expression is evaluated in (`evaluate.ts`). */
export interface Scope {
  module: ModuleCtx;
  /** Names bound by `for`, dynamic-block iterators and `templatefile` variables. */
  names: ReadonlyMap<string, TreeNode>;
  depth: number;
  /** Set while a template file is rendered: Terraform refuses `templatefile()` inside a template. */
  inTemplate?: boolean;
  /** Called when a `data.aws_iam_policy_document.X.json` is used: builds that document's tree. */
  policyDocument?: (block: Block, scope: Scope) => TreeNode;
  /** The same scope one level deeper, once made (`deeperScope`): the only field set after a scope is made. */
  deeper?: Scope;
}

/**
 * `scope` with other names and depth, made as one literal of one shape: a copy by spreading (`{ ...scope, depth }`)
 * is slow in the interpreter a cold run mostly runs in, and evaluation makes one for most nodes it evaluates.
 */
export function scopeWith(scope: Scope, names: ReadonlyMap<string, TreeNode>, depth: number): Scope {
  return {
    module: scope.module,
    names,
    depth,
    inTemplate: scope.inTemplate,
    policyDocument: scope.policyDocument,
    deeper: undefined,
  };
}

/** `scope` one level deeper, made once per scope (most nodes evaluated are one level below another, in few scopes). */
export function deeperScope(scope: Scope): Scope {
  return (scope.deeper ??= scopeWith(scope, scope.names, scope.depth + 1));
}

export interface ModuleCtx {
  /** Directory relative to the root, `.` for the root itself. */
  dir: string;
  env: ParseEnv;
  variables: Map<string, Block>;
  /** Values of `terraform.tfvars` and `*.auto.tfvars` (later files win, as in Terraform). */
  tfvars: Map<string, Attr>;
  locals: Map<string, Attr>;
  resources: Map<string, Block>;
  data: Map<string, Block>;
  modules: Block[];
  /**
   * Set when the module is read as called by a `module` block of the linted files: the call's
   * arguments, which give its variables their values (over their defaults).
   */
  args?: ModuleArgs;
  /**
   * Set with `args`: the module read on its own (its defaults, no arguments), in which `emitUnusedDocuments`
   * judges its policy documents that no instance used.
   */
  root?: ModuleCtx;
  /** Evaluated variables and locals, by `var.x` / `local.x`. */
  cache: Map<string, TreeNode>;
  /** What the evaluation of the root module this instance belongs to has spent (see `limits.ts`). */
  budget: Budget;
}

/**
 * An argument of a `module` call: evaluated in the caller's scope; `call` is the `module` block's label, which the
 * origin of its value names (`module "deploy" argument subjects`).
 */
export interface ModuleArg {
  expr: Expr;
  scope: Scope;
  call: string;
}

/** Meta-arguments of a `module` block: everything else binds a variable of the called module. */
const MODULE_META = new Set(["source", "version", "count", "for_each", "providers", "depends_on"]);

/**
 * The arguments one instance of a `module` call gives the called module's variables (`scope`: the instance's), read
 * from the block when a variable asks for one (most of a call's arguments are never read).
 */
export class ModuleArgs {
  constructor(
    private readonly block: Block,
    private readonly scope: Scope,
  ) {}

  get(name: string): ModuleArg | undefined {
    if (MODULE_META.has(name)) return undefined;
    const attr = this.block.attrs.get(name);
    return attr && { expr: attr.expr, scope: this.scope, call: this.block.labels[0] ?? "" };
  }
}

/** The tfvars of every called module: none (read only; a root module's own are filled when it is loaded). */
const NO_TFVARS = new Map<string, never>();

/**
 * `mod` as one instance of a `module` call reads it: with the call's arguments and its own cache of values, spending
 * the caller's budget. Terraform applies tfvars files to the root module only: a called module sees its arguments
 * and defaults. (Written out, not spread: one per module instance.)
 */
export function moduleInstance(mod: ModuleCtx, args: ModuleArgs, budget: Budget): ModuleCtx {
  return {
    dir: mod.dir,
    env: mod.env,
    variables: mod.variables,
    tfvars: NO_TFVARS,
    locals: mod.locals,
    resources: mod.resources,
    data: mod.data,
    modules: mod.modules,
    args,
    root: mod,
    cache: new Map(),
    budget,
  };
}

export function newModule(dir: string, env: ParseEnv, budget: Budget = new Budget(new Set())): ModuleCtx {
  return {
    dir,
    env,
    variables: new Map(),
    tfvars: new Map(),
    locals: new Map(),
    resources: new Map(),
    data: new Map(),
    modules: [],
    cache: new Map(),
    budget,
  };
}

/**
 * An attribute of an HCL file. Its location (the name) is computed when asked for: most attributes of a
 * module are never evaluated, and their locations would only be kept alive for the run.
 */
class HclAttr implements Attr {
  private at: SourceLocation | undefined;

  constructor(
    readonly name: string,
    readonly expr: Expr,
    private readonly file: TfFile,
    private readonly nameStart: number,
  ) {}

  get loc(): SourceLocation {
    return (this.at ??= this.file.index.span(this.nameStart, this.nameStart + this.name.length));
  }
}

/** A block of an HCL file, its location (the type keyword) computed when asked for, as for `HclAttr`. */
class HclBlock implements Block {
  private at: SourceLocation | undefined;

  constructor(
    readonly type: string,
    readonly labels: string[],
    readonly attrs: Map<string, Attr>,
    readonly blocks: Block[],
    readonly file: TfFile,
    private readonly typeStart: number,
  ) {}

  get loc(): SourceLocation {
    return (this.at ??= this.file.index.span(this.typeStart, this.typeStart + this.type.length));
  }
}

/** Turns the parsed HCL body of one file into blocks (the file itself: a block of type "" at offset 0). */
export function blocksOfHcl(file: TfFile, body: HclBody): Block {
  return convertBody(file, body, "", [], 0);
}

function convertBody(file: TfFile, b: HclBody, type: string, labels: string[], typeStart: number): Block {
  const attrs = new Map<string, Attr>();
  for (let i = 0; i < b.attributes.length; i++) {
    const a = b.attributes[i] as HclBody["attributes"][number];
    const expr: Expr = a.tree
      ? { kind: "hcl", file, start: a.exprStart, end: a.exprEnd, checked: true, ast: a.tree }
      : a.scanned
        ? { kind: "hcl", file, start: a.exprStart, end: a.exprEnd, checked: true, scanned: true }
        : a.checked
          ? { kind: "hcl", file, start: a.exprStart, end: a.exprEnd, checked: true }
          : { kind: "hcl", file, start: a.exprStart, end: a.exprEnd };
    attrs.set(a.name, new HclAttr(a.name, expr, file, a.nameStart));
  }
  const blocks = b.blocks.map((blk: ParsedHclBlock) =>
    convertBody(
      file,
      blk.body,
      blk.type,
      blk.labels.map((l) => l.value),
      blk.typeStart,
    ),
  );
  return new HclBlock(type, labels, attrs, blocks, file, typeStart);
}

/**
 * The tree of an HCL expression (undefined for a `.tf.json` value and one hcl2json could not give). An
 * expression found by the scan of a block's body is parsed now: a syntax error there, or an end the parser
 * does not agree with, throws `BlockSyntaxError` (the file is then parsed whole).
 */
export function exprTree(expr: Expr): HclExpr | undefined {
  if (expr.kind !== "hcl" || expr.ast || !expr.checked) return expr.kind === "hcl" ? expr.ast : undefined;
  const text = expr.file.src.text;
  if (!expr.scanned) return (expr.ast = attributeExpression(text, expr.start));
  const r = parseExpressionAt(text, expr.start);
  if ("error" in r || r.value.end !== expr.end) throw new BlockSyntaxError(expr.file.src.path);
  return (expr.ast = r.value);
}

/**
 * A syntax error found in a top-level block or expression when it was first read (`LazyBlock`, `exprTree`): the
 * file is then parsed whole, as a file with a syntax error always was (`parseTerraform` starts the evaluation again).
 */
export class BlockSyntaxError extends Error {
  constructor(readonly path: string) {
    super(`a syntax error in ${path}`);
  }
}

/**
 * A top-level block of an HCL file whose body is parsed when first read (`attrs`, `blocks`): the blocks
 * no evaluation reaches are never parsed (`hcl-scan.ts`).
 */
class LazyBlock implements Block {
  private at: SourceLocation | undefined;
  private parsed: Block | undefined;

  constructor(
    readonly type: string,
    readonly labels: string[],
    readonly file: TfFile,
    private readonly typeStart: number,
    private readonly open: number,
  ) {}

  get loc(): SourceLocation {
    return (this.at ??= this.file.index.span(this.typeStart, this.typeStart + this.type.length));
  }

  get attrs(): Map<string, Attr> {
    return this.body().attrs;
  }

  get blocks(): Block[] {
    return this.body().blocks;
  }

  /**
   * The block, its body scanned (its expressions parsed when read), or parsed when the scan does not understand
   * it; throws `BlockSyntaxError` when it has a syntax error.
   */
  body(): Block {
    if (this.parsed) return this.parsed;
    const text = this.file.src.text;
    let body = scanBody(text, this.open);
    if (!body) {
      const r = parseTopBlock(text, this.typeStart);
      if ("problem" in r) throw new BlockSyntaxError(this.file.src.path);
      body = r.body;
    }
    this.parsed = convertBody(this.file, body, this.type, this.labels, this.typeStart);
    return this.parsed;
  }
}

/** Parses a block read lazily now (`BlockSyntaxError` when it has a syntax error); other blocks are parsed already. */
export function parseNow(block: Block): void {
  if (block instanceof LazyBlock) block.body();
}

/**
 * The top-level blocks a module keeps (`kept`) of one HCL file, found by `scanTopLevel`, their bodies parsed when
 * first read; undefined when the scan does not understand the file.
 */
export function lazyBlocksOfHcl(file: TfFile): Block | undefined {
  const scanned = scanTopLevel(file.src.text, kept);
  if (!scanned) return undefined;
  const blocks: Block[] = [];
  for (let i = 0; i < scanned.length; i++) {
    const b = scanned[i] as TopBlock;
    blocks.push(
      new LazyBlock(
        b.type,
        b.labels.map((l) => l.value),
        file,
        b.typeStart,
        b.open,
      ),
    );
  }
  return new HclBlock("", [], new Map(), blocks, file, 0);
}

/** Data sources whose blocks evaluation reads (`resolveTraversal` in evaluate.ts); other data sources are unknown values. */
const DATA_READ = new Set(["aws_iam_policy_document", "aws_iam_openid_connect_provider", "template_file"]);

/**
 * Whether a module keeps a top-level block (`addToModule`): variables, locals, module calls, the resources evaluation
 * reads (`aws_iam_*`: roles, policies, OIDC providers) and the data sources of `DATA_READ`. Other blocks (outputs,
 * providers, the resources of other services) are never read.
 */
function kept(type: string, label: string | undefined): boolean {
  if (type === "resource") return label !== undefined && label.startsWith("aws_iam_");
  if (type === "data") return label !== undefined && DATA_READ.has(label);
  return type === "variable" || type === "locals" || type === "module";
}

/** Nested block types of the resources oidclint reads, for `.tf.json` where blocks and attributes look alike. */
const JSON_BLOCK_TYPES = new Set(["statement", "principals", "not_principals", "condition", "dynamic", "content"]);

/** Turns a `.tf.json` document into blocks (top-level `resource`, `data`, `variable`, `locals`, `module`). */
export function blocksOfJson(file: TfFile, root: TreeNode): Block {
  const top: Block = { type: "", labels: [], attrs: new Map(), blocks: [], loc: root.loc, file };
  if (root.kind !== "object") return top;
  const bodyOf = (node: TreeNode, type: string, labels: string[], loc: SourceLocation): Block => {
    const blk: Block = { type, labels, attrs: new Map(), blocks: [], loc, file };
    const objects = node.kind === "array" ? node.items : [node];
    for (const obj of objects) {
      if (obj.kind !== "object") continue;
      for (const e of obj.entries) {
        if (JSON_BLOCK_TYPES.has(e.key.value) && (e.value.kind === "object" || e.value.kind === "array")) {
          if (e.key.value === "dynamic" && e.value.kind === "object") {
            for (const d of e.value.entries) blk.blocks.push(bodyOf(d.value, "dynamic", [d.key.value], d.key.loc));
          } else {
            const items = e.value.kind === "array" ? e.value.items : [e.value];
            for (const item of items) blk.blocks.push(bodyOf(item, e.key.value, [], item.loc));
          }
        } else
          blk.attrs.set(e.key.value, {
            name: e.key.value,
            expr: { kind: "json", file, node: e.value },
            loc: e.key.loc,
          });
      }
    }
    return blk;
  };
  for (const e of root.entries) {
    const kind = e.key.value;
    if (e.value.kind !== "object" && !(kind === "locals" && e.value.kind === "array")) continue;
    if (kind === "resource" || kind === "data") {
      if (e.value.kind !== "object") continue;
      for (const t of e.value.entries) {
        if (t.value.kind !== "object") continue;
        for (const n of t.value.entries) top.blocks.push(bodyOf(n.value, kind, [t.key.value, n.key.value], n.key.loc));
      }
    } else if (kind === "variable" || kind === "module") {
      if (e.value.kind !== "object") continue;
      for (const n of e.value.entries) top.blocks.push(bodyOf(n.value, kind, [n.key.value], n.key.loc));
    } else if (kind === "locals") {
      top.blocks.push(bodyOf(e.value, "locals", [], e.key.loc));
    }
  }
  return top;
}

/** Adds the top-level blocks of one file to its module. */
export function addToModule(mod: ModuleCtx, top: Block): void {
  const blocks = top.blocks;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i] as Block;
    const a = b.labels[0];
    const n = b.labels[1];
    if (!kept(b.type, a)) continue;
    if (b.type === "variable" && a !== undefined) mod.variables.set(a, b);
    else if (b.type === "locals") b.attrs.forEach((attr, k) => mod.locals.set(k, attr));
    else if (b.type === "resource" && a !== undefined && n !== undefined) mod.resources.set(`${a}.${n}`, b);
    else if (b.type === "data" && a !== undefined && n !== undefined) mod.data.set(`${a}.${n}`, b);
    else if (b.type === "module") mod.modules.push(b);
  }
}

/** After a string's opening quote: text without escapes or template sequences, and the closing quote. */
const PLAIN_BODY = /[^"\\$%]*"/y;

/** The text of an HCL expression that is a quoted string without escapes or template sequences (`"./modules/x"`). */
export function plainText(expr: Expr): string | undefined {
  if (expr.kind !== "hcl") return undefined;
  const t = expr.file.src.text;
  if (t.charCodeAt(expr.start) !== 34 || expr.end - expr.start < 2) return undefined;
  // Matched in place: the expression's text is not copied, no match array made.
  PLAIN_BODY.lastIndex = expr.start + 1;
  return PLAIN_BODY.test(t) && PLAIN_BODY.lastIndex === expr.end ? t.slice(expr.start + 1, expr.end - 1) : undefined;
}

/** `file.tf:12`, for origins. */
export function where(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}`;
}

const NAMES = /\b(var|local)\s*\.\s*([A-Za-z_][\w-]*)/g;

/** The `var.x` / `local.x` an expression's text names (`[kind, name]`). */
export function namesIn(text: string): [string, string][] {
  // (A loop over `exec`: `matchAll` and destructuring make iterators and copies in a cold process.)
  const out: [string, string][] = [];
  NAMES.lastIndex = 0;
  for (let m = NAMES.exec(text); m; m = NAMES.exec(text)) out.push([m[1] ?? "", m[2] ?? ""]);
  return out;
}
