/**
 * JSON read from Terraform text (`parseEmbeddedJson`, src/parsers/terraform/embedded-json.ts): every value is
 * located in the text it was read from; a string's node and its value are both placed from the opening quote.
 */
import { describe, expect, it } from "vitest";
import { LineIndex } from "../src/model/location.js";
import { parseEmbeddedJson, textAt } from "../src/parsers/terraform/embedded-json.js";
import type { TreeNode } from "../src/parsers/tree.js";
import { displayText } from "../src/model/value.js";

function located(n: TreeNode): unknown {
  const at = `${String(n.loc.line)}:${String(n.loc.column)}-${String(n.loc.endLine)}:${String(n.loc.endColumn)}`;
  switch (n.kind) {
    case "string":
      return [
        displayText(n.value),
        at,
        `${String(n.value.loc.line)}:${String(n.value.loc.column)}-${String(n.value.loc.endLine)}:${String(n.value.loc.endColumn)}`,
      ];
    case "object":
      return [at, ...n.entries.map((e) => [e.key.value, located(e.value)])];
    case "array":
      return [at, ...n.items.map(located)];
    default:
      return [String(n.kind === "scalar" ? n.value : n.kind), at];
  }
}

describe("terraform: JSON read from text", () => {
  it("places strings from their opening quote, the node as its value", () => {
    const text = `{\n  "Statement": [ { "Effect": "Allow", "Sid": "a\\"b" }, 12 ]\n}`;
    const index = new LineIndex("p.json", text);
    const json = parseEmbeddedJson([textAt(text, 0, (s, e) => index.span(s, e))]);
    if ("error" in json) throw new Error(json.error);
    expect(located(json.tree)).toEqual([
      "1:1-1:2",
      [
        "Statement",
        [
          "2:16-2:17",
          ["2:18-2:19", ["Effect", ["Allow", "2:30-2:37", "2:30-2:37"]], ["Sid", ['a"b', "2:46-2:52", "2:46-2:52"]]],
          ["12", "2:56-2:58"],
        ],
      ],
    ]);
  });
});
