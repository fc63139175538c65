import type { SourceLocation } from "../model/location.js";
import type {
  Condition,
  PolicyDocument,
  PolicyKind,
  Principal,
  PrincipalType,
  Statement,
  ValueList,
} from "../model/policy.js";
import { child, entry, listOf, type TreeNode } from "./tree.js";
import { knownText, strValue, type StrValue } from "../model/value.js";

const PRINCIPAL_TYPES = new Set<PrincipalType>(["Federated", "Service", "AWS", "CanonicalUser"]);

/** Reads one tree node as a string value: strings as they are, scalars as their JSON text. */
export function treeString(node: TreeNode): StrValue | undefined {
  switch (node.kind) {
    case "string":
      return node.value;
    case "scalar":
      return strValue(String(node.value), node.loc);
    case "unknown":
      return node.origin === undefined
        ? { parts: [{ unknown: node.expr }], loc: node.loc }
        : { parts: [{ unknown: node.expr }], loc: node.loc, origin: node.origin };
    default:
      return undefined;
  }
}

/** A string or a list of strings (IAM's "value or array" form); an unknown list is recorded as such. */
export function treeValueList(node: TreeNode): ValueList {
  const list: ValueList = { items: [], loc: node.loc };
  if (node.kind === "unknown") {
    list.unknown = { expr: node.expr, loc: node.loc };
    return list;
  }
  for (const item of listOf(node)) {
    if (item.kind === "unknown" && node.kind === "array" && isSplat(item.expr)) {
      list.unknown = { expr: item.expr, loc: item.loc };
      continue;
    }
    const s = treeString(item);
    if (s) list.items.push(s);
  }
  return list;
}

/** An unknown item that stands for any number of values (a spread list), not one value. */
function isSplat(expr: string): boolean {
  return expr.startsWith("...");
}

function readPrincipals(node: TreeNode, stmt: Statement): void {
  if (node.kind === "string" && knownText(node.value) === "*") {
    stmt.anyPrincipal = true;
    return;
  }
  if (node.kind !== "object") return;
  for (const e of node.entries) {
    const type = e.key.value;
    if (type === "*" || PRINCIPAL_TYPES.has(type as PrincipalType)) {
      const principal: Principal = {
        type: { value: type as PrincipalType, loc: e.key.loc },
        values: treeValueList(e.value),
      };
      stmt.principals.push(principal);
    }
  }
}

function readConditions(node: TreeNode): Condition[] {
  const out: Condition[] = [];
  if (node.kind !== "object") return out;
  for (const op of node.entries) {
    if (op.value.kind !== "object") continue;
    for (const k of op.value.entries) {
      out.push({
        operator: op.key,
        key: strValue(k.key.value, k.key.loc),
        values: treeValueList(k.value),
        loc: k.key.loc,
      });
    }
  }
  return out;
}

/** The unresolved part of a `Condition` element: the element itself or one operator's block. */
function unknownConditionBlock(node: TreeNode): Statement["unknownConditions"] {
  if (node.kind === "unknown") return { expr: node.expr, loc: node.loc };
  if (node.kind !== "object") return undefined;
  for (const op of node.entries) if (op.value.kind === "unknown") return { expr: op.value.expr, loc: op.value.loc };
  return undefined;
}

export function normaliseStatement(node: TreeNode): Statement | undefined {
  if (node.kind !== "object") return undefined;
  const stmt: Statement = {
    principals: [],
    notPrincipal: false,
    anyPrincipal: false,
    actions: { items: [], loc: node.loc },
    notAction: false,
    conditions: [],
    loc: node.loc,
  };
  const sid = entry(node, "Sid");
  if (sid?.value.kind === "string") {
    const text = knownText(sid.value.value);
    if (text !== undefined) stmt.sid = { value: text, loc: sid.value.loc };
  }
  const effect = child(node, "Effect");
  if (effect) {
    const v = treeString(effect);
    if (v) stmt.effect = v;
  }
  const principal = child(node, "Principal");
  const notPrincipal = child(node, "NotPrincipal");
  if (principal) readPrincipals(principal, stmt);
  else if (notPrincipal) {
    stmt.notPrincipal = true;
    readPrincipals(notPrincipal, stmt);
  }
  const action = child(node, "Action");
  const notAction = child(node, "NotAction");
  if (action) stmt.actions = treeValueList(action);
  else if (notAction) {
    stmt.notAction = true;
    stmt.actions = treeValueList(notAction);
  }
  const condition = entry(node, "Condition");
  if (condition) {
    stmt.conditions = readConditions(condition.value);
    stmt.conditionLoc = condition.key.loc;
    const unknown = unknownConditionBlock(condition.value);
    if (unknown) stmt.unknownConditions = unknown;
  }
  return stmt;
}

export interface PolicyContext {
  kind?: PolicyKind;
  source: string;
  partition?: string;
  role?: PolicyDocument["role"];
  /** Statements already normalised out of the tree (whose list then holds none of them), first. */
  statements?: Statement[];
}

/** Builds a policy document from the tree of `{ Version, Statement }`. Undefined when it is not one. */
export function normalisePolicy(
  node: TreeNode,
  ctx: PolicyContext,
  loc: SourceLocation = node.loc,
): PolicyDocument | undefined {
  const statement = child(node, "Statement");
  if (!statement) return undefined;
  const statements = [...(ctx.statements ?? [])];
  for (const node of listOf(statement)) {
    const s = normaliseStatement(node);
    if (s) statements.push(s);
  }
  const kind = ctx.kind ?? inferKind(statements);
  const doc: PolicyDocument = { kind, statements, loc, source: ctx.source };
  if (ctx.role) doc.role = ctx.role;
  if (ctx.partition !== undefined) doc.partition = ctx.partition;
  return doc;
}

/** A document whose statements name principals is a resource (trust) policy; one without is a permissions policy. */
function inferKind(statements: Statement[]): PolicyKind {
  if (statements.some((s) => s.principals.length > 0 || s.anyPrincipal)) return "trust";
  return "permissions";
}
