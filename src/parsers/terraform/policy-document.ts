import type { SourceLocation } from "../../model/location.js";
import { child, type TreeEntry, type TreeNode } from "../tree.js";
import { displayText, knownText } from "../../model/value.js";
import { conditionValues } from "./conditional-values.js";
import { evaluate } from "./evaluate.js";
import { nodeOrigin } from "./embedded-json.js";
import { scopeWith, type Block, type Scope } from "./module.js";

/**
 * `data "aws_iam_policy_document"` → the `{ Version, Statement }` tree IAM receives, with every element
 * placed on the HCL that wrote it: `Effect` on `effect` (or the statement block when defaulted),
 * operators on `test`, keys on `variable`, values on `values`. `dynamic` blocks over known collections
 * are expanded; `condition` blocks with the same `test` and `variable` become one condition holding all
 * their values; `source_policy_documents` / `override_policy_documents` of the module are merged the
 * way the AWS provider does (overrides replace statements with the same `sid`).
 */
export function policyDocumentTree(block: Block, scope: Scope, seen: Set<Block> = new Set()): TreeNode {
  const loc = block.loc;
  scope.module.budget.used.add(block);
  if (seen.has(block))
    return { kind: "unknown", expr: `data.aws_iam_policy_document.${block.labels[1] ?? ""}.json`, loc };
  const inner = new Set(seen).add(block);
  const docScope: Scope = {
    module: scope.module,
    names: scope.names,
    depth: scope.depth,
    inTemplate: scope.inTemplate,
    policyDocument: (b, s) => policyDocumentTree(b, s, inner),
  };
  const own: TreeNode[] = [];
  const stmts = expand(block, "statement", docScope);
  for (let i = 0; i < stmts.length; i++) {
    const { block: stmt, scope: s } = stmts[i] as Expanded;
    own.push(statementTree(stmt, s));
  }
  const statements: TreeNode[] = [];
  const sidOf = (n: TreeNode): string | undefined => {
    const sid = child(n, "Sid");
    return sid?.kind === "string" ? knownText(sid.value) : undefined;
  };
  const source = documentList(block, ["source_policy_documents", "source_json"], docScope);
  const override = documentList(block, ["override_policy_documents", "override_json"], docScope);
  const ownSids = new Set(own.map(sidOf).filter((s) => s !== undefined));
  statements.push(...source.filter((s) => !ownSids.has(sidOf(s) ?? "\0")), ...own);
  for (const o of override) {
    const sid = sidOf(o);
    const i = sid === undefined ? -1 : statements.findIndex((s) => sidOf(s) === sid);
    if (i >= 0) statements[i] = o;
    else statements.push(o);
  }
  const entries: TreeEntry[] = [
    { key: { value: "Version", loc }, value: { kind: "string", value: { parts: ["2012-10-17"], loc }, loc } },
  ];
  entries.push({ key: { value: "Statement", loc }, value: { kind: "array", items: statements, loc } });
  return { kind: "object", entries, loc };
}

function documentList(block: Block, names: string[], scope: Scope): TreeNode[] {
  const out: TreeNode[] = [];
  for (let i = 0; i < names.length; i++) {
    const attr = block.attrs.get(names[i] as string);
    if (!attr) continue;
    const v = evaluate(attr.expr, scope);
    for (const doc of v.kind === "array" ? v.items : [v]) {
      const stmts = child(doc, "Statement");
      if (stmts?.kind === "array") out.push(...stmts.items);
      else if (stmts?.kind === "object") out.push(stmts);
    }
  }
  return out;
}

/** The blocks of one type, `dynamic "type"` blocks over known collections expanded into their `content`. */
function expand(parent: Block, type: string, scope: Scope): Expanded[] {
  const out: Expanded[] = [];
  for (let i = 0; i < parent.blocks.length; i++) {
    const b = parent.blocks[i] as Block;
    if (b.type === type) out.push({ block: b, scope });
    else if (b.type === "dynamic" && b.labels[0] === type) {
      const content = b.blocks.find((c) => c.type === "content");
      const forEach = b.attrs.get("for_each");
      if (!content || !forEach) continue;
      const iterAttr = b.attrs.get("iterator");
      const iterExpr = iterAttr?.expr;
      const iterator =
        iterExpr?.kind === "hcl" ? iterExpr.file.src.text.slice(iterExpr.start, iterExpr.end).trim() : type;
      const coll = evaluate(forEach.expr, scope);
      const pairs: [TreeNode, TreeNode][] =
        coll.kind === "array"
          ? coll.items.map((item, i) => [{ kind: "scalar", value: i, loc: item.loc }, item])
          : coll.kind === "object"
            ? coll.entries.map((e) => [
                { kind: "string", value: { parts: [e.key.value], loc: e.key.loc }, loc: e.key.loc },
                e.value,
              ])
            : [];
      if (coll.kind !== "array" && coll.kind !== "object") {
        out.push({ block: content, scope, unknown: coll });
        continue;
      }
      for (let i = 0; i < pairs.length; i++) {
        const pair = pairs[i] as [TreeNode, TreeNode];
        const k = pair[0];
        const v = pair[1];
        const names = new Map(scope.names);
        const loc = v.loc;
        names.set(iterator, {
          kind: "object",
          entries: [
            { key: { value: "key", loc }, value: k },
            { key: { value: "value", loc }, value: v },
          ],
          loc,
        });
        out.push({ block: content, scope: scopeWith(scope, names, scope.depth) });
      }
    }
  }
  return out;
}

function attrValue(block: Block, name: string, scope: Scope): TreeNode | undefined {
  const attr = block.attrs.get(name);
  return attr ? evaluate(attr.expr, scope) : undefined;
}

