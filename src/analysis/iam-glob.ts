/**
 * IAM `StringLike` / action wildcards (`*` any run, `?` one character) matched without a regular
 * expression: a pattern is split at `*` into segments, the first anchored at the start, the last at the
 * end, and each middle one taken at its leftmost place (leftmost is always safe when the gaps between
 * segments are unconstrained). Cost is at most pattern length × text length, whatever the pattern —
 * `**********X` or a 40,000-character `Action` cost no more than their length.
 */
export function iamGlobMatches(pattern: string, text: string, ignoreCase = false): boolean {
  // A run of `*` is one `*`. Every other character of the pattern takes at least one code unit of the text
  // (and is at most two), so a pattern with more than twice as many is rejected in one pass: a 1 MiB
  // `Action` of `*a*a…` against an action name costs no arrays at all.
  const collapsed = pattern.includes("**") ? pattern.replace(/\*+/g, "*") : pattern;
  let literal = 0;
  for (let i = 0; i < collapsed.length; i++) if (collapsed.charCodeAt(i) !== 42) literal++;
  if (literal > 2 * text.length) return false;
  // Most actions are written out (`sts:AssumeRoleWithWebIdentity`): ASCII without wildcards is one comparison.
  if (!/[*?]/.test(collapsed) && ASCII.test(collapsed) && ASCII.test(text))
    return ignoreCase ? collapsed.toLowerCase() === text.toLowerCase() : collapsed === text;
  const p = ignoreCase ? foldChars(collapsed) : Array.from(collapsed);
  const t = ignoreCase ? foldChars(text) : Array.from(text);
  const segments: string[][] = [[]];
  for (const ch of p) {
    if (ch === "*") segments.push([]);
    else segments[segments.length - 1]?.push(ch);
  }
  const first = segments[0] ?? [];
  if (segments.length === 1) return first.length === t.length && segmentAt(first, t, 0);
  const last = segments[segments.length - 1] ?? [];
  if (first.length + last.length > t.length) return false;
  if (!segmentAt(first, t, 0) || !segmentAt(last, t, t.length - last.length)) return false;
  let pos = first.length;
  const end = t.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const seg = segments[i] ?? [];
    if (seg.length === 0) continue;
    let at = -1;
    for (let j = pos; j + seg.length <= end; j++) {
      if (segmentAt(seg, t, j)) {
        at = j;
        break;
      }
    }
    if (at < 0) return false;
    pos = at + seg.length;
  }
  return true;
}

const ASCII = /^[\x00-\x7f]*$/;

/** Whether `seg` (with `?` for any one character) matches `t` at `at`. */
function segmentAt(seg: readonly string[], t: readonly string[], at: number): boolean {
  if (at < 0 || at + seg.length > t.length) return false;
  for (let k = 0; k < seg.length; k++) {
    const c = seg[k];
    if (c !== "?" && c !== t[at + k]) return false;
  }
  return true;
}

/** Characters (code points) lower-cased one by one, so that folding never changes the length. */
function foldChars(s: string): string[] {
  return Array.from(s).map((c) => {
    const l = c.toLowerCase();
    return Array.from(l).length === 1 ? l : c;
  });
}
