/**
 * The WebAssembly SHA-256 of finding fingerprints (src/engine/sha256.ts, sha256.wat): the same digests as
 * node:crypto for every text (padding at each block boundary, any Unicode, lone surrogates), node:crypto's answer
 * for texts too long for it, and its committed bytes the assembly of its source.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../src/engine/sha256.js";

const reference = (text: string): string => createHash("sha256").update(text).digest("hex");

function hasWat2wasm(): boolean {
  try {
    execFileSync("wat2wasm", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("sha256Hex", () => {
  it("gives node:crypto's digest at every length around the block boundaries", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    for (let length = 0; length <= 260; length++) {
      const text = "a".repeat(length);
      expect(sha256Hex(text), `length ${length}`).toBe(reference(text));
    }
  });

  it("hashes a text's UTF-8 as node:crypto does, lone surrogates included", () => {
    expect(sha256Hex("é\u{1F600}\uD800x\uDC00")).toBe(reference("é\u{1F600}\uD800x\uDC00"));
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        expect(sha256Hex(text)).toBe(reference(text));
      }),
      { numRuns: 3_000 },
    );
  });

  it("leaves a text longer than its memory to node:crypto", () => {
    const fits = "\u{1F600}".repeat(16_000);
    expect(sha256Hex(fits)).toBe(reference(fits));
    expect(sha256Hex("x".repeat(70_000))).toBeUndefined();
    expect(sha256Hex("é".repeat(40_000))).toBeUndefined();
  });

  it.skipIf(!hasWat2wasm())("is the assembly of sha256.wat (wat2wasm)", () => {
    expect(() =>
      execFileSync(process.execPath, ["scripts/build-sha256.mjs", "--check"], { stdio: "pipe" }),
    ).not.toThrow();
  });
});
