import { cyclicLocals, evaluate } from "./evaluate.js";
import {
  exprTree,
  namesIn,
  NO_NAMES,
  type Block,
  type Expr,
  type ModuleCtx,
  type Scope,
  type TextFacts,
} from "./module.js";
import { skipBody } from "./hcl-scan.js";
import { policyDocumentTree } from "./policy-document.js";

/**
 * Permission policies and unreferenced policy documents that cannot matter, told from their text before
 * anything is evaluated (most policies of real modules are of this kind, and evaluating them was most of
 * the evaluation). Evaluating one of them would only add a permissions document (no principal: an
 * unreferenced document without one is read as a permissions policy too), which no rule reads; and it
 * would have no effect on anything else — no JSON text parsed (so no invalid-JSON problem), no template
 * rendered (`templatefile`, `data "template_file"`: `ParsedFile.templates`), no policy document marked as
 * used whose use matters (one `emitUnusedDocuments` would otherwise judge), no local that refers to itself
 * reported. The text checked is the expression's and, transitively, that of every local, variable default
 * and type, tfvars value, module argument and policy document it refers to; the one value evaluated is the collection
 * of a `dynamic "statement"` whose content has principals (none when it is empty). Nor are the instances
 * (`count`, `for_each`) of such a permission policy evaluated, when that has no effect either. What is not
 * evaluated spends no evaluation budget: a permission policy can no longer exhaust the budget a role's trust
 * policy needs.
 */

/** Words that may put a principal in a value: a `Principal` key; `…decode` turns text into structure that may hold one. */
const PRINCIPAL_WORDS = /principal|decode/i;
/**
 * Words whose evaluation has an effect: a template rendered (`templatefile`, `data "template_file"`), another
 * block read (a provider's `url`; other data sources and resources are unknown values). Policy documents
 * (`data.aws_iam_policy_document.X`) are followed instead (`clean`).
 */
const EFFECT_WORDS = /templatefile|template_file|aws_iam_openid_connect_provider/i;
const DOCUMENT_REFS = /\bdata\s*\.\s*aws_iam_policy_document\s*\.\s*([A-Za-z_][\w-]*)/g;
const DOCUMENT_WORD = /aws_iam_policy_document/g;
/** `data.aws_iam_policy_document.NAME.json` or `….NAME[0].json`, the whole expression. */
const DOCUMENT_JSON = /^data\.aws_iam_policy_document\.([A-Za-z_][\w-]*)(?:\[(\d+)\])?\.(?:json|minified_json)$/;

/** An expression's `TextFacts`, read once (kept on the expression, as its tree is). */
function factsOf(expr: Expr): TextFacts | undefined {
  const known = expr.facts;
  if (known !== undefined) return known ?? undefined;
  let facts: TextFacts | undefined;
  if (expr.kind === "hcl") {
    const text = expr.file.src.text.slice(expr.start, expr.end);
    const mentions = text.includes("aws_iam_policy_document") ? (text.match(DOCUMENT_WORD)?.length ?? 0) : 0;
    const documents = mentions > 0 ? [...text.matchAll(DOCUMENT_REFS)].map(([, name = ""]) => name) : [];
    // Every mention of a policy document must be a reference to one by name.
    if (!EFFECT_WORDS.test(text) && documents.length === mentions)
      facts = {
        names: text.includes("var") || text.includes("local") ? namesIn(text) : [],
        documents,
        principals: PRINCIPAL_WORDS.test(text),
      };
  }
  expr.facts = facts ?? null;
  return facts;
}

/**
 * Whether evaluating `expr` in `mod` has no effect beyond its value and, with `principals`, nothing it reads can
 * put a principal in it. Followed through the locals, variable defaults, tfvars values and module arguments it
 * names, and the policy documents it names: each must be `inertDocument` here and in its module read on its
 * own, where `emitUnusedDocuments` would otherwise judge it (so that not recording its use changes nothing).
 */
function clean(expr: Expr, mod: ModuleCtx, principals: boolean, seen: Set<Expr>): boolean {
  let memos = cleanExprs.get(mod.cache);
  if (!memos) cleanExprs.set(mod.cache, (memos = [new Map<Expr, boolean>(), new Map<Expr, boolean>()]));
  const memo = memos[principals ? 1 : 0];
  const known = memo.get(expr);
  if (known !== undefined) return known;
  // Reached again while it is decided (a reference checked already, or a variable default naming itself).
  if (seen.has(expr)) return true;
  seen.add(expr);
  const result = cleanText(expr, mod, principals, seen);
  memo.set(expr, result);
  return result;
}

/** Per module instance (its `cache`): `clean` of each expression, without and with `principals`. */
const cleanExprs = new WeakMap<ModuleCtx["cache"], [Map<Expr, boolean>, Map<Expr, boolean>]>();