/** Attributes of a statement written as IAM elements, and their names there (pairs). */
const SIMPLE = [
  "sid",
  "Sid",
  "effect",
  "Effect",
  "actions",
  "Action",
  "not_actions",
  "NotAction",
  "resources",
  "Resource",
  "not_resources",
  "NotResource",
];
const PRINCIPALS = ["principals", "Principal", "not_principals", "NotPrincipal"];

type Expanded = { block: Block; scope: Scope; unknown?: TreeNode };

function statementTree(stmt: Block, scope: Scope): TreeNode {
  const loc = stmt.loc;
  const entries: TreeEntry[] = [];
  const add = (key: string, keyLoc: SourceLocation, value: TreeNode): void => {
    entries.push({ key: { value: key, loc: keyLoc }, value });
  };
  for (let i = 0; i < SIMPLE.length; i += 2) {
    const hcl = SIMPLE[i] ?? "";
    const attr = stmt.attrs.get(hcl);
    if (attr) add(SIMPLE[i + 1] ?? "", attr.loc, evaluate(attr.expr, scope));
  }
  if (!stmt.attrs.has("effect")) add("Effect", loc, { kind: "string", value: { parts: ["Allow"], loc }, loc });
  for (let p = 0; p < PRINCIPALS.length; p += 2) {
    const blocks = expand(stmt, PRINCIPALS[p] ?? "", scope);
    if (blocks.length === 0) continue;
    const byType: TreeEntry[] = [];
    for (let i = 0; i < blocks.length; i++) {
      const { block, scope: s, unknown } = blocks[i] as Expanded;
      if (unknown) continue;
      const type = attrValue(block, "type", s);
      const ids = attrValue(block, "identifiers", s);
      if (type?.kind !== "string" || !ids) continue;
      const typeText = displayText(type.value);
      const existing = byType.find((e) => e.key.value === typeText);
      const items = ids.kind === "array" ? ids.items : [ids];
      if (existing && existing.value.kind === "array") existing.value.items.push(...items);
      else
        byType.push({
          key: { value: typeText, loc: type.loc },
          value: { kind: "array", items: [...items], loc: ids.loc },
        });
    }
    const first = blocks[0];
    if (first) add(PRINCIPALS[p + 1] ?? "", first.block.loc, { kind: "object", entries: byType, loc: first.block.loc });
  }
  const conditions = expand(stmt, "condition", scope);
  const first = conditions[0];
  if (first) add("Condition", first.block.loc, conditionTree(conditions, first.block.loc));
  return { kind: "object", entries, loc };
}

/**
 * The `Condition` element of a statement's `condition` blocks. Each (operator, key) keeps the location of
 * the block that first wrote it, so a finding points at that block even when another block uses the same
 * operator. Blocks with the same `test` and `variable` become one condition holding all their values, as
 * the provider merges them (IAM has no way to repeat a key under one operator). A block that cannot be
 * read (a `dynamic "condition"` over an unknown collection, an unknown `test` or `variable`) is an unknown
 * operator entry of its own: what the other blocks say is still judged, and no rule concludes that a
 * condition is absent.
 */
function conditionTree(
  conditions: { block: Block; scope: Scope; unknown?: TreeNode }[],
  loc: SourceLocation,
): TreeNode {
  const operators: TreeEntry[] = [];
  const opaque = (block: Block, expr: string, origin: string | undefined): void => {
    operators.push({
      key: { value: "${" + expr + "}", loc: block.loc },
      value: { kind: "unknown", expr, loc: block.loc, ...(origin ? { origin } : {}) },
    });
  };
  for (let i = 0; i < conditions.length; i++) {
    const { block, scope, unknown } = conditions[i] as (typeof conditions)[number];
    if (unknown) {
      opaque(block, `dynamic "condition" over ${displayUnknown(unknown)}`, nodeOrigin(unknown));
      continue;
    }
    const test = attrValue(block, "test", scope);
    const variable = attrValue(block, "variable", scope);
    const values = conditionValues(attrValue(block, "values", scope) ?? { kind: "array", items: [], loc: block.loc });
    const op = test?.kind === "string" ? knownText(test.value) : undefined;
    if (test?.kind !== "string" || op === undefined || variable?.kind !== "string") {
      opaque(
        block,
        `condition ${test?.kind === "string" ? displayText(test.value) : "with an unknown test"}`,
        test && nodeOrigin(test),
      );
      continue;
    }
    const key = displayText(variable.value);
    const same = operators.find(
      (e) => e.key.value === op && e.value.kind === "object" && e.value.entries[0]?.key.value === key,
    );
    const existing = same?.value.kind === "object" ? same.value.entries[0] : undefined;
    if (existing)
      existing.value = {
        kind: "array",
        items: [...valueItems(existing.value), ...valueItems(values)],
        loc: existing.value.loc,
      };
    else
      operators.push({
        key: { value: op, loc: test.loc },
        value: { kind: "object", entries: [{ key: { value: key, loc: variable.loc }, value: values }], loc: block.loc },
      });
  }
  return { kind: "object", entries: operators, loc };
}

/** The values of one `condition` block as list items; a wholly unknown list stays an unknown spread of values. */
function valueItems(values: TreeNode): TreeNode[] {
  if (values.kind === "array") return values.items;
  if (values.kind === "unknown" && !values.expr.startsWith("...")) return [{ ...values, expr: `...${values.expr}` }];
  return [values];
}

function displayUnknown(n: TreeNode): string {
  return n.kind === "unknown" ? n.expr : "an unknown collection";
}
