import type { LineIndex, SourceLocation } from "../../model/location.js";
import { normalisePolicy, treeString, treeValueList } from "../normalise-policy.js";
import type { OidcProvider, PolicyDocument, RoleInfo } from "../../model/policy.js";
import { emptyParsed, type ParsedFile } from "../../model/project.js";
import { child, entry, type TreeNode } from "../tree.js";
import { joinParts, knownText, type Part } from "../../model/value.js";
import type { ParseEnv, SourceFile } from "../source.js";
import { parseJsonSource, parseYamlSource, yamlToTree } from "../yaml-source.js";
import { indentFlowContinuations, ReindentedIndex } from "./flow-indent.js";
import {
  parametersNotDefault,
  PROVIDER_TYPES,
  Resolver,
  structuralConditions,
  type Template,
  type TemplateParameter,
  type TemplateResource,
} from "./resolve.js";
import { shortFormHandler } from "./short-forms.js";

/**
 * CloudFormation and SAM templates (YAML or JSON) and CDK output (`cdk.out/*.template.json`): the trust
 * policies of `AWS::IAM::Role` (and of the role SAM creates for an `AWS::Serverless::Function`) and the
 * OIDC providers (`AWS::IAM::OIDCProvider`, CDK's `Custom::AWSCDKOpenIdConnectProvider`). Intrinsic
 * functions are resolved by `Resolver`; a document holding `Fn::If` is read once per branch.
 */
