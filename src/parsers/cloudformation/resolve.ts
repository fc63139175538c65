import type { LineIndex, SourceLocation } from "../../model/location.js";
import { child, entry, relocate, type TreeEntry, type TreeNode } from "../tree.js";
import { displayText, joinParts, knownText, type Part } from "../../model/value.js";

/**
 * CloudFormation intrinsic functions, evaluated as far as a template alone allows: parameter defaults,
 * mappings with literal keys, `Fn::Sub` (with or without its variable map), `Fn::Join`, `Fn::Select`,
 * `Fn::Split`, the ARN of an OIDC provider of the same template. Everything else (pseudo parameters,
 * `Fn::ImportValue`, other resources' attributes, parameters without a default) stays an explicit unknown.
 */

export interface TemplateParameter {
  name: string;
  type?: string;
  default?: TreeNode;
  loc: SourceLocation;
}

export interface TemplateResource {
  id: string;
  type: string;
  properties?: TreeNode;
  /** The logical id as written (the resource's key). */
  loc: SourceLocation;
}

export interface Template {
  file: string;
  index: LineIndex;
  parameters: Map<string, TemplateParameter>;
  mappings?: TreeNode;
  /** The `Conditions` section: name → condition function. */
  conditions: Map<string, TreeNode>;
  /** Each condition's value with every parameter at its default, once computed (`evaluateCondition`). */
  conditionValues: Map<string, boolean | undefined>;
  resources: Map<string, TemplateResource>;
}

/** The resource types whose `Ref` (and `Arn` attribute) is the ARN of an IAM OIDC provider. */
export const PROVIDER_TYPES = new Set(["AWS::IAM::OIDCProvider", "Custom::AWSCDKOpenIdConnectProvider"]);

/** The truth value of each CloudFormation condition for one reading of the template (`Fn::If`). */
export type Assignment = ReadonlyMap<string, boolean>;

const MAX_DEPTH = 100;

/** The one-key object of an intrinsic function (`{ "Fn::Sub": … }`, `{ "Ref": … }`), if the node is one. */
export function intrinsicOf(node: TreeNode): { name: string; arg: TreeNode; key: TreeEntry["key"] } | undefined {
  if (node.kind !== "object" || node.entries.length !== 1) return undefined;
  const e = node.entries[0];
  if (!e) return undefined;
  const name = e.key.value;
  if (name !== "Ref" && !name.startsWith("Fn::")) return undefined;
  return { name, arg: e.value, key: e.key };
}

/**
 * Whether an `Fn::If` branch is a value (a string, a list of strings, an intrinsic yielding one), so that
 * both branches can stand side by side in a value list; `AWS::NoValue` is a value only inside a list
 * (anywhere else it removes a key, which changes the document's structure).
 */
function isValueBranch(node: TreeNode, inArray: boolean, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  const fn = intrinsicOf(node);
  if (fn) {
    if (fn.name === "Ref") return !(fn.arg.kind === "string" && knownText(fn.arg.value) === "AWS::NoValue") || inArray;
    if (fn.name === "Fn::If")
      return fn.arg.kind === "array" && fn.arg.items.slice(1).every((b) => isValueBranch(b, inArray, depth + 1));
    return true;
  }
  if (node.kind === "object") return false;
  if (node.kind === "array") return node.items.every((i) => isValueBranch(i, true, depth + 1));
  return true;
}

function ifParts(arg: TreeNode): { cond?: string; branches: TreeNode[] } {
  if (arg.kind !== "array" || arg.items.length !== 3) return { branches: [] };
  const [condNode, ...branches] = arg.items as [TreeNode, TreeNode, TreeNode];
  const cond = condNode.kind === "string" ? knownText(condNode.value) : undefined;
  return cond === undefined ? { branches } : { cond, branches };
}

/**
 * The conditions whose `Fn::If`s under a node change the document's structure (choose statements,
 * condition blocks, keys), in order of appearance. Those are read once per truth value; an `Fn::If`
 * between two values is read as both values side by side instead.
 */
export function structuralConditions(node: TreeNode, out: string[] = [], inArray = false, depth = 0): string[] {
  if (depth > MAX_DEPTH) return out;
  const fn = intrinsicOf(node);
  if (fn?.name === "Fn::If") {
    const { cond, branches } = ifParts(fn.arg);
    if (cond !== undefined && !out.includes(cond) && !branches.every((b) => isValueBranch(b, inArray))) out.push(cond);
  }
  if (node.kind === "array") for (const i of node.items) structuralConditions(i, out, true, depth + 1);
  else if (node.kind === "object") for (const e of node.entries) structuralConditions(e.value, out, false, depth + 1);
  return out;
}

