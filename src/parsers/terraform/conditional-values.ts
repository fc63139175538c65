import type { TreeEntry, TreeNode } from "../tree.js";

/**
 * `var.open ? "repo:*" : "repo:acme/app:ref:refs/heads/main"` whose condition is unknown evaluates to an
 * unknown; when both branches are known values, they are remembered here. Where a list of values is
 * meaningful — the values of an IAM condition, any of which may match — the unknown stands for both
 * values, each naming its branch (as CloudFormation's value-level `Fn::If`). Elsewhere (an `Effect`, a
 * key) it stays unknown. A Map, not a WeakMap, emptied when the evaluation ends (`endEvaluation`).
 */
export const branchValues = new Map<TreeNode, TreeNode[]>();

/** The values of one condition key, unknown conditionals with known branches replaced by both branches. */
export function conditionValues(values: TreeNode): TreeNode {
  const expand = (n: TreeNode): TreeNode[] => {
    const branches = n.kind === "unknown" ? branchValues.get(n) : undefined;
    if (!branches) return [n];
    return branches.flatMap((b) => (b.kind === "array" ? b.items.flatMap(expand) : expand(b)));
  };
  if (values.kind === "array") {
    if (!values.items.some((i) => i.kind === "unknown" && branchValues.has(i))) return values;
    return { kind: "array", items: values.items.flatMap(expand), loc: values.loc };
  }
  if (values.kind === "unknown" && branchValues.has(values))
    return { kind: "array", items: expand(values), loc: values.loc };
  return values;
}

/** A policy tree (`jsonencode({...})`) with the values of every `Condition` read by `conditionValues`. */
export function policyConditionValues(policy: TreeNode): TreeNode {
  // Without a conditional whose branches are known, every condition's values are as they are: nothing to copy.
  if (policy.kind !== "object" || branchValues.size === 0) return policy;
  const mapEntries = (node: TreeNode, f: (e: TreeEntry) => TreeNode): TreeNode =>
    node.kind === "object"
      ? { kind: "object", entries: node.entries.map((e) => ({ key: e.key, value: f(e) })), loc: node.loc }
      : node;
  const statement = (s: TreeNode): TreeNode =>
    mapEntries(s, (e) =>
      e.key.value === "Condition"
        ? mapEntries(e.value, (op) => mapEntries(op.value, (k) => conditionValues(k.value)))
        : e.value,
    );
  return mapEntries(policy, (e) => {
    if (e.key.value !== "Statement") return e.value;
    return e.value.kind === "array"
      ? { kind: "array", items: e.value.items.map(statement), loc: e.value.loc }
      : statement(e.value);
  });
}
