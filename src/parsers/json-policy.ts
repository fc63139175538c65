import { normalisePolicy, normaliseStatement, treeString, treeValueList } from "./normalise-policy.js";
import type { OidcProvider, RoleInfo, Statement } from "../model/policy.js";
import { emptyParsed, type ParsedFile } from "../model/project.js";
import { child, relocate, type TreeNode } from "./tree.js";
import { displayText } from "../model/value.js";
import { parseYamlSource, yamlToTree } from "./yaml-source.js";
import { parseJsonTree } from "./json-tree.js";
import type { SourceFile } from "./source.js";

/** A JSON file that mentions a policy or provider key: parse errors are its problems, else `parsePolicyJson`. */
export function parsePolicyJsonFile(src: SourceFile): ParsedFile | undefined {
  // The statements of a raw policy, normalised as they are read (`StreamedItems`).
  const statements: Statement[] = [];
  const parsed = parseJsonTree(src.path, src.text, {
    key: "Statement",
    item(node) {
      const stmt = normaliseStatement(node);
      if (stmt) statements.push(stmt);
    },
  });
  if ("problems" in parsed) {
    const out = emptyParsed(src.path, "json-policy");
    out.problems.push(...parsed.problems);
    return out;
  }
  // (Items handed out before the fast path gave up are in the tree that replaced it.)
  return parsePolicyJson(src, parsed.tree, parsed.streamed ? statements : []);
}

/**
 * Raw IAM policy JSON (`{ "Version", "Statement" }`) and the output of `aws iam get-role` / `list-roles`
 * (`Role(s).AssumeRolePolicyDocument`, as an object or as the URL-encoded string the API returns).
 * Called with the already parsed tree of a JSON file.
 */
export function parsePolicyJson(
  src: SourceFile,
  tree: TreeNode,
  /** The statements already read out of the tree's top-level `Statement` list (`parsePolicyJsonFile`). */
  statements: Statement[] = [],
): ParsedFile | undefined {
  if (child(tree, "Statement")) {
    const out = emptyParsed(src.path, "json-policy");
    const doc = normalisePolicy(tree, { source: "policy JSON", statements });
    if (doc) out.policies.push(doc);
    return out;
  }
  const provider = parseProviderJson(src, tree);
  if (provider) return provider;
  // `aws iam get-role` prints one role; `aws iam list-roles` a list of them.
  const roles = child(tree, "Role") ? [child(tree, "Role")] : listItems(child(tree, "Roles"));
  const out = emptyParsed(src.path, child(tree, "Role") ? "get-role" : "list-roles");
  for (const role of roles) {
    const assume = child(role, "AssumeRolePolicyDocument");
    if (!role || !assume) continue;
    const roleName = child(role, "RoleName");
    const rolePath = child(role, "Path");
    const name = roleName?.kind === "string" ? roleName.value : undefined;
    const roleInfo: RoleInfo = { id: name ? `role ${displayText(name)}` : "Role", loc: role.loc };
    if (name) roleInfo.name = name;
    if (rolePath?.kind === "string") roleInfo.path = rolePath.value;
    const docTree = assume.kind === "string" ? decodeEncodedPolicy(src, assume, out) : assume;
    if (!docTree) continue;
    const doc = normalisePolicy(docTree, { source: `aws iam ${out.format} output`, kind: "trust", role: roleInfo });
    if (doc) out.policies.push(doc);
  }
  return out.policies.length > 0 || out.problems.length > 0 ? out : undefined;
}

function listItems(node: TreeNode | undefined): TreeNode[] {
  return node?.kind === "array" ? node.items : [];
}

/**
 * The output of `aws iam get-open-id-connect-provider` (`{ "Url", "ClientIDList", "ThumbprintList" }`). IAM
 * returns `Url` without its `https://` scheme, so a scheme-less URL is normal here (format `get-oidc-provider`).
 */
function parseProviderJson(src: SourceFile, tree: TreeNode): ParsedFile | undefined {
  const url = child(tree, "Url");
  const clientIds = child(tree, "ClientIDList");
  if (!url || !clientIds || child(tree, "Statement")) return undefined;
  const out = emptyParsed(src.path, "get-oidc-provider");
  const provider: OidcProvider = { id: "OpenIDConnectProvider", loc: tree.loc, clientIds: treeValueList(clientIds) };
  const urlValue = treeString(url);
  if (urlValue) provider.url = urlValue;
  const thumbprints = child(tree, "ThumbprintList");
  if (thumbprints) provider.thumbprints = treeValueList(thumbprints);
  out.providers.push(provider);
  return out;
}

/**
 * IAM's API returns the document URL-encoded inside a JSON string. Positions inside it cannot map back
 * to the file character by character, so every value of the decoded document is placed on the string.
 */
function decodeEncodedPolicy(
  src: SourceFile,
  node: TreeNode & { kind: "string" },
  out: ParsedFile,
): TreeNode | undefined {
  const raw = displayText(node.value);
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    out.problems.push({
      message: "Role.AssumeRolePolicyDocument is a string but not valid URL-encoded JSON",
      loc: node.loc,
    });
    return undefined;
  }
  const inner = parseYamlSource(src.path, decoded, { schema: "json" });
  if (inner.problems.length > 0) {
    out.problems.push({
      message: `Role.AssumeRolePolicyDocument does not decode to JSON: ${inner.problems[0]?.message ?? ""}`,
      loc: node.loc,
    });
    return undefined;
  }
  return relocate(yamlToTree(inner.doc.contents, inner.index), node.loc);
}