interface Text {
  parts: Part[];
  origins: string[];
}

function textOf(node: TreeNode | undefined): Text | undefined {
  if (!node) return undefined;
  switch (node.kind) {
    case "string":
      return { parts: node.value.parts, origins: node.value.origin ? [node.value.origin] : [] };
    case "scalar":
      return { parts: [node.value === null ? "" : String(node.value)], origins: [] };
    case "unknown":
      return { parts: [{ unknown: node.expr }], origins: node.origin ? [node.origin] : [] };
    default:
      return undefined;
  }
}

function joinOrigins(origins: string[]): string | undefined {
  const unique = [...new Set(origins)];
  return unique.length === 0 ? undefined : unique.join("; ");
}

function stringNode(parts: Part[], loc: SourceLocation, origins: string[] = []): TreeNode {
  const origin = joinOrigins(origins);
  const value = origin === undefined ? { parts: joinParts(parts), loc } : { parts: joinParts(parts), loc, origin };
  return { kind: "string", value, loc };
}

function unknownNode(expr: string, loc: SourceLocation, origin?: string): TreeNode {
  return origin === undefined ? { kind: "unknown", expr, loc } : { kind: "unknown", expr, loc, origin };
}

/** Adds where a value came from to every string of a resolved tree. */
function addOrigin(node: TreeNode, origin: string): TreeNode {
  const combine = (o: string | undefined): string => (o === undefined ? origin : `${o}; ${origin}`);
  switch (node.kind) {
    case "string":
      return { ...node, value: { ...node.value, origin: combine(node.value.origin) } };
    case "unknown":
      return { ...node, origin: combine(node.origin) };
    case "array":
      return { ...node, items: node.items.map((i) => addOrigin(i, origin)) };
    case "object":
      return { ...node, entries: node.entries.map((e) => ({ key: e.key, value: addOrigin(e.value, origin) })) };
    default:
      return node;
  }
}

const LIST_PARAMETER = /^(CommaDelimitedList|List<.*>)$/;

/**
 * Evaluates the intrinsic functions of a tree for one assignment of the template's conditions.
 * `resolve` returns undefined where `Ref: AWS::NoValue` removes a value.
 */
export class Resolver {
  /**
   * `unknownParameters`: parameters whose default this reading cannot use (a branch taken only when a
   * parameter differs from its default), with the reason as origin.
   */
  constructor(
    private readonly tpl: Template,
    private readonly assignment: Assignment = new Map(),
    private readonly unknownParameters: ReadonlyMap<string, string> = new Map(),
    /** Conditions compare defaults as written, `""` included (`!Equals [!Ref Repository, ""]`). */
    private readonly forConditions = false,
  ) {}

  private where(loc: SourceLocation): string {
    return `${this.tpl.file}:${loc.line}`;
  }

  /** `!If` or `Fn::If`, as the template wrote it, for messages. */
  private spelling(key: TreeEntry["key"], short: string): string {
    const at = this.tpl.index.offset(key.loc.line, key.loc.column);
    return this.tpl.index.text.startsWith("!", at) ? `!${short}` : `Fn::${short}`;
  }

  /** `inArray`: the node is an item of a list (where `AWS::NoValue` drops the item, and a list-valued item is spread). */
  resolve(node: TreeNode, depth = 0, inArray = false): TreeNode | undefined {
    if (depth > MAX_DEPTH) return unknownNode("nesting too deep", node.loc);
    const fn = intrinsicOf(node);
    if (fn) return this.intrinsic(fn.name, fn.arg, fn.key, node.loc, depth + 1, inArray);
    if (node.kind === "array") {
      const items: TreeNode[] = [];
      for (const i of node.items) {
        const r = this.resolve(i, depth + 1, true);
        // Both values of an `Fn::If` inside a list stand side by side in it.
        if (r?.kind === "array" && intrinsicOf(i)?.name === "Fn::If") items.push(...r.items);
        else if (r) items.push(r);
      }
      return { kind: "array", items, loc: node.loc };
    }
    if (node.kind === "object") {
      const entries: TreeEntry[] = [];
      for (const e of node.entries) {
        const r = this.resolve(e.value, depth + 1);
        if (r) entries.push({ key: e.key, value: r });
        // A policy's `Condition` removed by `AWS::NoValue` is kept as an empty block, so that findings
        // about missing conditions can point at it.
        else if (e.key.value === "Condition")
          entries.push({ key: e.key, value: { kind: "object", entries: [], loc: e.value.loc } });
      }
      return { kind: "object", entries, loc: node.loc };
    }
    return node;
  }

