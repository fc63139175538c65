import type { SourceLocation } from "../../model/location.js";
import type { Part } from "../../model/value.js";
import { DEFAULT_AWS_AUDIENCE, GITHUB_ISSUER_HOST as GITHUB_ISSUER } from "../../model/well-known.js";
import {
  arr,
  camel,
  concat,
  describeValue,
  field,
  kwargsObject,
  locOf,
  obj,
  str,
  textOf,
  unk,
  type CallArgs,
  type LibObject,
  type PValue,
} from "./values.js";

/**
 * What the IAM parts of AWS CDK (`aws-cdk-lib/aws-iam`, `aws_cdk.aws_iam`), the `aws-cdk-github-oidc`
 * construct library, Pulumi (`@pulumi/aws`, `pulumi_aws`, `@pulumi/pulumi`) and CDK for Terraform
 * (`@cdktf/provider-aws`) generate, modelled from their documented behaviour: roles with the trust
 * policy they synthesise, OIDC providers, policy documents and statements, principals. Python keyword
 * arguments are the TypeScript props in snake_case. Everything else a library offers evaluates to an
 * unknown.
 */

export type Definition =
  | {
      kind: "role";
      id: string;
      loc: SourceLocation;
      name?: PValue;
      namePrefix?: PValue;
      path?: PValue;
      trust: () => PValue | undefined;
      source: string;
    }
  | { kind: "provider"; id: string; loc: SourceLocation; url?: PValue; clientIds?: PValue; thumbprints?: PValue };

export interface LibHost {
  record(def: Definition): void;
}

type Family = "cdk" | "ghoidc" | "pulumi" | "pulumi-native" | "pulumi-core" | "cdktf" | "cdktf-core" | "json";

const FAMILIES: [Family, RegExp][] = [
  ["cdk", /^(?:aws-cdk-lib\/aws-iam|aws-cdk-lib\.aws_iam|@aws-cdk\/aws-iam|aws_cdk\.aws_iam)\.(.+)$/],
  ["ghoidc", /^(?:aws-cdk-github-oidc|aws_cdk_github_oidc)\.(.+)$/],
  ["pulumi", /^(?:@pulumi\/aws|pulumi_aws)[./]iam\.(.+)$/],
  ["pulumi-native", /^(?:@pulumi\/aws-native|pulumi_aws_native)[./]iam\.(.+)$/],
  ["pulumi-core", /^(?:@pulumi\/pulumi|pulumi)\.(.+)$/],
  ["cdktf", /^(?:@cdktf\/provider-aws|cdktf_cdktf_provider_aws)(?:[./][\w-]+)*?\.([A-Z]\w*(?:\.\w+)?)$/],
  ["cdktf-core", /^cdktf\.(.+)$/],
  ["json", /^(JSON\.stringify|json\.dumps|JSON\.parse|json\.loads)$/],
];

function classify(path: string): { family: Family; name: string } | undefined {
  for (const [family, re] of FAMILIES) {
    const m = re.exec(path);
    // Python spells static methods in snake_case (`from_open_id_connect_provider_arn`).
    if (m?.[1]) return { family, name: m[1].split(".").map(camel).join(".") };
  }
  return undefined;
}

/** Binds positional and keyword arguments to parameter names; keywords that are no parameter fill the last (props) one. */
function bind(
  args: CallArgs,
  params: string[],
  loc: SourceLocation,
  propsParam = params[params.length - 1],
): Map<string, PValue> {
  const out = new Map<string, PValue>();
  params.forEach((p, i) => {
    const v = args.positional[i];
    if (v) out.set(p, v);
  });
  const extra = new Map<string, PValue>();
  for (const [k, v] of args.keywords) {
    const name = camel(k);
    if (params.includes(name) && !out.has(name)) out.set(name, v);
    else extra.set(k, v);
  }
  if (extra.size > 0 && propsParam !== undefined && !out.has(propsParam)) {
    const props = kwargsObject({ positional: [], keywords: extra }, loc);
    if (props) out.set(propsParam, props);
  }
  return out;
}

const lib = (obj: LibObject, loc: SourceLocation): PValue => ({ t: "lib", obj, loc });

// ---- values the generated resources expose --------------------------------------------------------

interface Principal extends LibObject {
  kind: "principal";
  type: string;
  values: PValue;
  action: PValue;
  conditions: PValue[];
  at: SourceLocation;
}

