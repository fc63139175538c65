/**
 * Where a Terraform value came from (`origin`, quoted by messages): the origins of a string's pieces joined by
 * `joinOrigins` (src/parsers/terraform/embedded-json.ts), several lines of one definition as one place
 * (`variable "cfg" default (main.tf:6, 7)`), other definitions after `; `.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { joinOrigins } from "../src/parsers/terraform/embedded-json.js";

/** The joining as first written, with a regular expression for the place: the reference. */
function joinedByPattern(origins: string[]): string | undefined {
  if (origins.length === 0) return undefined;
  const first = origins[0];
  if (first !== undefined && !first.includes("; ") && origins.every((o) => o === first)) return first;
  const lines = new Map<string, string[]>();
  for (const o of origins.flatMap((x) => x.split("; "))) {
    const m = /^(.* \([^():]+):(\d+)\)$/.exec(o);
    const head = m?.[1] ?? o;
    const list = lines.get(head) ?? [];
    if (m?.[2] !== undefined && !list.includes(m[2])) list.push(m[2]);
    lines.set(head, list);
  }
  return [...lines].map(([head, ls]) => (ls.length === 0 ? head : `${head}:${ls.join(", ")})`)).join("; ");
}

describe("joinOrigins", () => {
  it("joins the lines of one definition and keeps other definitions apart", () => {
    expect(
      joinOrigins([
        'variable "cfg" default (main.tf:6)',
        'variable "cfg" default (main.tf:7)',
        'local "name" (locals.tf:3), passed as module "role" argument name (main.tf:12)',
        'variable "cfg" default (main.tf:6)',
      ]),
    ).toBe(
      'variable "cfg" default (main.tf:6, 7); local "name" (locals.tf:3), passed as module "role" argument name (main.tf:12)',
    );
    // Not a place: no space before the parenthesis, a line that is no number, a line break before it.
    expect(joinOrigins(["a(b.tf:1)", "x (y.tf:z)", "p\nq (r.tf:2)"])).toBe("a(b.tf:1); x (y.tf:z); p\nq (r.tf:2)");
    expect(joinOrigins([])).toBeUndefined();
  });

  it("reads places exactly as the pattern did", () => {
    // Places and near-places: the same definition on other lines, and text that only looks like a place.
    const place = fc
      .tuple(
        fc.constantFrom('variable "a" default (main.tf', "p\nq (f.tf", "x(f.tf", "k\u2028 (f.tf", "m)n (g:h", " (a)b"),
        fc.constantFrom(":1)", ":2)", ":x)", ")", ":1))", ":٣)", ":"),
      )
      .map(([head, tail]) => head + tail);
    const piece = fc.oneof(place, fc.stringMatching(/^[a-z ():.;\n1-9"٣]{0,14}$/));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 5 }), (origins) => {
        expect(joinOrigins(origins)).toBe(joinedByPattern(origins));
      }),
      { numRuns: 20_000 },
    );
  });
});
