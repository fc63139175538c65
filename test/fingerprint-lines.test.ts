import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Lines } from "../src/engine/fingerprint.js";

describe("fingerprints: a text's lines found as far as asked", () => {
  it("are the lines `split(/\\r?\\n/)` gives, asked in any order, past the end too", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ab\r\n]{0,30}$/), fc.array(fc.nat(12), { maxLength: 8 }), (text, asked) => {
        const lines = new Lines(text);
        const split = text.split(/\r?\n/);
        for (const i of asked) expect(lines.at(i)).toBe(split[i] ?? "");
      }),
      { numRuns: 3000 },
    );
  });
});
