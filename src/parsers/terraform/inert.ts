import { cyclicLocals } from "./evaluate.js";
import { exprTree, type Block, type Expr, type ModuleCtx } from "./module.js";

/**
 * Permission policies and unreferenced policy documents that cannot matter, told from their text before
 * anything is evaluated (most policies of real modules are of this kind, and evaluating them was most of
 * the evaluation). Evaluating one of them would only add a permissions document (no principal: an
 * unreferenced document without one is read as a permissions policy too), which no rule reads; and it
 * would have no effect on anything else — no JSON text parsed (so no invalid-JSON problem), no template
 * rendered (`templatefile`, `data "template_file"`: `ParsedFile.templates`), no other policy document
 * marked as used, no local that refers to itself reported. The text checked is the expression's and,
 * transitively, that of every local, variable default, tfvars value and module argument it refers to.
 * What is not evaluated spends no evaluation budget: a permission policy can no longer exhaust the budget
 * a role's trust policy needs.
 */

/**
 * Words that make a policy's evaluation matter (see above); `…decode` turns text (a file's, a variable's)
 * into structure that may hold a principal.
 */
const WORDS = /principal|decode|templatefile|template_file|aws_iam_policy_document/i;
/**
 * References whose evaluation reads another block: a provider's `url` (other data sources and resources are
 * unknown values; `data.aws_iam_policy_document` and `data.template_file` are among the words).
 */
const READS_BLOCKS = /aws_iam_openid_connect_provider/;
const NAMES = /\b(var|local)\s*\.\s*([A-Za-z_][\w-]*)/g;
/** `data.aws_iam_policy_document.NAME.json` or `….NAME[0].json`, the whole expression. */
const DOCUMENT_JSON = /^data\.aws_iam_policy_document\.([A-Za-z_][\w-]*)(?:\[(\d+)\])?\.(?:json|minified_json)$/;

/** What an expression's text says (the same in every module instance): undefined when it is not quiet by itself. */
const textFacts = new WeakMap<Expr, [string, string][] | undefined>();

/** The `var.x` / `local.x` an expression names (`[kind, name]`), or undefined when its own text is not quiet. */
function namesRead(expr: Expr): [string, string][] | undefined {
  if (textFacts.has(expr)) return textFacts.get(expr);
  let names: [string, string][] | undefined;
  if (expr.kind === "hcl") {
    const text = expr.file.src.text.slice(expr.start, expr.end);
    if (!WORDS.test(text) && !READS_BLOCKS.test(text))
      names =
        text.includes("var") || text.includes("local")
          ? [...text.matchAll(NAMES)].map(([, kind = "", name = ""]) => [kind, name])
          : [];
  }
  textFacts.set(expr, names);
  return names;
}

/** Whether evaluating `expr` in `mod` has no effect beyond its value, and nothing it reads names a principal. */
export function quietExpr(expr: Expr, mod: ModuleCtx, seen: Set<Expr> = new Set()): boolean {
  if (seen.has(expr)) return true;
  seen.add(expr);
  const names = namesRead(expr);
  if (names === undefined) return false;
  for (const [kind, name] of names) {
    if (kind === "local") {
      if (cyclicLocals(mod).has(name)) return false;
      const attr = mod.locals.get(name);
      if (attr && !quietExpr(attr.expr, mod, seen)) return false;
      continue;
    }
    const arg = mod.args?.get(name);
    if (arg) {
      if (!quietExpr(arg.expr, arg.scope.module, seen)) return false;
      continue;
    }
    const set = mod.tfvars.get(name);
    if (set && !quietExpr(set.expr, mod, seen)) return false;
    const def = mod.variables.get(name)?.attrs.get("default");
    if (def && !quietExpr(def.expr, mod, seen)) return false;
  }
  return true;
}

/**
 * Whether a policy document block is quiet (as `quietExpr`): no principals, no effect. The documents it
 * merges (`source_policy_documents` …) are trees, so they are named in its text (`aws_iam_policy_document`,
 * `Principal` of a `jsonencode`), which is then not quiet; JSON text merges no statement.
 */
export function quietDocument(block: Block, mod: ModuleCtx): boolean {
  const seen = new Set<Expr>();
  const quietBody = (b: Block): boolean =>
    [...b.attrs.values()].every((attr) => quietExpr(attr.expr, mod, seen)) && b.blocks.every(quietBlock);
  const quietBlock = (b: Block): boolean => !WORDS.test(b.type) && !b.labels.some((l) => WORDS.test(l)) && quietBody(b);
  return quietBody(block);
}

/**
 * A permission policy's `policy` expression that needs no evaluation: a quiet `jsonencode({ … })` (an
 * object: no JSON text parsed) → "quiet"; `data.aws_iam_policy_document.X.json` (or `X[N].json`) of a
 * quiet document X → X and the index (evaluating the policy would only mark X used, when that instance
 * exists); anything else → undefined.
 */
export function quietPermissions(
  expr: Expr,
  mod: ModuleCtx,
): "quiet" | { document: Block; index: string | undefined } | undefined {
  if (expr.kind !== "hcl") return undefined;
  const text = expr.file.src.text.slice(expr.start, expr.end);
  const ref = DOCUMENT_JSON.exec(text);
  if (ref) {
    const document = mod.data.get(`aws_iam_policy_document.${ref[1] ?? ""}`);
    if (!document) return "quiet";
    return quietDocument(document, mod) ? { document, index: ref[2] } : undefined;
  }
  if (!text.startsWith("jsonencode") || !quietExpr(expr, mod)) return undefined;
  const ast = exprTree(expr);
  const encoded = ast?.type === "call" && ast.name === "jsonencode" && !ast.expandFinal ? ast.args : [];
  return encoded.length === 1 && encoded[0]?.type === "object" ? "quiet" : undefined;
}