  private intrinsic(
    name: string,
    arg: TreeNode,
    key: TreeEntry["key"],
    loc: SourceLocation,
    depth: number,
    inArray: boolean,
  ): TreeNode | undefined {
    switch (name) {
      case "Ref": {
        const target = textOf(arg);
        const text = target ? knownText({ parts: target.parts, loc }) : undefined;
        return text === undefined ? unknownNode("Ref", loc) : this.ref(text, loc, depth);
      }
      case "Fn::GetAtt":
        return this.getAtt(arg, loc, depth);
      case "Fn::Sub":
        return this.sub(arg, loc, depth);
      case "Fn::Join":
        return this.join(arg, loc, depth);
      case "Fn::Select":
        return this.select(arg, loc, depth);
      case "Fn::Split":
        return this.split(arg, loc, depth);
      case "Fn::FindInMap":
        return this.findInMap(arg, loc, depth);
      case "Fn::If":
        return this.if(arg, key, loc, depth, inArray);
      case "Fn::ImportValue": {
        const r = this.resolve(arg, depth);
        const t = textOf(r);
        return unknownNode(
          `ImportValue ${t ? displayText({ parts: t.parts, loc }) : "…"}`,
          loc,
          "an export of another stack (Fn::ImportValue)",
        );
      }
      default:
        return unknownNode(name, loc);
    }
  }

  /** `Ref`: a parameter's default, a pseudo parameter (unknown), an OIDC provider's ARN. */
  ref(name: string, loc: SourceLocation, depth: number): TreeNode | undefined {
    if (name === "AWS::NoValue") return undefined;
    if (name.startsWith("AWS::")) return unknownNode(name, loc);
    const param = this.tpl.parameters.get(name);
    if (param) return this.parameter(param, loc);
    const res = this.tpl.resources.get(name);
    if (res && PROVIDER_TYPES.has(res.type)) return this.providerArn(res, loc, depth);
    if (res) return unknownNode(name, loc, `resource ${name} (${res.type})`);
    return unknownNode(name, loc);
  }

  private parameter(param: TemplateParameter, loc: SourceLocation): TreeNode {
    const notDefault = this.unknownParameters.get(param.name);
    if (notDefault !== undefined) return unknownNode(param.name, loc, notDefault);
    if (param.type?.startsWith("AWS::SSM::Parameter::Value")) {
      return unknownNode(param.name, loc, `parameter ${param.name}, read from SSM (${this.where(param.loc)})`);
    }
    const def = param.default;
    if (!def)
      return unknownNode(param.name, loc, `parameter ${param.name}, which has no Default (${this.where(param.loc)})`);
    const origin = `parameter ${param.name} default (${this.where(def.loc)})`;
    if (def.kind === "array") {
      return { kind: "array", items: def.items.map((i) => stringNode(textOf(i)?.parts ?? [], loc, [origin])), loc };
    }
    const text = textOf(def);
    if (!text) return unknownNode(param.name, loc, origin);
    // `Default: ""` marks a parameter the deployer must give (a repository, a provider ARN): unknown.
    if (!this.forConditions && knownText({ parts: text.parts, loc }) === "")
      return unknownNode(param.name, loc, `parameter ${param.name}, whose Default is "" (${this.where(def.loc)})`);
    if (param.type !== undefined && LIST_PARAMETER.test(param.type)) {
      const whole = knownText({ parts: text.parts, loc }) ?? "";
      return { kind: "array", items: whole.split(",").map((s) => stringNode([s.trim()], loc, [origin])), loc };
    }
    return stringNode(text.parts, loc, [origin]);
  }