interface Provider extends LibObject {
  kind: "provider";
  url?: PValue;
  arn?: PValue;
}

interface StatementObj extends LibObject {
  kind: "statement";
  effect?: PValue;
  sid?: PValue;
  actions: PValue[];
  principals: Principal[];
  conditions: PValue[];
  at: SourceLocation;
}

interface PolicyDoc extends LibObject {
  kind: "policy-document";
  statements: (StatementObj | PValue)[];
  json?: PValue;
  at: SourceLocation;
}

/** The ARN IAM gives an OIDC provider for a URL: `arn:PARTITION:iam::ACCOUNT:oidc-provider/HOST`. */
function providerArn(p: Provider, loc: SourceLocation): PValue {
  if (p.arn) return p.arn;
  const url = p.url;
  const prefix: Part[] = ["arn:", { unknown: "partition" }, ":iam::", { unknown: "account" }, ":oidc-provider/"];
  if (url?.t !== "str") return { t: "str", v: { parts: [...prefix, { unknown: "provider url" }], loc } };
  const parts = url.v.parts.map((part, i) =>
    i === 0 && typeof part === "string" ? part.replace(/^https?:\/\//i, "") : part,
  );
  return { t: "str", v: { parts: [...prefix, ...parts], loc } };
}

/**
 * The issuer a provider names (CDK's `openIdConnectProviderIssuer`, written in condition keys as
 * `${provider.openIdConnectProviderIssuer}:sub`): what follows `oidc-provider/` in its ARN, which is its URL without
 * the scheme for a provider made here and the ARN's resource name for one imported by ARN.
 */
function providerIssuer(p: Provider, loc: SourceLocation): PValue {
  const arn = providerArn(p, loc);
  if (arn.t === "str") {
    const parts = arn.v.parts;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const at = typeof part === "string" ? part.indexOf(":oidc-provider/") : -1;
      if (typeof part !== "string" || at < 0) continue;
      const first = part.slice(at + ":oidc-provider/".length);
      return { t: "str", v: { parts: [...(first === "" ? [] : [first]), ...parts.slice(i + 1)], loc } };
    }
  }
  return { t: "str", v: { parts: [{ unknown: "provider issuer" }], loc } };
}

function principal(
  type: string,
  values: PValue,
  action: string | PValue,
  conditions: (PValue | undefined)[],
  loc: SourceLocation,
): PValue {
  const p: Principal = {
    kind: "principal",
    type,
    values,
    action: typeof action === "string" ? str(action, loc) : action,
    conditions: conditions.filter((c): c is PValue => c !== undefined && c.t !== "null"),
    at: loc,
  };
  return lib(p, loc);
}

/** Principals of a principal value (a `CompositePrincipal` holds several). */
function principalsOf(v: PValue | undefined): Principal[] {
  if (v?.t !== "lib") return [];
  if (v.obj.kind === "principal") return [v.obj as Principal];
  if (v.obj.kind === "composite") return (v.obj.items as PValue[]).flatMap(principalsOf);
  return [];
}

/** CDK merges condition blocks operator by operator. */
function mergeConditions(list: PValue[], loc: SourceLocation): PValue | undefined {
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  const entries: { key: string; keyLoc: SourceLocation; value: PValue }[] = [];
  let rest: PValue | undefined;
  for (const c of list) {
    if (c.t !== "obj") {
      rest = c;
      continue;
    }
    for (const e of c.entries) {
      const existing = entries.find((x) => x.key === e.key);
      const added = e.value;
      if (existing && existing.value.t === "obj" && added.t === "obj") {
        const replaced = new Set(added.entries.map((y) => y.key));
        existing.value = {
          ...existing.value,
          entries: [...existing.value.entries.filter((x) => !replaced.has(x.key)), ...added.entries],
        };
      } else entries.push({ ...e });
    }
  }
  const out: PValue = { t: "obj", entries, loc };
  if (rest) out.rest = { expr: describeValue(rest), loc: locOf(rest) };
  return out;
}