function cleanText(expr: Expr, mod: ModuleCtx, principals: boolean, seen: Set<Expr>): boolean {
  const facts = factsOf(expr);
  return facts !== undefined && !(principals && facts.principals) && referencesClean(facts, mod, principals, seen);
}

/** What expressions refer to: locals and variables (`[kind, name]`), policy documents by name. */
interface References {
  names: [string, string][];
  documents: string[];
}

/** `clean` of what some expressions refer to (the expressions themselves are clean). */
function referencesClean(refs: References, mod: ModuleCtx, principals: boolean, seen: Set<Expr>): boolean {
  for (let i = 0; i < refs.documents.length; i++) {
    const name = refs.documents[i] ?? "";
    const document = mod.data.get(`aws_iam_policy_document.${name}`);
    if (document && !(inertDocument(document, mod) && inertDocument(document, mod.root ?? mod))) return false;
  }
  for (let i = 0; i < refs.names.length; i++) {
    const ref = refs.names[i] as [string, string];
    const kind = ref[0];
    const name = ref[1];
    if (kind === "local") {
      if (cyclicLocals(mod).has(name)) return false;
      const attr = mod.locals.get(name);
      if (attr && !clean(attr.expr, mod, principals, seen)) return false;
      continue;
    }
    // The variable's type fills in the defaults of `optional(T, DEFAULT)` attributes, whatever gives the value.
    const type = mod.variables.get(name)?.attrs.get("type");
    if (type && !clean(type.expr, mod, principals, seen)) return false;
    const arg = mod.args?.get(name);
    if (arg) {
      if (!clean(arg.expr, arg.scope.module, principals, seen)) return false;
      continue;
    }
    const set = mod.tfvars.get(name);
    if (set && !clean(set.expr, mod, principals, seen)) return false;
    const def = mod.variables.get(name)?.attrs.get("default");
    if (def && !clean(def.expr, mod, principals, seen)) return false;
  }
  return true;
}

/** Whether evaluating `expr` in `mod` has no effect beyond its value, and nothing it reads can put a principal in it. */
export function quietExpr(expr: Expr, mod: ModuleCtx): boolean {
  return clean(expr, mod, true, new Set());
}

/** Whether evaluating a block's `count` and `for_each` (its instances) has no effect. */
export function quietInstances(block: Block, mod: ModuleCtx): boolean {
  return ["count", "for_each"].every((name) => {
    const attr = block.attrs.get(name);
    return !attr || clean(attr.expr, mod, false, new Set());
  });
}

/** Attributes whose documents' statements join the document's (as trees: JSON text joins none). */
const MERGED = new Set(["source_policy_documents", "override_policy_documents", "source_json", "override_json"]);
const PRINCIPAL_BLOCKS = new Set(["principals", "not_principals"]);

/** Per module instance (its `cache`): the policy documents found inert, or not. */
const inertDocuments = new WeakMap<ModuleCtx["cache"], Map<Block, boolean>>();

/**
 * A policy document whose evaluation in `mod` gives no principal and has no effect (see above): no `principals`
 * or `not_principals` block, but inside a `dynamic "statement"` over a collection known to be empty (which is
 * evaluated: it has no effect); merged documents (`source_policy_documents` …) as quiet as `quietExpr`; every
 * other expression without effect (a principal named in an action, a resource or a condition value is none).
 * Such a document, unreferenced, is left alone (it would be read as a permissions policy, which no rule reads).
 */
export function inertDocument(block: Block, mod: ModuleCtx): boolean {
  let known = inertDocuments.get(mod.cache);
  if (!known) inertDocuments.set(mod.cache, (known = new Map<Block, boolean>()));
  const found = known.get(block);
  if (found !== undefined) return found;
  // A document reached again while it is decided (a cycle of documents) is not inert.
  known.set(block, false);
  const inert = inertBody(block, mod);
  known.set(block, inert);
  return inert;
}

/**
 * What a policy document's expressions say, the same in every module instance: whether each is clean by its own
 * text (merged documents' without a principal), what they refer to, and the `dynamic "statement"` blocks with
 * principals in their content (never read when their collection is empty: their own attributes only).
 */
interface DocumentFacts {
  clean: boolean;
  /** What the merged documents' expressions refer to: nothing there may put a principal in. */
  merged: References;
  refers: References;
  dynamics: Block[];
}

const documentFacts = new WeakMap<Block, DocumentFacts>();