  /** The ARN `Ref`/`GetAtt Arn` of an OIDC provider yields: partition and account stay unknown. */
  private providerArn(res: TemplateResource, loc: SourceLocation, depth: number): TreeNode {
    const url = child(res.properties, "Url");
    const resolved = url ? this.resolve(url, depth + 1) : undefined;
    const text = textOf(resolved);
    if (!text) return unknownNode(`${res.id}.Arn`, loc, `OIDC provider ${res.id} (${this.where(res.loc)})`);
    const parts = [...text.parts];
    const first = parts[0];
    if (typeof first === "string") parts[0] = first.replace(/^https?:\/\//i, "");
    const last = parts[parts.length - 1];
    if (typeof last === "string") parts[parts.length - 1] = last.replace(/\/+$/, "");
    const arn: Part[] = [
      "arn:",
      { unknown: "AWS::Partition" },
      ":iam::",
      { unknown: "AWS::AccountId" },
      ":oidc-provider/",
      ...parts,
    ];
    return stringNode(arn, loc, [`the ARN of OIDC provider ${res.id} (${this.where(res.loc)})`, ...text.origins]);
  }

  private getAtt(arg: TreeNode, loc: SourceLocation, depth: number): TreeNode {
    const items = arg.kind === "array" ? arg.items.map((i) => this.resolve(i, depth)) : [];
    const id = knownText({ parts: textOf(items[0])?.parts ?? [{ unknown: "?" }], loc });
    const attr = knownText({ parts: textOf(items[1])?.parts ?? [{ unknown: "?" }], loc });
    if (id === undefined || attr === undefined) return unknownNode("Fn::GetAtt", loc);
    return this.attribute(id, attr, loc, depth);
  }

  private attribute(id: string, attr: string, loc: SourceLocation, depth: number): TreeNode {
    const res = this.tpl.resources.get(id);
    if (res && PROVIDER_TYPES.has(res.type) && attr === "Arn") return this.providerArn(res, loc, depth);
    return unknownNode(`${id}.${attr}`, loc, res ? `attribute ${attr} of resource ${id} (${res.type})` : undefined);
  }

  /** `Fn::Sub` with a string, or with `[string, { Var: value }]`; `${!Literal}` is the literal `${Literal}`. */
  private sub(arg: TreeNode, loc: SourceLocation, depth: number): TreeNode {
    const templateNode = arg.kind === "array" ? arg.items[0] : arg;
    const vars = arg.kind === "array" ? arg.items[1] : undefined;
    const template = templateNode?.kind === "string" ? knownText(templateNode.value) : undefined;
    if (template === undefined) return unknownNode("Fn::Sub", loc);
    const parts: Part[] = [];
    const origins: string[] = [];
    const pattern = /\$\{([^}]*)\}/g;
    let last = 0;
    for (let m = pattern.exec(template); m !== null; m = pattern.exec(template)) {
      parts.push(template.slice(last, m.index));
      last = m.index + m[0].length;
      const body = m[1] ?? "";
      if (body.startsWith("!")) {
        parts.push(`\${${body.slice(1)}}`);
        continue;
      }
      const name = body.trim();
      const value = this.subVariable(name, vars, loc, depth);
      const text = textOf(value);
      if (text) {
        parts.push(...text.parts);
        origins.push(...text.origins);
      } else parts.push({ unknown: name });
    }
    parts.push(template.slice(last));
    return stringNode(parts, loc, origins);
  }

  private subVariable(
    name: string,
    vars: TreeNode | undefined,
    loc: SourceLocation,
    depth: number,
  ): TreeNode | undefined {
    const mapped = entry(vars, name);
    if (mapped) return this.resolve(mapped.value, depth + 1);
    const dot = name.indexOf(".");
    if (dot > 0 && !this.tpl.parameters.has(name))
      return this.attribute(name.slice(0, dot), name.slice(dot + 1), loc, depth + 1);
    return this.ref(name, loc, depth + 1);
  }

  private join(arg: TreeNode, loc: SourceLocation, depth: number): TreeNode {
    if (arg.kind !== "array" || arg.items.length !== 2) return unknownNode("Fn::Join", loc);
    const [delimNode, listNode] = arg.items as [TreeNode, TreeNode];
    const delim = textOf(this.resolve(delimNode, depth));
    const delimText = delim ? knownText({ parts: delim.parts, loc }) : undefined;
    const list = this.resolve(listNode, depth);
    if (delimText === undefined || list?.kind !== "array") {
      return unknownNode("Fn::Join", loc, list?.kind === "unknown" ? list.origin : undefined);
    }
    const parts: Part[] = [];
    const origins: string[] = [];
    list.items.forEach((item, i) => {
      if (i > 0) parts.push(delimText);
      const t = textOf(item);
      if (t) {
        parts.push(...t.parts);
        origins.push(...t.origins);
      } else parts.push({ unknown: "Fn::Join item" });
    });
    return stringNode(parts, loc, origins);
  }

