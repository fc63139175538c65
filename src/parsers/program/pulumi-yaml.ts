import { emptyParsed, type ParsedFile } from "../../model/project.js";
import { LineIndex, type SourceLocation } from "../../model/location.js";
import { knownText, type Part } from "../../model/value.js";
import type { SourceFile } from "../source.js";
import { textAt, type Segment } from "../terraform/embedded-json.js";
import type { TreeNode } from "../tree.js";
import { parseYamlSource, yamlToTree } from "../yaml-source.js";
import { callExternal, libMember, type Definition } from "./libraries.js";
import { lowerDefinitions } from "./lower.js";
import { concat, describeValue, locOf, textOf, unk, type PValue } from "./values.js";

/**
 * Pulumi YAML programs (`Pulumi.yaml` / `Main.yaml` with `resources:`): resources of the `aws:iam` types
 * go through the same library models as TypeScript and Python programs. `${name}` / `${name.property}`
 * interpolations name variables and resources of the file; `fn::toJSON`, `fn::invoke` (with `return`),
 * `fn::join` and `fn::secret` are evaluated; configuration and anything else is unknown.
 */
export function parsePulumiYaml(src: SourceFile): ParsedFile | undefined {
  const parsed = parseYamlSource(src.path, src.text);
  const out = emptyParsed(src.path, "pulumi-yaml");
  if (parsed.problems.length > 0) {
    out.problems.push(...parsed.problems);
    return out;
  }
  const root = yamlToTree(parsed.doc.contents, parsed.index);
  const resources = field(root, "resources");
  if (resources?.kind !== "object") return undefined;
  const variables = field(root, "variables");
  const defs: Definition[] = [];
  const host = { record: (d: Definition) => defs.push(d) };
  const values = new Map<string, PValue>();
  const evaluating = new Set<string>();
  let steps = 0;

  const named = (name: string, loc: SourceLocation): PValue => {
    const done = values.get(name);
    if (done) return done;
    if (evaluating.has(name) || ++steps > 10_000) return unk(name, loc);
    evaluating.add(name);
    let v: PValue = unk(name, loc);
    const variable = field(variables, name);
    const resource = field(resources, name);
    if (variable) v = evaluate(variable, 0);
    else if (resource) v = instantiate(name, resource);
    evaluating.delete(name);
    values.set(name, v);
    return v;
  };

  /** `${a.b[0].c}` → the value of that path. */
  const reference = (expr: string, loc: SourceLocation): PValue => {
    const path = expr.split(/\.|\[(\d+)\]/).filter((p): p is string => Boolean(p));
    const [head, ...rest] = path;
    if (head === undefined || head === "pulumi") return unk(expr, loc);
    let v = named(head, loc);
    for (const p of rest) {
      if (v.t === "lib") v = libMember(v.obj, p, loc) ?? unk(expr, loc);
      else if (v.t === "obj") v = v.entries.find((e) => e.key === p)?.value ?? unk(expr, loc);
      else if (v.t === "arr" && /^\d+$/.test(p)) v = v.items[Number(p)] ?? unk(expr, loc);
      else return unk(expr, loc);
    }
    return v;
  };

  const interpolate = (text: string, loc: SourceLocation): PValue => {
    if (!text.includes("${")) return { t: "str", v: { parts: [text], loc } };
    const pieces: PValue[] = [];
    let last = 0;
    for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
      pieces.push({ t: "str", v: { parts: [text.slice(last, m.index).replace(/\$\$/g, "$")], loc } });
      pieces.push(reference((m[1] ?? "").trim(), loc));
      last = m.index + m[0].length;
    }
    pieces.push({ t: "str", v: { parts: [text.slice(last)], loc } });
    // A whole-value reference (`${provider.arn}`, `${trust.json}`) is that value, not a string of it.
    if (pieces.length === 3 && textOf(pieces[0]) === "" && textOf(pieces[2]) === "" && pieces[1]) return pieces[1];
    return concat(pieces, loc, describeValue);
  };

  let index: { lines: string[]; starts: number[]; at: LineIndex } | undefined;

  /**
   * A literal block scalar (`assumeRolePolicy: |` followed by JSON): each line of the value keeps its own
   * position, so a finding points at the line of the JSON where the value is written. Undefined when the
   * lines do not rebuild the value exactly (tabs, folded or escaped text): the scalar is then one place.
   */
  const literalBlock = (loc: SourceLocation, value: string): Segment[] | undefined => {
    if (!index) {
      const lines = src.text.split("\n");
      const starts: number[] = [];
      let at = 0;
      for (const l of lines) {
        starts.push(at);
        at += l.length + 1;
      }
      index = { lines, starts, at: new LineIndex(src.path, src.text) };
    }
    const { lines, starts, at } = index;
    if (lines[loc.line - 1]?.[loc.column - 1] !== "|") return undefined;
    const segs: Segment[] = [];
    let built = 0;
    let indent: number | undefined;
    for (let l = loc.line; l < lines.length && l < loc.endLine && built < value.length; l++) {
      const line = (lines[l] ?? "").replace(/\r$/, "");
      if (indent === undefined && line.trim() !== "") indent = line.length - line.trimStart().length;
      const cut = Math.min(indent ?? line.length, line.length);
      const piece = `${line.slice(cut)}\n`.slice(0, value.length - built);
      if (value.slice(built, built + piece.length) !== piece) return undefined;
      segs.push(textAt(piece, (starts[l] ?? 0) + cut, (a, b) => at.span(a, b)));
      built += piece.length;
    }
    return built === value.length ? segs : undefined;
  };

  const evaluate = (node: TreeNode, depth: number): PValue => {
    if (depth > 100 || ++steps > 100_000) return unk("nested too deeply", node.loc);
    switch (node.kind) {
      case "string": {
        const text = knownText(node.value);
        if (text === undefined) return { t: "str", v: node.value };
        const segs = text.includes("${") ? undefined : literalBlock(node.loc, text);
        return segs ? { t: "str", v: node.value, segs } : interpolate(text, node.loc);
      }
      case "scalar":
        return node.value === null
          ? { t: "null", loc: node.loc }
          : typeof node.value === "number"
            ? { t: "num", v: node.value, loc: node.loc }
            : { t: "bool", v: node.value, loc: node.loc };
      case "array":
        return { t: "arr", items: node.items.map((i) => evaluate(i, depth + 1)), loc: node.loc };
      case "unknown":
        return unk(node.expr, node.loc);
      case "object": {
        const fn = node.entries.length === 1 ? node.entries[0] : undefined;
        const name = fn?.key.value.toLowerCase();
        if (fn && name?.startsWith("fn::")) return builtin(name, fn.value, node.loc, depth);
        return {
          t: "obj",
          entries: node.entries.map((e) => ({
            key: e.key.value,
            keyLoc: e.key.loc,
            value: evaluate(e.value, depth + 1),
          })),
          loc: node.loc,
        };
      }
    }
  };

  const builtin = (name: string, arg: TreeNode, loc: SourceLocation, depth: number): PValue => {
    switch (name) {
      case "fn::tojson":
        return { t: "lib", obj: { kind: "json", value: evaluate(arg, depth + 1) }, loc };
      case "fn::secret":
        return evaluate(arg, depth + 1);
      case "fn::join": {
        const a = evaluate(arg, depth + 1);
        if (a.t !== "arr" || a.items.length !== 2) return unk(name, loc);
        const [sep, list] = a.items as [PValue, PValue];
        if (list.t !== "arr" || list.rest) return unk(name, loc);
        return concat(
          list.items.flatMap((item, i) => (i === 0 ? [item] : [sep, item])),
          loc,
          describeValue,
        );
      }
      case "fn::invoke": {
        const fnToken = textOf(evaluate(field(arg, "function") ?? arg, depth + 1));
        const args = field(arg, "arguments");
        const path = fnToken === undefined ? undefined : sdkPath(fnToken);
        if (path === undefined) return unk(`fn::invoke ${fnToken ?? ""}`, loc);
        const result = callExternal(
          path,
          { positional: args ? [evaluate(args, depth + 1)] : [], keywords: new Map() },
          false,
          loc,
          name,
          host,
        );
        if (!result) return unk(`fn::invoke ${fnToken ?? ""}`, loc);
        const ret = textOf(evaluate(field(arg, "return") ?? { kind: "unknown", expr: "", loc }, depth + 1));
        if (ret === undefined || result.t !== "lib") return result;
        return libMember(result.obj, ret, loc) ?? unk(`fn::invoke ${fnToken ?? ""}`, loc);
      }
      default:
        return unk(name, loc);
    }
  };

  const instantiate = (name: string, resource: TreeNode): PValue => {
    const typeNode = field(resource, "type");
    const token = typeNode ? textOf(evaluate(typeNode, 0)) : undefined;
    const path = token === undefined ? undefined : sdkPath(token);
    const loc = typeNode?.loc ?? resource.loc;
    if (path === undefined) return unk(name, loc);
    const props = field(resource, "properties");
    const args = [
      { t: "str", v: { parts: [name] as Part[], loc } } as PValue,
      props ? evaluate(props, 0) : ({ t: "obj", entries: [], loc } as PValue),
    ];
    return (
      callExternal(path, { positional: args, keywords: new Map() }, true, locOf(args[0] as PValue), name, host) ??
      unk(name, loc)
    );
  };

  for (const e of resources.entries) named(e.key.value, e.key.loc);
  const files = new Map<string, ParsedFile>([[src.path, out]]);
  lowerDefinitions(defs, files, "pulumi-yaml");
  return out;
}

function field(node: TreeNode | undefined, key: string): TreeNode | undefined {
  if (node?.kind !== "object") return undefined;
  return node.entries.find((e) => e.key.value === key)?.value;
}

/** `aws:iam:Role`, `aws:iam/role:Role`, `aws:iam/getPolicyDocument:getPolicyDocument` → the SDK's path. */
function sdkPath(token: string): string | undefined {
  const m = /^aws:iam(?:\/\w+)?:(\w+)$/.exec(token.trim());
  return m?.[1] ? `@pulumi/aws.iam.${m[1]}` : undefined;
}