function factsOfDocument(block: Block): DocumentFacts {
  const known = documentFacts.get(block);
  if (known) return known;
  const facts: DocumentFacts = {
    clean: true,
    merged: { names: [], documents: [] },
    refers: { names: [], documents: [] },
    dynamics: [],
  };
  const add = (expr: Expr, merged: boolean): void => {
    const f = factsOf(expr);
    if (!f || (merged && f.principals)) facts.clean = false;
    else {
      const to = merged ? facts.merged : facts.refers;
      to.names.push(...f.names);
      to.documents.push(...f.documents);
    }
  };
  const walk = (b: Block): void => {
    b.attrs.forEach((attr, name) => {
      add(attr.expr, MERGED.has(name));
    });
    for (let i = 0; i < b.blocks.length; i++) {
      const child = b.blocks[i] as Block;
      if (principalBlock(child)) facts.clean = false;
      else if (child.type === "dynamic" && child.labels[0] === "statement" && child.blocks.some(holdsPrincipals)) {
        for (const attr of child.attrs.values()) add(attr.expr, false);
        facts.dynamics.push(child);
      } else walk(child);
    }
  };
  walk(block);
  documentFacts.set(block, facts);
  return facts;
}

function inertBody(block: Block, mod: ModuleCtx): boolean {
  const facts = factsOfDocument(block);
  return (
    facts.clean &&
    referencesSomethingClean(facts.merged, mod, true) &&
    referencesSomethingClean(facts.refers, mod, false) &&
    // Evaluated once every expression is known to be clean.
    facts.dynamics.every((d) => emptyCollection(d, mod))
  );
}

/** `referencesClean` from a fresh start; references to nothing (most documents merge none) need no set of their own. */
function referencesSomethingClean(refs: References, mod: ModuleCtx, principals: boolean): boolean {
  return (refs.names.length === 0 && refs.documents.length === 0) || referencesClean(refs, mod, principals, new Set());
}

function principalBlock(b: Block): boolean {
  return PRINCIPAL_BLOCKS.has(b.type) || (b.type === "dynamic" && PRINCIPAL_BLOCKS.has(b.labels[0] ?? ""));
}

function holdsPrincipals(b: Block): boolean {
  return principalBlock(b) || b.blocks.some(holdsPrincipals);
}

/** Whether a `dynamic` block's `for_each` is known to be an empty collection (evaluated as `emitModule` would). */
function emptyCollection(dynamic: Block, mod: ModuleCtx): boolean {
  const forEach = dynamic.attrs.get("for_each");
  if (!forEach) return false;
  const scope: Scope = { module: mod, names: NO_NAMES, depth: 0, policyDocument: policyDocumentTree };
  const v = evaluate(forEach.expr, scope);
  return (v.kind === "array" && v.items.length === 0) || (v.kind === "object" && v.entries.length === 0);
}

/**
 * A permission policy's `policy` expression that needs no evaluation: a quiet `jsonencode({ … })` (an
 * object: no JSON text parsed) → "quiet"; `data.aws_iam_policy_document.X.json` (or `X[N].json`) of an
 * inert document X → X and the index (evaluating the policy would only mark X used, when that instance
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
    return inertDocument(document, mod) ? { document, index: ref[2] } : undefined;
  }
  if (!text.startsWith("jsonencode") || !quietExpr(expr, mod)) return undefined;
  if (expr.scanned && !expr.ast && encodesOneObject(expr, text)) return "quiet";
  const ast = exprTree(expr);
  const encoded = ast?.type === "call" && ast.name === "jsonencode" && !ast.expandFinal ? ast.args : [];
  return encoded.length === 1 && encoded[0]?.type === "object" ? "quiet" : undefined;
}

/** `jsonencode(` and an object constructor's `{` (blanks between, no comment), at the start of an expression. */
const ENCODE_OPEN = /^jsonencode[ \t]*\([ \t\r\n]*\{/;
/** Blanks (no comment), then the call's `)`. */
const CALL_CLOSE = /[ \t\r\n]*\)/y;
/** After the object's `{`: blanks, then `for` (a `for` expression) or a comment (left to the parser). */
const FOR_OR_COMMENT = /[ \t\r\n]*(?:for(?![\w-])|#|\/)/y;

/**
 * Whether a scanned expression, not parsed yet, is written `jsonencode({ … })` (what `exprTree` would give as a
 * call of `jsonencode` on one object constructor, were it parsed), told from its text: the object's braces are
 * matched by the scan, which follows strings, heredocs, comments and brackets as the parser does. A quiet
 * permission policy is never evaluated, so its expression is not parsed (a syntax error inside the object is one
 * in an expression no rule reads: Terraform's to report). Anything else written around it (a comment, a `for`,
 * another argument, an operator) is left to the parser. `text` is the expression's.
 */
function encodesOneObject(expr: Extract<Expr, { kind: "hcl" }>, text: string): boolean {
  const t = expr.file.src.text;
  const m = ENCODE_OPEN.exec(text);
  if (!m) return false;
  const open = expr.start + m[0].length - 1;
  FOR_OR_COMMENT.lastIndex = open + 1;
  if (FOR_OR_COMMENT.test(t)) return false;
  const close = skipBody(t, open);
  if (close < 0 || close > expr.end) return false;
  CALL_CLOSE.lastIndex = close;
  return CALL_CLOSE.test(t) && CALL_CLOSE.lastIndex === expr.end;
}