  private select(arg: TreeNode, loc: SourceLocation, depth: number): TreeNode | undefined {
    if (arg.kind !== "array" || arg.items.length !== 2) return unknownNode("Fn::Select", loc);
    const [indexNode, listNode] = arg.items as [TreeNode, TreeNode];
    const t = textOf(this.resolve(indexNode, depth));
    const i = t ? Number(knownText({ parts: t.parts, loc })) : NaN;
    const list = this.resolve(listNode, depth);
    if (!Number.isInteger(i) || list?.kind !== "array") return unknownNode("Fn::Select", loc);
    const item = list.items[i];
    return item ? relocate(item, loc) : unknownNode("Fn::Select", loc);
  }

  private split(arg: TreeNode, loc: SourceLocation, depth: number): TreeNode {
    if (arg.kind !== "array" || arg.items.length !== 2) return unknownNode("Fn::Split", loc);
    const [delimNode, sourceNode] = arg.items as [TreeNode, TreeNode];
    const delim = textOf(this.resolve(delimNode, depth));
    const source = textOf(this.resolve(sourceNode, depth));
    const d = delim ? knownText({ parts: delim.parts, loc }) : undefined;
    const s = source ? knownText({ parts: source.parts, loc }) : undefined;
    if (d === undefined || d === "" || s === undefined || !source) return unknownNode("Fn::Split", loc);
    return { kind: "array", items: s.split(d).map((piece) => stringNode([piece], loc, source.origins)), loc };
  }

  /** `Fn::FindInMap` with keys that resolve to literals (and the optional `DefaultValue`). */
  private findInMap(arg: TreeNode, loc: SourceLocation, depth: number): TreeNode | undefined {
    if (arg.kind !== "array" || arg.items.length < 3) return unknownNode("Fn::FindInMap", loc);
    const keys = arg.items.slice(0, 3).map((k) => {
      const t = textOf(this.resolve(k, depth));
      return t ? knownText({ parts: t.parts, loc }) : undefined;
    });
    const [map, top, second] = keys;
    const label = `Fn::FindInMap [${keys.map((k) => k ?? "?").join(", ")}]`;
    if (map === undefined || top === undefined || second === undefined) return unknownNode(label, loc);
    const value = child(child(child(this.tpl.mappings, map), top), second);
    if (value) {
      const resolved = this.resolve(value, depth);
      return (
        resolved && addOrigin(relocate(resolved, loc), `mapping ${map}.${top}.${second} (${this.where(value.loc)})`)
      );
    }
    const fallback = child(arg.items[3], "DefaultValue");
    if (fallback) return this.resolve(fallback, depth);
    return unknownNode(label, loc);
  }

  /**
   * `Fn::If`: the branch this reading chooses when the condition is one of the reading's; otherwise, between
   * two values, both values as a list. Each value says which branch it came from.
   */
  private if(
    arg: TreeNode,
    key: TreeEntry["key"],
    loc: SourceLocation,
    depth: number,
    inArray: boolean,
  ): TreeNode | undefined {
    const { cond, branches } = ifParts(arg);
    const [whenTrue, whenFalse] = branches;
    if (cond === undefined || !whenTrue || !whenFalse) return unknownNode("Fn::If", loc);
    const spelling = this.spelling(key, "If");
    const branch = (choice: boolean): TreeNode | undefined => {
      // In the branch the parameters' defaults do not take, the condition's parameters are not their defaults.
      const notDefaults = parametersNotDefault(this.tpl, cond, choice);
      const resolver =
        notDefaults.size === 0
          ? this
          : new Resolver(this.tpl, this.assignment, new Map([...this.unknownParameters, ...notDefaults]));
      const resolved = resolver.resolve(choice ? whenTrue : whenFalse, depth, inArray);
      return (
        resolved && addOrigin(resolved, `the ${String(choice)} branch of ${spelling} ${cond} (${this.where(loc)})`)
      );
    };
    const choice = this.assignment.get(cond);
    if (choice !== undefined) return branch(choice);
    if (!isValueBranch(whenTrue, inArray) || !isValueBranch(whenFalse, inArray))
      return unknownNode(`Fn::If ${cond}`, loc);
    const items = [branch(true), branch(false)].flatMap((b) =>
      b === undefined ? [] : b.kind === "array" ? b.items : [b],
    );
    return { kind: "array", items, loc };
  }
}

