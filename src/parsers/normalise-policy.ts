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
import { child, listOf, type TreeEntry, type TreeNode } from "./tree.js";
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
  if (node.kind === "unknown") {
    const list: ValueList = { items: [], loc: node.loc };
    list.unknown = { expr: node.expr, loc: node.loc };
    return list;
  }
  // (Indexed loops and a one-item list made as such: a policy has thousands of these, read while cold.)
  if (node.kind !== "array") {
    const s = treeString(node);
    return { items: s ? [s] : [], loc: node.loc };
  }
  const list: ValueList = { items: [], loc: node.loc };
  const { items } = node;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as TreeNode;
    if (item.kind === "unknown" && isSplat(item.expr)) {
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
  const { entries } = node;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as TreeEntry;
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
  if (node.kind !== "object") return [];
  let out: Condition[] | undefined;
  const ops = node.entries;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as TreeEntry;
    if (op.value.kind !== "object") continue;
    const keys = op.value.entries;
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j] as TreeEntry;
      const c: Condition = {
        operator: op.key,
        key: strValue(k.key.value, k.key.loc),
        values: treeValueList(k.value),
        loc: k.key.loc,
      };
      if (out) out.push(c);
      else out = [c];
    }
  }
  return out ?? [];
}

/** The unresolved part of a `Condition` element: the element itself or one operator's block. */
function unknownConditionBlock(node: TreeNode): Statement["unknownConditions"] {
  if (node.kind === "unknown") return { expr: node.expr, loc: node.loc };
  if (node.kind !== "object") return undefined;
  const { entries } = node;
  for (let i = 0; i < entries.length; i++) {
    const op = entries[i] as TreeEntry;
    if (op.value.kind === "unknown") return { expr: op.value.expr, loc: op.value.loc };
  }
  return undefined;
}

export function normaliseStatement(node: TreeNode): Statement | undefined {
  if (node.kind !== "object") return undefined;
  // The first entry of each element, read in one pass (as `entry` and `child` would find each).
  let sid: TreeEntry | undefined;
  let effect: TreeEntry | undefined;
  let principal: TreeEntry | undefined;
  let notPrincipal: TreeEntry | undefined;
  let action: TreeEntry | undefined;
  let notAction: TreeEntry | undefined;
  let condition: TreeEntry | undefined;
  const { entries } = node;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as TreeEntry;
    switch (e.key.value) {
      case "Sid":
        sid ??= e;
        break;
      case "Effect":
        effect ??= e;
        break;
      case "Principal":
        principal ??= e;
        break;
      case "NotPrincipal":
        notPrincipal ??= e;
        break;
      case "Action":
        action ??= e;
        break;
      case "NotAction":
        notAction ??= e;
        break;
      case "Condition":
        condition ??= e;
        break;
    }
  }
  const stmt: Statement = {
    principals: [],
    notPrincipal: false,
    anyPrincipal: false,
    actions: action
      ? treeValueList(action.value)
      : notAction
        ? treeValueList(notAction.value)
        : { items: [], loc: node.loc },
    notAction: !action && notAction !== undefined,
    conditions: [],
    loc: node.loc,
  };
  if (sid?.value.kind === "string") {
    const text = knownText(sid.value.value);
    if (text !== undefined) stmt.sid = { value: text, loc: sid.value.loc };
  }
  if (effect) {
    const v = treeString(effect.value);
    if (v) stmt.effect = v;
  }
  if (principal) readPrincipals(principal.value, stmt);
  else if (notPrincipal) {
    stmt.notPrincipal = true;
    readPrincipals(notPrincipal.value, stmt);
  }
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
