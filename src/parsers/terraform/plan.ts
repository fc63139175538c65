import { normalisePolicy, treeString, treeValueList } from "../normalise-policy.js";
import type { OidcProvider, RoleInfo } from "../../model/policy.js";
import { emptyParsed, type ParsedFile } from "../../model/project.js";
import { child, type TreeNode } from "../tree.js";
import { knownText } from "../../model/value.js";
import type { ParseEnv, SourceFile } from "../source.js";
import { parseJsonSource, yamlToTree } from "../yaml-source.js";
import { parseEmbeddedJson } from "./embedded-json.js";

/**
 * `terraform show -json` of a plan or of a state: every value is resolved. Roles and OIDC providers are
 * read from the plan's `planned_values` or the state's `values` (the root module and its nested
 * `child_modules`). `assume_role_policy` is JSON inside
 * a JSON string: positions inside it cannot be mapped character by character, so every value of the
 * decoded document is placed on the string.
 */
export function parseTerraformPlan(src: SourceFile, _env: ParseEnv): ParsedFile {
  const out = emptyParsed(src.path, "terraform-plan");
  const parsed = parseJsonSource(src.path, src.text);
  if (parsed.problems.length > 0) {
    out.problems.push(...parsed.problems);
    return out;
  }
  const tree = yamlToTree(parsed.doc.contents, parsed.index);
  const planned = child(child(tree, "planned_values"), "root_module");
  // `terraform show -json` of a state (no plan): the same module tree under `values`.
  const state = planned ? undefined : child(child(tree, "values"), "root_module");
  const root = planned ?? state;
  if (root) walkModule(root, out, 0, state ? "Terraform state" : "Terraform plan");
  return out;
}

type Source = "Terraform plan" | "Terraform state";

function walkModule(mod: TreeNode, out: ParsedFile, depth: number, source: Source): void {
  if (depth > 50) return;
  const resources = child(mod, "resources");
  if (resources?.kind === "array") for (const r of resources.items) readResource(r, out, source);
  const children = child(mod, "child_modules");
  if (children?.kind === "array") for (const c of children.items) walkModule(c, out, depth + 1, source);
}

function text(node: TreeNode | undefined): string | undefined {
  return node?.kind === "string" ? knownText(node.value) : undefined;
}

function readResource(r: TreeNode, out: ParsedFile, source: Source): void {
  if (text(child(r, "mode")) === "data") return;
  const type = text(child(r, "type"));
  const address = text(child(r, "address")) ?? "";
  const values = child(r, "values");
  if (!values) return;
  if (type === "aws_iam_role") {
    const policy = child(values, "assume_role_policy");
    if (policy?.kind !== "string") return;
    const role: RoleInfo = { id: address, loc: r.loc };
    for (const [attr, key] of [
      ["name", "name"],
      ["name_prefix", "namePrefix"],
      ["path", "path"],
    ] as const) {
      const v = child(values, attr);
      const s = v && v.kind === "string" ? treeString(v) : undefined;
      if (s) role[key] = s;
    }
    addEncoded(policy, out, "trust", role, source);
  } else if (type === "aws_iam_policy" || type === "aws_iam_role_policy") {
    const policy = child(values, "policy");
    if (policy?.kind === "string") addEncoded(policy, out, "permissions", undefined, source);
  } else if (type === "aws_iam_openid_connect_provider") {
    const p: OidcProvider = { id: address, loc: r.loc };
    const url = child(values, "url");
    const clients = child(values, "client_id_list");
    const thumbs = child(values, "thumbprint_list");
    const u = url ? treeString(url) : undefined;
    if (u) p.url = u;
    if (clients) p.clientIds = treeValueList(clients);
    if (thumbs) p.thumbprints = treeValueList(thumbs);
    out.providers.push(p);
  }
}

function addEncoded(
  node: TreeNode & { kind: "string" },
  out: ParsedFile,
  kind: "trust" | "permissions",
  role: RoleInfo | undefined,
  source: Source,
): void {
  const raw = knownText(node.value);
  if (raw === undefined || raw.trim() === "") return;
  const loc = node.loc;
  const json = parseEmbeddedJson([{ text: raw, locate: () => loc }]);
  if ("error" in json) {
    out.problems.push({
      message: `The ${source === "Terraform plan" ? "planned" : "recorded"} ${kind === "trust" ? "assume_role_policy" : "policy"} is not valid JSON: ${json.error}`,
      loc,
    });
    return;
  }
  const doc = normalisePolicy(json.tree, { kind, source, ...(role ? { role } : {}) }, loc);
  if (doc) out.policies.push(doc);
}
