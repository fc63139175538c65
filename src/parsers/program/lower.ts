import type { OidcProvider, PolicyDocument, RoleInfo } from "../../model/policy.js";
import { emptyParsed, type ParsedFile } from "../../model/project.js";
import { knownText } from "../../model/value.js";
import { normalisePolicy, treeString, treeValueList } from "../normalise-policy.js";
import { branchValues, policyConditionValues } from "../terraform/conditional-values.js";
import { parseEmbeddedJson, type Segment } from "../terraform/embedded-json.js";
import type { TreeNode } from "../tree.js";
import { documentValue, type Definition } from "./libraries.js";
import { locOf, toTree, type PValue } from "./values.js";

/**
 * What programs define, in the shared model: each role's trust policy (as its library synthesises it)
 * becomes a policy document with the role's name and path, each OIDC provider a provider. Definitions go
 * to the file they are written in.
 */
export function lowerDefinitions(defs: Definition[], out: Map<string, ParsedFile>, format: string): void {
  for (const d of defs) {
    const file = d.loc.file;
    let parsed = out.get(file);
    if (!parsed) {
      // Defined in an imported module that did not pass the pre-check on its own.
      parsed = emptyParsed(file, format);
      out.set(file, parsed);
    }
    if (d.kind === "provider") parsed.providers.push(lowerProvider(d));
    else lowerRole(d, parsed);
  }
  // The branches `toTree` recorded for unknown conditionals have been read.
  branchValues.clear();
}

function strOf(v: PValue | undefined): ReturnType<typeof treeString> {
  return v ? treeString(toTree(v)) : undefined;
}

function lowerProvider(d: Extract<Definition, { kind: "provider" }>): OidcProvider {
  const p: OidcProvider = { id: d.id, loc: d.loc };
  const url = strOf(d.url);
  if (url) p.url = url;
  if (d.clientIds) p.clientIds = treeValueList(toTree(d.clientIds));
  if (d.thumbprints) p.thumbprints = treeValueList(toTree(d.thumbprints));
  return p;
}

function lowerRole(d: Extract<Definition, { kind: "role" }>, parsed: ParsedFile): void {
  const value = documentValue(d.trust());
  if (!value || value.t === "unk") return;
  const tree = value.t === "str" ? jsonFromString(value, parsed) : toTree(value);
  if (!tree) return;
  const role: RoleInfo = { id: d.id, loc: d.loc };
  const name = strOf(d.name);
  const prefix = strOf(d.namePrefix);
  const path = strOf(d.path);
  if (name) role.name = name;
  if (prefix) role.namePrefix = prefix;
  if (path) role.path = path;
  const doc: PolicyDocument | undefined = normalisePolicy(policyConditionValues(tree), {
    kind: "trust",
    source: d.source,
    role,
  });
  if (doc) parsed.policies.push(doc);
}

/** A trust policy written as a JSON string (a literal, a template, an f-string): its values keep their positions. */
function jsonFromString(v: Extract<PValue, { t: "str" }>, parsed: ParsedFile): TreeNode | undefined {
  const loc = v.v.loc;
  const segs: Segment[] =
    v.segs ??
    v.v.parts.map((p): Segment =>
      typeof p === "string"
        ? { text: p, locate: () => loc, origin: () => v.v.origin }
        : { node: { kind: "unknown", expr: p.unknown, loc } },
    );
  const parsedJson = parseEmbeddedJson(segs);
  if ("tree" in parsedJson) return parsedJson.tree;
  // A document with unresolved pieces may only look broken because of them.
  if (knownText(v.v) !== undefined)
    parsed.problems.push({
      message: `the assume-role policy is a string that is not valid JSON: ${parsedJson.error}`,
      loc: parsedJson.loc.file ? parsedJson.loc : locOf(v),
    });
  return undefined;
}
