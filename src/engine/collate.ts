/**
 * The order of the report's texts (file paths, rule ids, messages): Unicode's root collation (CLDR), as
 * `Intl.Collator("en")` orders them — what `localeCompare` gave before under an English or C locale, now the
 * same on every machine whatever its locale (Danish, Lithuanian or Czech collation no longer move `aa`, `y` or
 * `ch` in a report).
 *
 * Creating an ICU collator is slow in a fresh process (≈ 10 ms: a fortieth of a run on real Terraform, issue
 * 13), and nearly every text compared is printable ASCII, whose root order is simple: at the first level every
 * character has a weight of its own (punctuation and symbols in the order of `ROOT_ORDER`, then digits, then
 * letters, a letter's two cases alike), and strings equal at that level are ordered by case at the first
 * letter whose case differs, lower case first. Two strings of printable ASCII only are compared here; any other
 * pair (a control character, which the collation ignores, or a character beyond ASCII, which may combine with
 * its neighbours) goes to the collator itself. test/collate.test.ts checks both against `Intl.Collator("en")`.
 */

/** Printable ASCII in root collation order; a lower-case letter and its capital are one place, lower first. */
const ROOT_ORDER = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ";

/**
 * Per ASCII code: 0 for a character compared by the collator; else `2 × (1 + place at the first level) + 1`
 * for a capital letter, `+ 0` otherwise.
 */
const WEIGHTS = new Uint8Array(128);
{
  let place = 0;
  for (let i = 0; i < ROOT_ORDER.length; i++) {
    const c = ROOT_ORDER.charCodeAt(i);
    const capital = c >= 0x41 && c <= 0x5a;
    if (!capital) place++;
    WEIGHTS[c] = 2 * place + (capital ? 1 : 0);
  }
}

let collator: Intl.Collator | undefined;

/** `a` before `b` (negative), equal (0) or after (positive) in root collation order; see above. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  let first = 0;
  let byCase = 0;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = i < a.length ? weightOf(a.charCodeAt(i)) : -1;
    const y = i < b.length ? weightOf(b.charCodeAt(i)) : -1;
    if (x === 0 || y === 0) return (collator ??= new Intl.Collator("en")).compare(a, b);
    if (first !== 0 || x === y) continue;
    // Equal at the first level so far and one string ended: the shorter is first (the rest is still read: it
    // must be ASCII too).
    if (x < 0 || y < 0) first = x - y;
    else if (x >> 1 !== y >> 1) first = x - y;
    else if (byCase === 0) byCase = x - y;
  }
  return first !== 0 ? Math.sign(first) : Math.sign(byCase);
}

function weightOf(code: number): number {
  return code < 128 ? (WEIGHTS[code] ?? 0) : 0;
}