export function parseCloudFormation(src: SourceFile, _env: ParseEnv): ParsedFile | undefined {
  const json = /^\s*\{/.test(src.text);
  let parsed = json ? parseJsonSource(src.path, src.text) : parseYamlSource(src.path, src.text);
  if (!json && parsed.doc.errors.some((e) => e.code === "BAD_INDENT" || e.code === "BLOCK_IN_FLOW")) {
    // A flow collection written as PyYAML accepts it (see flow-indent.ts): read it the way AWS tools do.
    const fixed = indentFlowContinuations(src.text);
    const retry = fixed && parseYamlSource(src.path, fixed.text);
    if (fixed && retry && retry.problems.length === 0)
      parsed = { ...retry, index: new ReindentedIndex(src.path, fixed.text, fixed.inserted, fixed.quoted) };
  }
  if (parsed.problems.length > 0) {
    const out = emptyParsed(src.path, "cloudformation");
    out.problems.push(...parsed.problems);
    return out;
  }
  const tree = yamlToTree(parsed.doc.contents, parsed.index, json ? undefined : shortFormHandler(parsed.index));
  if (!isTemplate(tree)) return undefined;
  const tpl = readTemplate(tree, src.path, parsed.index);
  const out = emptyParsed(src.path, "cloudformation");
  const partition = templatePartition(tree);
  for (const res of tpl.resources.values()) {
    if (res.type === "AWS::IAM::Role") {
      const assume = child(res.properties, "AssumeRolePolicyDocument");
      if (assume)
        out.policies.push(
          ...trustPolicies(
            tpl,
            assume,
            roleInfo(tpl, res, "RoleName", "Path", res.id),
            "CloudFormation AWS::IAM::Role",
            partition,
            out,
          ),
        );
    } else if (res.type === "AWS::Serverless::Function") {
      // With `Role` the function uses an existing role and SAM ignores AssumeRolePolicyDocument.
      const assume = child(res.properties, "AssumeRolePolicyDocument");
      if (assume && !entry(res.properties, "Role")) {
        out.policies.push(
          ...trustPolicies(
            tpl,
            assume,
            roleInfo(tpl, res, undefined, "RolePath", `${res.id}Role`),
            "SAM AWS::Serverless::Function",
            partition,
            out,
          ),
        );
      }
    } else if (PROVIDER_TYPES.has(res.type)) {
      out.providers.push(...providers(tpl, res));
    }
  }
  return out;
}

/** A template by content: a format version, or resources with `Type`s. A YAML file that merely mentions one is not. */
function isTemplate(tree: TreeNode): boolean {
  if (tree.kind !== "object") return false;
  if (entry(tree, "AWSTemplateFormatVersion")) return true;
  const resources = child(tree, "Resources");
  if (resources?.kind !== "object") return false;
  return resources.entries.some((e) => {
    const type = child(e.value, "Type");
    const text = type?.kind === "string" ? knownText(type.value) : undefined;
    return text !== undefined && /^(AWS|Custom|Alexa)::/.test(text);
  });
}

function readTemplate(tree: TreeNode, file: string, index: Template["index"]): Template {
  const tpl: Template = {
    file,
    index,
    parameters: new Map(),
    conditions: new Map(),
    conditionValues: new Map(),
    resources: new Map(),
  };
  const params = child(tree, "Parameters");
  if (params?.kind === "object") {
    for (const e of params.entries) {
      const p: TemplateParameter = { name: e.key.value, loc: e.key.loc };
      const type = child(e.value, "Type");
      const typeText = type?.kind === "string" ? knownText(type.value) : undefined;
      if (typeText !== undefined) p.type = typeText;
      const def = child(e.value, "Default");
      if (def && def.kind !== "object") p.default = def;
      tpl.parameters.set(p.name, p);
    }
  }
  const conditions = child(tree, "Conditions");
  if (conditions?.kind === "object") for (const e of conditions.entries) tpl.conditions.set(e.key.value, e.value);
  const mappings = child(tree, "Mappings");
  if (mappings) tpl.mappings = mappings;
  const resources = child(tree, "Resources");
  if (resources?.kind === "object") {
    for (const e of resources.entries) {
      const type = child(e.value, "Type");
      const typeText = type?.kind === "string" ? knownText(type.value) : undefined;
      if (typeText === undefined) continue;
      const res: TemplateResource = { id: e.key.value, type: typeText, loc: e.key.loc };
      const props = child(e.value, "Properties");
      if (props) res.properties = props;
      tpl.resources.set(res.id, res);
    }
  }
  return tpl;
}

/** Beyond this many conditions in one document, further `Fn::If`s stay unknown instead of doubling the readings. */
const MAX_BRANCHING_CONDITIONS = 4;

interface Reading {
  resolver: Resolver;
  /** `condition IsProd true, condition UseOrg false`; undefined when the document has no `Fn::If`. */
  branch?: string;
}

/**
 * One reading of a subtree per assignment of the conditions whose `Fn::If`s change its structure (an
 * `Fn::If` between two values is read as both values by the resolver instead). A branch that the
 * parameters' defaults do not take is read with the condition's parameters unknown.
 */
function readings(tpl: Template, node: TreeNode): Reading[] {
  const names = structuralConditions(node).slice(0, MAX_BRANCHING_CONDITIONS);
  if (names.length === 0) return [{ resolver: new Resolver(tpl) }];
  const out: Reading[] = [];
  for (let mask = 0; mask < 1 << names.length; mask++) {
    const assignment = new Map(names.map((n, i) => [n, (mask & (1 << i)) === 0]));
    const unknownParameters = new Map<string, string>();
    for (const [n, value] of assignment)
      for (const [p, why] of parametersNotDefault(tpl, n, value)) unknownParameters.set(p, why);
    const branch = names.map((n) => `condition ${n} ${String(assignment.get(n))}`).join(", ");
    out.push({ resolver: new Resolver(tpl, assignment, unknownParameters), branch });
  }
  return out;
}

function roleInfo(
  tpl: Template,
  res: TemplateResource,
  nameKey: string | undefined,
  pathKey: string,
  id: string,
): RoleInfo {
  const info: RoleInfo = { id, loc: res.loc };
  const resolver = new Resolver(tpl);
  const read = (key: string | undefined) => {
    const node = key === undefined ? undefined : child(res.properties, key);
    const resolved = node ? resolver.resolve(node) : undefined;
    return resolved ? treeString(resolved) : undefined;
  };
  const name = read(nameKey);
  const path = read(pathKey);
  if (name) info.name = name;
  if (path) info.path = path;
  return info;
}

function trustPolicies(
  tpl: Template,
  assume: TreeNode,
  role: RoleInfo,
  source: string,
  partition: string | undefined,
  out: ParsedFile,
): PolicyDocument[] {
  const docs: PolicyDocument[] = [];
  for (const reading of readings(tpl, assume)) {
    let resolved = reading.resolver.resolve(assume);
    if (resolved?.kind === "string") resolved = policyFromString(resolved, tpl.index, out);
    if (!resolved) continue;
    const doc = normalisePolicy(
      resolved,
      { kind: "trust", source, role, ...(partition === undefined ? {} : { partition }) },
      assume.loc,
    );
    if (!doc) continue;
    if (reading.branch !== undefined) doc.branch = reading.branch;
    docs.push(doc);
  }
  return docs;
}

function providers(tpl: Template, res: TemplateResource): OidcProvider[] {
  const props = res.properties;
  if (!props) return [{ id: res.id, loc: res.loc }];
  return readings(tpl, props).map(({ resolver }) => {
    const provider: OidcProvider = { id: res.id, loc: res.loc };
    const read = (...keys: string[]): TreeNode | undefined => {
      for (const k of keys) {
        const node = child(props, k);
        if (node) return resolver.resolve(node);
      }
      return undefined;
    };
    const url = read("Url");
    const urlValue = url && treeString(url);
    if (urlValue) provider.url = urlValue;
    // CDK's custom resource spells it ClientIDList.
    const clientIds = read("ClientIdList", "ClientIDList");
    if (clientIds) provider.clientIds = treeValueList(clientIds);
    const thumbprints = read("ThumbprintList");
    if (thumbprints) provider.thumbprints = treeValueList(thumbprints);
    return provider;
  });
}

/**
 * The partition the template's own ARNs name (`arn:aws-cn:…` in managed policy ARNs, resources), when
 * they agree on one. Principals are left out: they are what `malformed-principal` compares with it.
 */
function templatePartition(tree: TreeNode): string | undefined {
  const found = new Set<string>();
  const walk = (node: TreeNode, depth: number): void => {
    if (depth > 200) return;
    if (node.kind === "string") {
      for (const p of node.value.parts) {
        if (typeof p !== "string") continue;
        for (const m of p.matchAll(/\barn:(aws(?:-[a-z]+)*):/g)) if (m[1]) found.add(m[1]);
      }
    } else if (node.kind === "array") for (const i of node.items) walk(i, depth + 1);
    else if (node.kind === "object") {
      for (const e of node.entries)
        if (e.key.value !== "Principal" && e.key.value !== "NotPrincipal") walk(e.value, depth + 1);
    }
  };
  walk(tree, 0);
  return found.size === 1 ? [...found][0] : undefined;
}

/**
 * `AssumeRolePolicyDocument` may be the policy as a JSON string (often built with `!Sub`). Positions
 * inside the string cannot be mapped back character by character, so every value sits on the string;
 * unresolved `${…}` pieces stay unknown parts of the strings that hold them.
 */
function policyFromString(
  node: TreeNode & { kind: "string" },
  index: LineIndex,
  out: ParsedFile,
): TreeNode | undefined {
  const file = index.file;
  const unknowns: Part[] = [];
  let text = "";
  for (const p of node.value.parts) {
    if (typeof p === "string") text += p;
    else {
      text += `\uE000${unknowns.length}\uE001`;
      unknowns.push(p);
    }
  }
  const parsed = parseJsonSource(file, text);
  if (parsed.problems.length > 0) {
    // A document with unresolved pieces may only look broken because of them: nothing certain to say.
    if (unknowns.length === 0) {
      out.problems.push({
        message: `AssumeRolePolicyDocument is a string that is not valid JSON: ${parsed.problems[0]?.message ?? ""}`,
        loc: node.loc,
      });
    }
    return undefined;
  }
  const place = blockScalarPlacer(index, node.loc, text) ?? ((): SourceLocation => node.loc);
  return onString(yamlToTree(parsed.doc.contents, parsed.index), place, node.value.origin, unknowns);
}

/**
 * A policy written as a YAML literal block (`AssumeRolePolicyDocument: |` or `!Sub |`, then JSON lines):
 * each JSON value is placed at its own line of the block, as Terraform heredocs are, and at its column
 * while the line up to it reads as written (a `${…}` substituted before it on the same line puts it at the
 * line's first character). Undefined for other strings: everything then sits on the string.
 */
function blockScalarPlacer(
  index: LineIndex,
  loc: SourceLocation,
  json: string,
): ((at: SourceLocation) => SourceLocation) | undefined {
  const header = index.lineText(loc.line).slice(loc.column - 1);
  if (!/^(?:!Sub\s+)?\|[-+]?[1-9]?[-+]?\s*(?:#.*)?$/.test(header)) return undefined;
  let first = loc.line + 1;
  while (first <= index.lineCount && index.lineText(first).trim() === "") first++;
  const indent = /^ */.exec(index.lineText(first))?.[0].length ?? 0;
  const jsonLines = json.split("\n");
  // The block holds the JSON from its first line: blank lines before it are not part of the value's text.
  const skipped = jsonLines.findIndex((l) => l.trim() !== "");
  const point = (line: number, column: number, end: boolean): { line: number; column: number } => {
    const srcLine = first + line - 1 - Math.max(0, skipped);
    const prefix = (jsonLines[line - 1] ?? "").slice(0, column - 1);
    const text = index.lineText(srcLine);
    if (text.slice(indent, indent + prefix.length) === prefix) return { line: srcLine, column: indent + column };
    return { line: srcLine, column: end ? text.length + 1 : indent + 1 };
  };
  return (at) => {
    const a = point(at.line, at.column, false);
    const b = point(at.endLine, at.endColumn, true);
    return { file: loc.file, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  };
}

/** A key cannot hold unknown parts: an unresolved piece of it is written as `${expr}`. */
function displayKey(key: string, unknowns: Part[]): string {
  return key.replace(/\uE000(\d+)\uE001/g, (_m, i: string) => {
    const p = unknowns[Number(i)];
    return typeof p === "object" ? `\${${p.unknown}}` : "${?}";
  });
}

function onString(
  node: TreeNode,
  place: (at: SourceLocation) => SourceLocation,
  origin: string | undefined,
  unknowns: Part[],
): TreeNode {
  const loc = place(node.loc);
  switch (node.kind) {
    case "string": {
      const parts: Part[] = [];
      for (const p of node.value.parts) {
        if (typeof p !== "string") {
          parts.push(p);
          continue;
        }
        p.split(/\uE000(\d+)\uE001/).forEach((piece, i) => {
          if (i % 2 === 0) parts.push(piece);
          else parts.push(unknowns[Number(piece)] ?? { unknown: "?" });
        });
      }
      const joined = joinParts(parts);
      const value = origin === undefined ? { parts: joined, loc } : { parts: joined, loc, origin };
      return { kind: "string", value, loc };
    }
    case "array":
      return { kind: "array", items: node.items.map((i) => onString(i, place, origin, unknowns)), loc };
    case "object":
      return {
        kind: "object",
        entries: node.entries.map((e) => ({
          key: { value: displayKey(e.key.value, unknowns), loc: place(e.key.loc) },
          value: onString(e.value, place, origin, unknowns),
        })),
        loc,
      };
    default:
      return { ...node, loc };
  }
}
