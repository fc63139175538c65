/**
 * The report's order of texts (src/engine/collate.ts): Unicode's root collation as `Intl.Collator("en")` gives
 * it, computed without a collator for printable ASCII. Checked against the collator on every pair of short
 * strings over a set of characters that exercises each rule (punctuation order, digits, case as a later level,
 * prefixes), on random paths and messages, and on texts the collator must decide (control characters, accents,
 * combining marks, characters beyond the BMP).
 */
import { describe, expect, it } from "vitest";
import { compareText } from "../src/engine/collate.js";

const collator = new Intl.Collator("en");
const sign = (n: number): number => Math.sign(n);

describe("compareText", () => {
  it("orders every pair of strings up to three characters over a tricky alphabet as the collator does", () => {
    const alphabet = ["", "a", "A", "b", "Z", "0", "-", "_", "/", ".", " ", "~"];
    const strings = new Set<string>();
    for (const x of alphabet) for (const y of alphabet) for (const z of alphabet) strings.add(x + y + z);
    const all = [...strings];
    expect(all.length).toBe(1 + 11 + 11 ** 2 + 11 ** 3);
    for (const a of all)
      for (const b of all) {
        if (sign(compareText(a, b)) !== sign(collator.compare(a, b)))
          expect([a, b, compareText(a, b)]).toEqual([a, b, collator.compare(a, b)]);
      }
  });

  it("orders each printable ASCII character against every other as the collator does", () => {
    for (let x = 0x20; x < 0x7f; x++)
      for (let y = 0x20; y < 0x7f; y++) {
        const a = `p${String.fromCharCode(x)}q`;
        const b = `p${String.fromCharCode(y)}Q`;
        expect([a, b, sign(compareText(a, b))]).toEqual([a, b, sign(collator.compare(a, b))]);
        expect([a, a.toUpperCase(), sign(compareText(a, a.toUpperCase()))]).toEqual([
          a,
          a.toUpperCase(),
          sign(collator.compare(a, a.toUpperCase())),
        ]);
      }
  });

  it("sorts random paths and messages as the collator does", () => {
    let seed = 13;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pieces = [
      "infra",
      "Infra",
      "main.tf",
      "main-2.tf",
      "main_2.tf",
      "/",
      "modules",
      "role",
      "Role",
      "a",
      "10",
      "9",
      " ",
      "iam:",
      "(x)",
      '"s"',
      "repo:o/r:*",
    ];
    const texts = Array.from({ length: 3000 }, () =>
      Array.from({ length: 1 + next(6) }, () => pieces[next(pieces.length)]).join(""),
    );
    expect([...texts].sort(compareText)).toEqual([...texts].sort(collator.compare));
  });

  it("leaves to the collator what is not printable ASCII", () => {
    const texts = [
      "a\u0001b",
      "ab",
      "a\u0000",
      "é",
      "e",
      "E",
      "f",
      "e\u0301",
      "ø",
      "o",
      "\u{1F600}",
      "z",
      "<\u0338",
      "<",
      "=",
      "ä",
      "Z",
      "tab\there",
      "tab here",
    ];
    for (const a of texts)
      for (const b of texts) expect([a, b, sign(compareText(a, b))]).toEqual([a, b, sign(collator.compare(a, b))]);
  });
});