function statementJson(s: StatementObj): PValue {
  const loc = s.at;
  const entries: [string, PValue][] = [];
  if (s.sid) entries.push(["Sid", s.sid]);
  entries.push(["Effect", s.effect ?? str("Allow", loc)]);
  entries.push(["Action", arr(s.actions, loc)]);
  if (s.principals.length > 0) {
    const byType = new Map<string, PValue[]>();
    for (const p of s.principals) {
      const list = byType.get(p.type) ?? [];
      if (p.values.t === "arr") list.push(...p.values.items);
      else list.push(p.values);
      byType.set(p.type, list);
    }
    const first = s.principals[0]?.at ?? loc;
    entries.push([
      "Principal",
      obj(
        [...byType].map(([t, v]) => [t, v.length === 1 && v[0] ? v[0] : arr(v, first)]),
        first,
      ),
    ]);
  }
  const conditions = mergeConditions([...s.conditions, ...s.principals.flatMap((p) => p.conditions)], loc);
  if (conditions) {
    const out = obj([...entries, ["Condition", conditions]], loc);
    // The `Condition` key sits where the conditions are written.
    const last = out.t === "obj" ? out.entries[out.entries.length - 1] : undefined;
    if (last) last.keyLoc = locOf(conditions);
    return out;
  }
  return obj(entries, loc);
}

function statementFromPrincipal(p: Principal): StatementObj {
  return { kind: "statement", actions: [p.action], principals: [p], conditions: [], at: p.at };
}

function policyJson(doc: PolicyDoc): PValue {
  if (doc.json) return doc.json;
  const statements = doc.statements.map((s) => ("kind" in s ? statementJson(s) : s));
  return obj(
    [
      ["Version", str("2012-10-17", doc.at)],
      ["Statement", arr(statements, doc.at)],
    ],
    doc.at,
  );
}

/** A value standing for a policy document: a JSON-shaped object, a CDK document, a string of JSON, `JSON.stringify(…)`. */
export function documentValue(v: PValue | undefined): PValue | undefined {
  if (!v) return undefined;
  if (v.t === "lib") {
    if (v.obj.kind === "json") return v.obj.value as PValue;
    if (v.obj.kind === "policy-document") return policyJson(v.obj as PolicyDoc);
    return undefined;
  }
  return v;
}

/**
 * `aws_iam_policy_document`'s shape as Pulumi's `getPolicyDocument` and CDKTF's `DataAwsIamPolicyDocument`
 * take it (`statements`/`statement`, `principals`, `conditions`/`condition` with `test`, `variable`,
 * `values`) turned into IAM JSON.
 */
function terraformDocument(args: PValue | undefined, loc: SourceLocation): PValue {
  const list = field(args, "statements") ?? field(args, "statement");
  if (list && list.t !== "arr") return unk(describeValue(list), locOf(list));
  const statements = (list?.t === "arr" ? list.items : []).map((s) => {
    if (s.t !== "obj") return s;
    const at = s.loc;
    const entries: [string, PValue][] = [];
    const sid = field(s, "sid");
    if (sid) entries.push(["Sid", sid]);
    entries.push(["Effect", field(s, "effect") ?? str("Allow", at)]);
    const actions = field(s, "actions");
    if (actions) entries.push(["Action", actions]);
    const principals = field(s, "principals");
    if (principals?.t === "arr") {
      const p = principals.items.map((item): [string, PValue] | undefined => {
        const type = textOf(field(item, "type"));
        const ids = field(item, "identifiers");
        return type !== undefined && ids ? [type, ids] : undefined;
      });
      if (p.every((x) => x !== undefined)) entries.push(["Principal", obj(p, principals.loc)]);
      else entries.push(["Principal", unk(describeValue(principals), principals.loc)]);
    } else if (principals) entries.push(["Principal", principals]);
    const conditions = field(s, "conditions") ?? field(s, "condition");
    if (conditions) {
      const condition = conditionBlock(conditions);
      entries.push(["Condition", condition]);
    }
    return obj(entries, at);
  });
  return obj(
    [
      ["Version", str("2012-10-17", loc)],
      ["Statement", arr(statements, list ? locOf(list) : loc)],
    ],
    loc,
  );
}

function conditionBlock(conditions: PValue): PValue {
  if (conditions.t !== "arr" || conditions.rest) return unk(describeValue(conditions), locOf(conditions));
  const out: PValue = { t: "obj", entries: [], loc: conditions.loc };
  for (const c of conditions.items) {
    const test = field(c, "test");
    const variable = field(c, "variable");
    const values = field(c, "values");
    const t = textOf(test);
    const k = textOf(variable);
    if (t === undefined || k === undefined || !values || !test || !variable) {
      out.rest = { expr: describeValue(c), loc: locOf(c) };
      continue;
    }
    let block = out.entries.find((e) => e.key === t)?.value;
    if (!block) {
      block = { t: "obj", entries: [], loc: locOf(test) };
      out.entries.push({ key: t, keyLoc: locOf(test), value: block });
    }
    if (block.t === "obj") block.entries.push({ key: k, keyLoc: locOf(variable), value: values });
  }
  return out;
}

