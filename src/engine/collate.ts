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

/** Per printable ASCII code: `2 × (1 + place at the first level)`, `+ 1` for a capital letter. */
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

/** A character that is not printable ASCII. */
const OTHER = /[^\x20-\x7e]/;

/** `a` before `b` (negative), equal (0) or after (positive) in root collation order; see above. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  if (OTHER.test(a) || OTHER.test(b)) return (collator ??= new Intl.Collator("en")).compare(a, b);
  // A common prefix weighs the same in both: skipped in a tight loop (report paths share long ones).
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  let byCase = 0;
  for (; i < n; i++) {
    const x = WEIGHTS[a.charCodeAt(i)] ?? 0;
    const y = WEIGHTS[b.charCodeAt(i)] ?? 0;
    if (x === y) continue;
    if (x >> 1 !== y >> 1) return x < y ? -1 : 1;
    if (byCase === 0) byCase = x - y;
  }
  // Equal at the first level up to the shorter's end: the shorter is first, else the first difference of case.
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return Math.sign(byCase);
}