/**
 * The value of a condition when every parameter has its default (`Fn::Equals`, `Fn::Not`, `Fn::And`,
 * `Fn::Or`, `Condition`); undefined when it depends on something unknown.
 */
export function evaluateCondition(
  tpl: Template,
  name: string,
  evaluating: Set<string> = new Set(),
): boolean | undefined {
  if (tpl.conditionValues.has(name)) return tpl.conditionValues.get(name);
  const node = tpl.conditions.get(name);
  // A condition that names itself (through others) has no value.
  if (!node || evaluating.has(name)) return undefined;
  evaluating.add(name);
  const value = evaluateConditionNode(tpl, node, evaluating);
  evaluating.delete(name);
  tpl.conditionValues.set(name, value);
  return value;
}

function evaluateConditionNode(tpl: Template, node: TreeNode, evaluating: Set<string>): boolean | undefined {
  const resolver = new Resolver(tpl, new Map(), new Map(), true);
  const evaluate = (n: TreeNode, depth: number): boolean | undefined => {
    if (depth > MAX_DEPTH) return undefined;
    if (n.kind === "object" && n.entries.length === 1 && n.entries[0]?.key.value === "Condition") {
      const ref = n.entries[0].value;
      const refName = ref.kind === "string" ? knownText(ref.value) : undefined;
      return refName === undefined ? undefined : evaluateCondition(tpl, refName, evaluating);
    }
    const fn = intrinsicOf(n);
    if (!fn) return undefined;
    const args = fn.arg.kind === "array" ? fn.arg.items : [];
    switch (fn.name) {
      case "Fn::Equals": {
        const [a, b] = args.map((x) => {
          const t = textOf(resolver.resolve(x));
          return t ? knownText({ parts: t.parts, loc: x.loc }) : undefined;
        });
        return a === undefined || b === undefined ? undefined : a === b;
      }
      case "Fn::Not": {
        const v = args[0] ? evaluate(args[0], depth + 1) : undefined;
        return v === undefined ? undefined : !v;
      }
      case "Fn::And":
      case "Fn::Or": {
        const values = args.map((x) => evaluate(x, depth + 1));
        if (values.some((v) => v === undefined)) return undefined;
        return fn.name === "Fn::And" ? values.every(Boolean) : values.some(Boolean);
      }
      default:
        return undefined;
    }
  };
  return evaluate(node, 0);
}

/** The parameters a condition reads, through the conditions it names. */
export function conditionParameters(
  tpl: Template,
  name: string,
  out: Set<string> = new Set(),
  seen: Set<string> = new Set(),
): Set<string> {
  const node = tpl.conditions.get(name);
  if (!node || seen.has(name)) return out;
  seen.add(name);
  const walk = (n: TreeNode, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (n.kind === "object" && n.entries.length === 1) {
      const e = n.entries[0];
      const target = e?.value.kind === "string" ? knownText(e.value.value) : undefined;
      if (target !== undefined && e?.key.value === "Ref" && tpl.parameters.has(target)) out.add(target);
      if (target !== undefined && e?.key.value === "Condition") conditionParameters(tpl, target, out, seen);
    }
    if (n.kind === "string") {
      for (const m of (knownText(n.value) ?? "").matchAll(/\$\{([^}!][^}]*)\}/g)) {
        const p = m[1]?.trim();
        if (p !== undefined && tpl.parameters.has(p)) out.add(p);
      }
    }
    if (n.kind === "array") for (const i of n.items) walk(i, depth + 1);
    else if (n.kind === "object") for (const e of n.entries) walk(e.value, depth + 1);
  };
  walk(node, 0);
  return out;
}

/**
 * The parameters that cannot have their defaults when a condition has a given value: those it reads,
 * when its value with every default is the other one (AWS's sample: `CreateOIDCProvider` is false only
 * when `OIDCProviderArn` is not its default ""). Each with the reason, as the origin of the unknown.
 */
export function parametersNotDefault(tpl: Template, cond: string, value: boolean): Map<string, string> {
  const out = new Map<string, string>();
  const withDefaults = evaluateCondition(tpl, cond);
  if (withDefaults === undefined || withDefaults === value) return out;
  for (const p of conditionParameters(tpl, cond)) {
    out.set(
      p,
      `parameter ${p}, unknown when condition ${cond} is ${String(value)} (its Default makes it ${String(withDefaults)})`,
    );
  }
  return out;
}