function constructId(v: PValue | undefined, fallback: string): string {
  return textOf(v) ?? fallback;
}

// ---- entry points used by the interpreter --------------------------------------------------------

/** Static members that are values: `iam.Effect.DENY`, `GithubActionsIdentityProvider.issuer`. */
export function externalMember(path: string, name: string, loc: SourceLocation): PValue | undefined {
  const c = classify(`${path}.${name}`);
  if (!c) return undefined;
  if (c.family === "cdk" && c.name === "Effect.ALLOW") return str("Allow", loc);
  if (c.family === "cdk" && c.name === "Effect.DENY") return str("Deny", loc);
  if (c.family === "ghoidc" && c.name === "GithubActionsIdentityProvider.issuer") return str(GITHUB_ISSUER, loc);
  return undefined;
}

const WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity";

/** A call or `new` of something imported from a package; undefined when it is not modelled. */
export function callExternal(
  path: string,
  args: CallArgs,
  _isNew: boolean,
  loc: SourceLocation,
  expr: string,
  host: LibHost,
): PValue | undefined {
  const c = classify(path);
  if (!c) return undefined;
  switch (c.family) {
    case "cdk":
      return cdkCall(c.name, args, loc, host);
    case "ghoidc":
      return githubOidcCall(c.name, args, loc, host);
    case "pulumi":
      return pulumiCall(c.name, args, loc, host);
    case "pulumi-native":
      return pulumiNativeCall(c.name, args, loc, host);
    case "pulumi-core":
      return pulumiCoreCall(c.name, args, loc, expr);
    case "cdktf":
      return cdktfCall(c.name, args, loc, host);
    case "cdktf-core":
      return c.name === "Fn.jsonencode" && args.positional[0]
        ? lib({ kind: "json", value: args.positional[0] }, loc)
        : undefined;
    case "json": {
      const a = args.positional[0];
      if (!a) return undefined;
      // `json.loads(json.dumps(x))` is `x` again; parsing any other text is left unknown.
      if (c.name === "JSON.parse" || c.name === "json.loads")
        return a.t === "lib" && a.obj.kind === "json" ? (a.obj.value as PValue) : undefined;
      return lib({ kind: "json", value: a }, loc);
    }
  }
}

function cdkRole(
  a: Map<string, PValue>,
  props: PValue | undefined,
  loc: SourceLocation,
  host: LibHost,
  source: string,
  statements: StatementObj[],
): PValue {
  const role = { kind: "role", statements } as LibObject;
  const def: Definition = {
    kind: "role",
    id: constructId(a.get("id"), source),
    loc,
    trust: () => policyJson({ kind: "policy-document", statements, at: loc }),
    source,
  };
  const name = field(props, "roleName");
  const path = field(props, "path");
  if (name) def.name = name;
  if (path) def.path = path;
  host.record(def);
  return lib(role, loc);
}

