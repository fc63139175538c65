import { normalisePolicy, treeString } from "../normalise-policy.js";
import type { OidcProvider, PolicyDocument, RoleInfo } from "../../model/policy.js";
import type { TreeEntry, TreeNode } from "../tree.js";
import { knownText, type Part } from "../../model/value.js";
import { DEFAULT_AWS_AUDIENCE, GITHUB_ISSUER_HOST } from "../../model/well-known.js";
import { evaluate } from "./evaluate.js";
import type { Block, Scope } from "./module.js";

/**
 * Calls of widely used public GitHub-OIDC role modules, expanded into the trust policy the module
 * builds from its inputs, placed on those inputs. Understood:
 * - `terraform-aws-modules/iam/aws//modules/iam-github-oidc-role` (registry or git source): `subjects`
 *   become `StringLike` on `<provider_url>:sub` with a `repo:` prefix added when missing; `audience`
 *   (default `sts.amazonaws.com`) becomes `StringEquals` on `:aud`; `provider_url` defaults to
 *   `token.actions.githubusercontent.com`; `name` / `name_prefix` / `path` fill the role.
 */
const GITHUB_OIDC_ROLE = /terraform-aws-modules\/(?:terraform-aws-)?iam(?:\/aws)?\/\/modules\/iam-github-oidc-role/;

export function knownModulePolicies(
  block: Block,
  scope: Scope,
): { policies: PolicyDocument[]; providers: OidcProvider[] } {
  const none = { policies: [], providers: [] };
  const sourceAttr = block.attrs.get("source");
  if (!sourceAttr) return none;
  const source = evaluate(sourceAttr.expr, scope);
  const sourceText = source.kind === "string" ? knownText(source.value) : undefined;
  if (sourceText === undefined || !GITHUB_OIDC_ROLE.test(sourceText)) return none;
  const doc = githubOidcRole(block, scope);
  return { policies: doc ? [doc] : [], providers: [] };
}

function githubOidcRole(block: Block, scope: Scope): PolicyDocument | undefined {
  const loc = block.loc;
  const input = (name: string): TreeNode | undefined => {
    const a = block.attrs.get(name);
    return a ? evaluate(a.expr, scope) : undefined;
  };
  const str = (parts: Part[], at = loc): TreeNode => ({ kind: "string", value: { parts, loc: at }, loc: at });
  const providerUrl = input("provider_url") ?? str([GITHUB_ISSUER_HOST]);
  const host: Part[] =
    providerUrl.kind === "string"
      ? providerUrl.value.parts.map((p, i) => (i === 0 && typeof p === "string" ? p.replace(/^https?:\/\//, "") : p))
      : [{ unknown: "provider_url" }];
  const hostText = host.map((p) => (typeof p === "string" ? p : `\${${p.unknown}}`)).join("");
  const subjects = input("subjects");
  const audience = input("audience") ?? str([DEFAULT_AWS_AUDIENCE]);
  let subValues: TreeNode;
  if (subjects?.kind === "array") {
    subValues = {
      kind: "array",
      items: subjects.items.map((s) => {
        if (s.kind !== "string") return s;
        const [first, ...rest] = s.value.parts;
        const parts: Part[] =
          typeof first === "string" ? ["repo:", first.replace(/^repo:/, ""), ...rest] : ["repo:", ...s.value.parts];
        const out: TreeNode = {
          kind: "string",
          value: { parts, loc: s.loc, ...(s.value.origin ? { origin: s.value.origin } : {}) },
          loc: s.loc,
        };
        return out;
      }),
      loc: subjects.loc,
    };
  } else subValues = subjects ?? { kind: "array", items: [], loc };
  const obj = (entries: [string, TreeNode][], at = loc): TreeNode => ({
    kind: "object",
    entries: entries.map(([k, v]): TreeEntry => ({ key: { value: k, loc: v.loc }, value: v })),
    loc: at,
  });
  const statement = obj([
    ["Sid", str(["GithubOidcAuth"])],
    ["Effect", str(["Allow"])],
    ["Action", { kind: "array", items: [str(["sts:TagSession"]), str(["sts:AssumeRoleWithWebIdentity"])], loc }],
    [
      "Principal",
      obj([
        [
          "Federated",
          str(["arn:", { unknown: "partition" }, ":iam::", { unknown: "account" }, ":oidc-provider/", ...host]),
        ],
      ]),
    ],
    [
      "Condition",
      obj([
        [
          "StringEquals",
          obj(
            [
              [
                `${hostText}:aud`,
                audience.kind === "array" ? audience : { kind: "array", items: [audience], loc: audience.loc },
              ],
            ],
            audience.loc,
          ),
        ],
        ["StringLike", obj([[`${hostText}:sub`, subValues]], subValues.loc)],
      ]),
    ],
  ]);
  const tree = obj([
    ["Version", str(["2012-10-17"])],
    ["Statement", { kind: "array", items: [statement], loc }],
  ]);
  const role: RoleInfo = { id: `module.${block.labels[0] ?? ""}`, loc };
  for (const [attr, key] of [
    ["name", "name"],
    ["name_prefix", "namePrefix"],
    ["path", "path"],
  ] as const) {
    const v = input(attr);
    const s = v ? treeString(v) : undefined;
    if (s) role[key] = s;
  }
  return normalisePolicy(tree, { kind: "trust", source: "module iam-github-oidc-role", role });
}
