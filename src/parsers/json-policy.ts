import { normalisePolicy, treeString, treeValueList } from "../model/normalise-policy.js";
import type { OidcProvider, RoleInfo } from "../model/policy.js";
import { emptyParsed, type ParsedFile } from "../model/project.js";
import { child, relocate, type TreeNode } from "../model/tree.js";
import { displayText } from "../model/value.js";
import { parseYamlSource, yamlToTree } from "./yaml-source.js";
import type { SourceFile } from "./source.js";

/**
 * Raw IAM policy JSON (`{ "Version", "Statement" }`) and the output of `aws iam get-role`
 * (`Role.AssumeRolePolicyDocument`, as an object or as the URL-encoded string the API returns).
 * Called with the already parsed tree of a JSON file.
 */
export function parsePolicyJson(src: SourceFile, tree: TreeNode): ParsedFile | undefined {
  if (child(tree, "Statement")) {
    const out = emptyParsed(src.path, "json-policy");
    const doc = normalisePolicy(tree, { source: "policy JSON" });
    if (doc) out.policies.push(doc);
    return out;
  }
  const provider = parseProviderJson(src, tree);
  if (provider) return provider;
  const role = child(tree, "Role");
  const assume = child(role, "AssumeRolePolicyDocument");
  if (!assume) return undefined;
  const out = emptyParsed(src.path, "get-role");
  const roleInfo: RoleInfo = { id: "Role", loc: role?.loc ?? tree.loc };
  const roleName = child(role, "RoleName");
  const rolePath = child(role, "Path");
  if (roleName?.kind === "string") roleInfo.name = roleName.value;
  if (rolePath?.kind === "string") roleInfo.path = rolePath.value;
  let docTree: TreeNode | undefined = assume;
  if (assume.kind === "string") docTree = decodeEncodedPolicy(src, assume, out);
  if (!docTree) return out;
  const doc = normalisePolicy(docTree, { source: "aws iam get-role output", kind: "trust", role: roleInfo });
  if (doc) out.policies.push(doc);
  return out;
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
function decodeEncodedPolicy(src: SourceFile, node: TreeNode & { kind: "string" }, out: ParsedFile): TreeNode | undefined {
  const raw = displayText(node.value);
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    out.problems.push({ message: "Role.AssumeRolePolicyDocument is a string but not valid URL-encoded JSON", loc: node.loc });
    return undefined;
  }
  const inner = parseYamlSource(src.path, decoded, { schema: "json" });
  if (inner.problems.length > 0) {
    out.problems.push({ message: `Role.AssumeRolePolicyDocument does not decode to JSON: ${inner.problems[0]?.message ?? ""}`, loc: node.loc });
    return undefined;
  }
  return relocate(yamlToTree(inner.doc.contents, inner.index), node.loc);
}