function cdkCall(name: string, args: CallArgs, loc: SourceLocation, host: LibHost): PValue | undefined {
  switch (name) {
    case "Role": {
      const a = bind(args, ["scope", "id", "props"], loc);
      const props = a.get("props");
      const assumedBy = field(props, "assumedBy");
      const principals = principalsOf(assumedBy);
      // An assumedBy that cannot be read leaves the trust policy unknown: no role document then.
      if (principals.length === 0) {
        host.record({
          kind: "role",
          id: constructId(a.get("id"), "iam.Role"),
          loc,
          trust: () => (assumedBy ? unk(describeValue(assumedBy), locOf(assumedBy)) : undefined),
          source: "CDK iam.Role",
        });
        return lib({ kind: "role", statements: [] }, loc);
      }
      return cdkRole(a, props, loc, host, "CDK iam.Role", principals.map(statementFromPrincipal));
    }
    case "CfnRole": {
      const a = bind(args, ["scope", "id", "props"], loc);
      const props = a.get("props");
      const doc = field(props, "assumeRolePolicyDocument");
      const def: Definition = {
        kind: "role",
        id: constructId(a.get("id"), "iam.CfnRole"),
        loc,
        trust: () => documentValue(doc),
        source: "CDK iam.CfnRole",
      };
      const roleName = field(props, "roleName");
      const path = field(props, "path");
      if (roleName) def.name = roleName;
      if (path) def.path = path;
      host.record(def);
      return lib({ kind: "role", statements: [] }, loc);
    }
    case "OpenIdConnectProvider":
    case "OidcProviderNative":
    case "CfnOIDCProvider": {
      const a = bind(args, ["scope", "id", "props"], loc);
      const props = a.get("props");
      const url = field(props, "url");
      const def: Definition = { kind: "provider", id: constructId(a.get("id"), `iam.${name}`), loc };
      const clientIds = field(props, "clientIds") ?? field(props, "clientIdList");
      const thumbprints = field(props, "thumbprints") ?? field(props, "thumbprintList");
      if (url) def.url = url;
      if (clientIds) def.clientIds = clientIds;
      if (thumbprints) def.thumbprints = thumbprints;
      host.record(def);
      const p: Provider = { kind: "provider" };
      if (url) p.url = url;
      return lib(p, loc);
    }
    case "OpenIdConnectProvider.fromOpenIdConnectProviderArn":
    case "OidcProviderNative.fromOidcProviderArn": {
      const arn = bind(args, ["scope", "id", "arn"], loc).get("arn");
      return lib(arn ? { kind: "provider", arn } : { kind: "provider" }, loc);
    }
    case "OpenIdConnectPrincipal": {
      const a = bind(args, ["provider", "conditions"], loc);
      const p = a.get("provider");
      const arn =
        p?.t === "lib" && p.obj.kind === "provider"
          ? providerArn(p.obj as Provider, locOf(p))
          : (p ?? unk("provider", loc));
      return principal("Federated", arn, WEB_IDENTITY, [a.get("conditions")], loc);
    }
    case "WebIdentityPrincipal": {
      const a = bind(args, ["identityProvider", "conditions"], loc);
      return principal(
        "Federated",
        a.get("identityProvider") ?? unk("identityProvider", loc),
        WEB_IDENTITY,
        [a.get("conditions")],
        loc,
      );
    }
    case "FederatedPrincipal": {
      const a = bind(args, ["federated", "conditions", "assumeRoleAction"], loc);
      return principal(
        "Federated",
        a.get("federated") ?? unk("federated", loc),
        a.get("assumeRoleAction") ?? "sts:AssumeRole",
        [a.get("conditions")],
        loc,
      );
    }
    case "ServicePrincipal":
      return principal("Service", args.positional[0] ?? unk("service", loc), "sts:AssumeRole", [], loc);
    case "ArnPrincipal":
    case "AccountPrincipal":
      return principal("AWS", args.positional[0] ?? unk("arn", loc), "sts:AssumeRole", [], loc);
    case "AccountRootPrincipal":
      return principal("AWS", unk("account root", loc), "sts:AssumeRole", [], loc);
    case "AnyPrincipal":
    case "StarPrincipal":
      return principal("AWS", str("*", loc), "sts:AssumeRole", [], loc);
    case "CompositePrincipal":
      return lib({ kind: "composite", items: args.positional }, loc);
    case "PrincipalWithConditions": {
      const [p, conditions] = args.positional;
      return withConditions(p, conditions ?? kwargsObject(args, loc), loc);
    }
    case "PolicyStatement": {
      const props = bind(args, ["props"], loc).get("props");
      const s: StatementObj = {
        kind: "statement",
        actions: listItems(field(props, "actions")),
        principals: listItems(field(props, "principals")).flatMap(principalsOf),
        conditions: [],
        at: loc,
      };
      const effect = field(props, "effect");
      const sid = field(props, "sid");
      const conditions = field(props, "conditions");
      if (effect) s.effect = effect;
      if (sid) s.sid = sid;
      if (conditions) s.conditions.push(conditions);
      return lib(s, loc);
    }
    case "PolicyDocument": {
      const props = bind(args, ["props"], loc).get("props");
      const doc: PolicyDoc = {
        kind: "policy-document",
        statements: listItems(field(props, "statements")).map((s) =>
          s.t === "lib" && s.obj.kind === "statement" ? (s.obj as StatementObj) : s,
        ),
        at: loc,
      };
      return lib(doc, loc);
    }
    case "PolicyDocument.fromJson": {
      const json = args.positional[0];
      return json ? lib({ kind: "policy-document", statements: [], json, at: loc }, loc) : undefined;
    }
    case "Role.fromRoleArn":
    case "Role.fromRoleName":
      // A reference to a role defined elsewhere: not a definition.
      return lib({ kind: "role-reference" }, loc);
    default:
      return undefined;
  }
}

