import { isMap, isPair, isScalar, isSeq, type Node } from "yaml";
import type { LineIndex } from "../../model/location.js";
import type { TreeEntry, TreeNode } from "../tree.js";
import { locatedScalar, nodeLoc, type TagHandler } from "../yaml-source.js";

/**
 * CloudFormation's YAML short forms (`!Sub`, `!Ref`, …) and the long form each stands for. The short
 * form is lowered into the long form's one-key object, so JSON and YAML templates resolve through the
 * same code.
 */
const LONG_FORMS: Record<string, string> = {
  Ref: "Ref",
  Condition: "Condition",
  Sub: "Fn::Sub",
  GetAtt: "Fn::GetAtt",
  Join: "Fn::Join",
  If: "Fn::If",
  Select: "Fn::Select",
  Split: "Fn::Split",
  ImportValue: "Fn::ImportValue",
  FindInMap: "Fn::FindInMap",
  Equals: "Fn::Equals",
  Not: "Fn::Not",
  And: "Fn::And",
  Or: "Fn::Or",
  Base64: "Fn::Base64",
  Cidr: "Fn::Cidr",
  GetAZs: "Fn::GetAZs",
  Transform: "Fn::Transform",
  ToJsonString: "Fn::ToJsonString",
  Length: "Fn::Length",
};

/**
 * Offset where a tagged node's text starts: `yaml` ranges begin after the tag, but the value as written
 * (`!Sub 'repo:…'`) begins at the `!`.
 */
function tagStart(text: string, valueStart: number, tag: string): number {
  const at = text.lastIndexOf(tag, valueStart);
  if (at < 0) return valueStart;
  const between = text.slice(at + tag.length, valueStart);
  return /^(\s|&\S+)*$/.test(between) ? at : valueStart;
}

/** The content of a tagged node without its tag, children lowered with `convert`. */
function untagged(node: Node, convert: (n: unknown) => TreeNode, index: LineIndex): TreeNode {
  const loc = nodeLoc(node, index);
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === "string") return { kind: "string", value: { parts: [v], loc }, loc };
    if (typeof v === "number" || typeof v === "boolean" || v === null) return { kind: "scalar", value: v, loc };
    return { kind: "string", value: { parts: [node.source ?? ""], loc }, loc };
  }
  if (isSeq(node)) return { kind: "array", items: node.items.map(convert), loc };
  if (isMap(node)) {
    const entries: TreeEntry[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = locatedScalar(pair.key, index);
      if (!key) continue;
      entries.push({
        key,
        value: pair.value == null ? { kind: "scalar", value: null, loc: key.loc } : convert(pair.value),
      });
    }
    return { kind: "object", entries, loc };
  }
  return { kind: "scalar", value: null, loc };
}

/**
 * The tag handler for `yamlToTree`: `!Sub x` becomes `{ "Fn::Sub": x }` located from the `!` to the end
 * of the value; `!GetAtt A.B` becomes `{ "Fn::GetAtt": ["A", "B"] }`. A local tag CloudFormation does
 * not know becomes an unknown value; YAML's own tags (`!!str`) are left to the default conversion.
 */
export function shortFormHandler(index: LineIndex): TagHandler {
  return (node, convert) => {
    const tag = node.tag;
    if (!tag?.startsWith("!") || tag.startsWith("!!")) return undefined;
    const range = node.range ?? [0, 0, 0];
    const start = tagStart(index.text, range[0], tag);
    const loc = index.span(start, range[1]);
    const keyLoc = index.span(start, start + tag.length);
    const long = LONG_FORMS[tag.slice(1)];
    if (long === undefined) return { kind: "unknown", expr: `${tag} (a tag CloudFormation does not define)`, loc };
    let value = untagged(node, convert, index);
    if (long === "Fn::GetAtt" && value.kind === "string" && value.value.parts.length === 1) {
      const text = value.value.parts[0];
      const dot = typeof text === "string" ? text.indexOf(".") : -1;
      if (typeof text === "string" && dot > 0) {
        const vloc = value.loc;
        value = {
          kind: "array",
          items: [
            { kind: "string", value: { parts: [text.slice(0, dot)], loc: vloc }, loc: vloc },
            { kind: "string", value: { parts: [text.slice(dot + 1)], loc: vloc }, loc: vloc },
          ],
          loc: vloc,
        };
      }
    }
    return { kind: "object", entries: [{ key: { value: long, loc: keyLoc }, value }], loc };
  };
}
