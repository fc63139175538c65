/**
 * `LineIndex` (src/model/location.ts) finds line starts only as far as the offsets asked reach: whatever order
 * positions, spans, offsets, line texts and the line count are asked in, it answers as an index of the whole text.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineIndex } from "../src/model/location.js";

/** The whole text's line starts, found at once: the reference. */
function starts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") out.push(i + 1);
  return out;
}

function lineOf(all: number[], offset: number): number {
  let line = 0;
  while (line + 1 < all.length && (all[line + 1] ?? 0) <= offset) line++;
  return line;
}

type Ask =
  | { kind: "span"; a: number; b: number }
  | { kind: "offset"; line: number; column: number }
  | { kind: "line"; line: number }
  | { kind: "count" };

describe("LineIndex", () => {
  it("answers every question in any order as an index of the whole text", () => {
    const text = fc.stringMatching(/^[ab\n\r]{0,40}$/);
    const ask: fc.Arbitrary<Ask> = fc.oneof(
      fc.record({
        kind: fc.constant("span" as const),
        a: fc.integer({ min: 0, max: 45 }),
        b: fc.integer({ min: 0, max: 45 }),
      }),
      fc.record({
        kind: fc.constant("offset" as const),
        line: fc.integer({ min: 1, max: 25 }),
        column: fc.integer({ min: 1, max: 5 }),
      }),
      fc.record({ kind: fc.constant("line" as const), line: fc.integer({ min: 1, max: 25 }) }),
      fc.record({ kind: fc.constant("count" as const) }),
    );
    fc.assert(
      fc.property(text, fc.array(ask, { maxLength: 8 }), (t, asks) => {
        const index = new LineIndex("f", t);
        const all = starts(t);
        for (const q of asks) {
          if (q.kind === "span") {
            const stop = Math.max(q.a, q.b);
            const a = lineOf(all, q.a);
            const b = lineOf(all, stop);
            expect(index.span(q.a, q.b)).toEqual({
              file: "f",
              line: a + 1,
              column: q.a - (all[a] ?? 0) + 1,
              endLine: b + 1,
              endColumn: stop - (all[b] ?? 0) + 1,
            });
          } else if (q.kind === "offset") {
            expect(index.offset(q.line, q.column)).toBe((all[q.line - 1] ?? t.length) + q.column - 1);
          } else if (q.kind === "line") {
            expect(index.lineText(q.line)).toBe(t.split(/\r?\n/)[q.line - 1] ?? "");
          } else expect(index.lineCount).toBe(all.length);
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it("indexes a long text only as far as asked", () => {
    const text = "line\n".repeat(100_000);
    const index = new LineIndex("f", text);
    expect(index.position(12)).toEqual({ line: 3, column: 3 });
    // Only the first lines were looked at.
    expect((index as unknown as { starts: number[] }).starts.length).toBeLessThan(5);
    expect(index.lineCount).toBe(100_001);
  });
});