function listItems(v: PValue | undefined): PValue[] {
  if (!v) return [];
  return v.t === "arr" ? v.items : [v];
}

function withConditions(
  p: PValue | undefined,
  conditions: PValue | undefined,
  loc: SourceLocation,
): PValue | undefined {
  const ps = principalsOf(p);
  if (ps.length !== 1 || !ps[0]) return undefined;
  const base = ps[0];
  return lib({ ...base, conditions: conditions ? [...base.conditions, conditions] : base.conditions, at: loc }, loc);
}

function githubOidcCall(name: string, args: CallArgs, loc: SourceLocation, host: LibHost): PValue | undefined {
  switch (name) {
    case "GithubActionsIdentityProvider": {
      const a = bind(args, ["scope", "id", "props"], loc);
      const url = str(`https://${GITHUB_ISSUER}`, loc);
      host.record({
        kind: "provider",
        id: constructId(a.get("id"), "GithubActionsIdentityProvider"),
        loc,
        url,
        clientIds: arr([str(DEFAULT_AWS_AUDIENCE, loc)], loc),
      });
      return lib({ kind: "provider", url }, loc);
    }
    case "GithubActionsIdentityProvider.fromAccount": {
      const arn: PValue = {
        t: "str",
        v: { parts: ["arn:aws:iam::", { unknown: "account" }, `:oidc-provider/${GITHUB_ISSUER}`], loc },
      };
      return lib({ kind: "provider", arn }, loc);
    }
    case "GithubActionsRole": {
      // The construct trusts `repo:OWNER/REPO:FILTER` (filter default `*`) with StringLike, and the
      // default audience with StringEquals.
      const a = bind(args, ["scope", "id", "props"], loc);
      const props = a.get("props");
      const provider = field(props, "provider");
      const owner = field(props, "owner") ?? unk("owner", loc);
      const repo = field(props, "repo") ?? unk("repo", loc);
      const filter = field(props, "filter");
      const at = filter ? locOf(filter) : props ? locOf(props) : loc;
      const subject = concat(
        [
          str("repo:", at),
          owner,
          str("/", at),
          repo,
          str(":", at),
          // Said in the explanation: the `*` is nowhere in the source.
          filter ?? {
            t: "str",
            v: { parts: ["*"], loc: at, origin: "GithubActionsRole's default `filter` (none given)" },
          },
        ],
        at,
        describeValue,
      );
      const arn =
        provider?.t === "lib" && provider.obj.kind === "provider"
          ? providerArn(provider.obj as Provider, locOf(provider))
          : (provider ?? unk("provider", loc));
      const conditions = obj(
        [
          ["StringLike", obj([[`${GITHUB_ISSUER}:sub`, subject]], at)],
          ["StringEquals", obj([[`${GITHUB_ISSUER}:aud`, str(DEFAULT_AWS_AUDIENCE, loc)]], loc)],
        ],
        at,
      );
      const p = principal("Federated", arn, WEB_IDENTITY, [conditions], loc);
      return cdkRole(
        a,
        props,
        loc,
        host,
        "aws-cdk-github-oidc GithubActionsRole",
        principalsOf(p).map(statementFromPrincipal),
      );
    }
    default:
      return undefined;
  }
}

/** The property names of a role resource: the classic provider's, or the Cloud Control (aws-native) one's. */
const CLASSIC_ROLE = { trust: "assumeRolePolicy", name: "name" };
const NATIVE_ROLE = { trust: "assumeRolePolicyDocument", name: "roleName" };

function pulumiRole(
  id: PValue | undefined,
  props: PValue | undefined,
  loc: SourceLocation,
  host: LibHost,
  source: string,
  keys = CLASSIC_ROLE,
): void {
  const doc = field(props, keys.trust);
  const def: Definition = { kind: "role", id: constructId(id, source), loc, trust: () => documentValue(doc), source };
  const name = field(props, keys.name);
  const namePrefix = field(props, "namePrefix");
  const path = field(props, "path");
  if (name) def.name = name;
  if (namePrefix) def.namePrefix = namePrefix;
  if (path) def.path = path;
  host.record(def);
}

/** An OIDC provider resource: `clientIdLists`/`thumbprintLists` (classic provider) or `clientIdList`/`thumbprintList` (aws-native). */
function pulumiProvider(args: CallArgs, loc: SourceLocation, host: LibHost, source: string, plural: "s" | ""): PValue {
  const a = bind(args, ["name", "args", "opts"], loc, "args");
  const props = a.get("args");
  const def: Definition = { kind: "provider", id: constructId(a.get("name"), source), loc };
  const url = field(props, "url");
  const clientIds = field(props, `clientIdList${plural}`);
  const thumbprints = field(props, `thumbprintList${plural}`);
  if (url) def.url = url;
  if (clientIds) def.clientIds = clientIds;
  if (thumbprints) def.thumbprints = thumbprints;
  host.record(def);
  return lib(url ? { kind: "provider", url } : { kind: "provider" }, loc);
}

function pulumiCall(name: string, args: CallArgs, loc: SourceLocation, host: LibHost): PValue | undefined {
  const fn = camel(name);
  switch (fn) {
    case "Role": {
      const a = bind(args, ["name", "args", "opts"], loc, "args");
      pulumiRole(a.get("name"), a.get("args"), loc, host, "Pulumi aws.iam.Role");
      return lib({ kind: "role-reference" }, loc);
    }
    case "OpenIdConnectProvider":
      return pulumiProvider(args, loc, host, "aws.iam.OpenIdConnectProvider", "s");
    case "getOpenIdConnectProvider":
    case "getOpenIdConnectProviderOutput": {
      const props = bind(args, ["args"], loc).get("args");
      const url = field(props, "url");
      const arn = field(props, "arn");
      const p: Provider = { kind: "provider" };
      if (url) p.url = url;
      if (arn) p.arn = arn;
      return lib(p, loc);
    }
    case "getPolicyDocument":
    case "getPolicyDocumentOutput":
      return lib(
        { kind: "terraform-document", value: terraformDocument(bind(args, ["args"], loc).get("args"), loc) },
        loc,
      );
    default:
      // `GetPolicyDocumentStatementArgs(…)` and the other argument classes of the Python SDK are plain data.
      if (/Args$/.test(name)) return kwargsObject(args, loc) ?? args.positional[0];
      return undefined;
  }
}

/**
 * Pulumi's AWS Cloud Control provider (`@pulumi/aws-native`, `pulumi_aws_native`): `iam.Role` takes the trust
 * policy as `assumeRolePolicyDocument` (an object or JSON) and its name as `roleName`; `iam.OidcProvider` lists
 * `clientIdList` and `thumbprintList`.
 */
function pulumiNativeCall(name: string, args: CallArgs, loc: SourceLocation, host: LibHost): PValue | undefined {
  switch (camel(name)) {
    case "Role": {
      const a = bind(args, ["name", "args", "opts"], loc, "args");
      pulumiRole(a.get("name"), a.get("args"), loc, host, "Pulumi aws-native iam.Role", NATIVE_ROLE);
      return lib({ kind: "role-reference" }, loc);
    }
    case "OidcProvider":
      return pulumiProvider(args, loc, host, "aws-native iam.OidcProvider", "");
    default:
      return undefined;
  }
}

function pulumiCoreCall(name: string, args: CallArgs, loc: SourceLocation, expr: string): PValue | undefined {
  switch (name) {
    case "output":
    case "Output.from_input":
      return args.positional[0];
    case "all":
    case "Output.all":
      if (args.keywords.size > 0) return kwargsObject(args, loc);
      if (args.uncertain) return unk(expr, loc);
      return args.positional.length === 1 && args.positional[0]?.t === "arr"
        ? args.positional[0]
        : arr(args.positional, loc);
    case "concat":
    case "Output.concat":
      if (args.uncertain) return unk(expr, loc);
      return concat(args.positional, loc, describeValue);
    case "jsonStringify":
    case "Output.json_dumps":
      return args.positional[0] ? lib({ kind: "json", value: args.positional[0] }, loc) : undefined;
    default:
      return undefined;
  }
}

function cdktfCall(name: string, args: CallArgs, loc: SourceLocation, host: LibHost): PValue | undefined {
  const cls = name.split(".").pop() ?? name;
  switch (cls) {
    case "IamRole": {
      const a = bind(args, ["scope", "id", "config"], loc);
      pulumiRole(a.get("id"), a.get("config"), loc, host, "CDKTF IamRole");
      return lib({ kind: "role-reference" }, loc);
    }
    case "DataAwsIamPolicyDocument": {
      const a = bind(args, ["scope", "id", "config"], loc);
      return lib({ kind: "terraform-document", value: terraformDocument(a.get("config"), loc) }, loc);
    }
    case "IamOpenidConnectProvider": {
      const a = bind(args, ["scope", "id", "config"], loc);
      const props = a.get("config");
      const url = field(props, "url");
      const def: Definition = { kind: "provider", id: constructId(a.get("id"), "IamOpenidConnectProvider"), loc };
      const clientIds = field(props, "clientIdList");
      const thumbprints = field(props, "thumbprintList");
      if (url) def.url = url;
      if (clientIds) def.clientIds = clientIds;
      if (thumbprints) def.thumbprints = thumbprints;
      host.record(def);
      return lib(url ? { kind: "provider", url } : { kind: "provider" }, loc);
    }
    case "DataAwsIamOpenidConnectProvider": {
      const props = bind(args, ["scope", "id", "config"], loc).get("config");
      const url = field(props, "url");
      const arn = field(props, "arn");
      const p: Provider = { kind: "provider" };
      if (url) p.url = url;
      if (arn) p.arn = arn;
      return lib(p, loc);
    }
    default:
      // Python's struct classes (`DataAwsIamPolicyDocumentStatement(…)`) are plain data.
      if (args.positional.length === 0) return kwargsObject(args, loc);
      return undefined;
  }
}

/** Members of library values: provider ARNs, documents' `.json`, a role's trust document. */
export function libMember(o: LibObject, name: string, loc: SourceLocation): PValue | undefined {
  switch (o.kind) {
    case "provider":
      if (
        name === "openIdConnectProviderArn" ||
        name === "oidcProviderArn" ||
        name === "arn" ||
        name === "open_id_connect_provider_arn" ||
        name === "oidc_provider_arn"
      ) {
        return providerArn(o as Provider, loc);
      }
      if (
        name === "openIdConnectProviderIssuer" ||
        name === "oidcProviderIssuer" ||
        name === "open_id_connect_provider_issuer" ||
        name === "oidc_provider_issuer"
      ) {
        return providerIssuer(o as Provider, loc);
      }
      return undefined;
    case "terraform-document":
      if (name === "json") return lib({ kind: "json", value: o.value }, loc);
      return undefined;
    case "role":
      if (name === "assumeRolePolicy" || name === "assume_role_policy")
        return lib({ kind: "trust-document", role: o }, loc);
      return undefined;
    default:
      return undefined;
  }
}

/** Methods of library values. */
export function libMethod(
  o: LibObject,
  name: string,
  args: CallArgs,
  loc: SourceLocation,
  _host: LibHost,
): PValue | undefined {
  const method = camel(name);
  switch (o.kind) {
    case "principal":
      if (method === "withConditions")
        return withConditions(lib(o, loc), args.positional[0] ?? kwargsObject(args, loc), loc);
      if (method === "withSessionTags") return lib(o, loc);
      return undefined;
    case "statement": {
      const s = o as StatementObj;
      if (method === "addPrincipals") s.principals.push(...args.positional.flatMap(principalsOf));
      else if (method === "addActions") s.actions.push(...args.positional);
      else if (method === "addConditions" && args.positional[0]) s.conditions.push(args.positional[0]);
      else if (method === "addCondition") {
        const [op, key, value] = args.positional;
        const k = textOf(key);
        const o2 = textOf(op);
        if (o2 !== undefined && k !== undefined && value && key && op)
          s.conditions.push(
            obj([[o2, { t: "obj", entries: [{ key: k, keyLoc: locOf(key), value }], loc: locOf(key) }]], locOf(op)),
          );
        else s.conditions.push(unk("addCondition(…)", loc));
      } else return undefined;
      return { t: "null", loc };
    }
    case "trust-document": {
      if (method !== "addStatements") return undefined;
      const role = o.role as { statements: StatementObj[] };
      for (const a of args.positional)
        if (a.t === "lib" && a.obj.kind === "statement") role.statements.push(a.obj as StatementObj);
      return { t: "null", loc };
    }
    case "role":
      if (method === "addToAssumeRolePolicy" || method === "addToAssumeRolePolicyDocument") return undefined;
      return undefined;
    default:
      return undefined;
  }
}
