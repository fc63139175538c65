/**
 * A unified diff (`diff -u` / `git diff` shape) of two texts, for `--fix-dry-run`. Fixes are local, so the
 * common head and tail are cut first and the longest common subsequence is computed on the changed middle
 * only; a middle too large for that (more than 4 million line pairs) becomes one replaced block.
 */

type Op = { kind: " " | "-" | "+"; line: string };

const CONTEXT = 3;
const MAX_PAIRS = 4_000_000;

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function middleOps(a: string[], b: string[]): Op[] {
  if (a.length * b.length > MAX_PAIRS)
    return [...a.map((line): Op => ({ kind: "-", line })), ...b.map((line): Op => ({ kind: "+", line }))];
  // lcs[i][j]: length of the LCS of a[i..] and b[j..].
  const w = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * w + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * w + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * w + j] ?? 0, lcs[i * w + j + 1] ?? 0);
    }
  }
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ kind: " ", line: a[i] ?? "" });
      i++;
      j++;
    } else if (j < b.length && (i === a.length || (lcs[i * w + j + 1] ?? 0) >= (lcs[(i + 1) * w + j] ?? 0))) {
      out.push({ kind: "+", line: b[j] ?? "" });
      j++;
    } else {
      out.push({ kind: "-", line: a[i] ?? "" });
      i++;
    }
  }
  // Removals before additions within a changed run, as diff(1) prints them.
  for (let k = 0; k < out.length;) {
    if (out[k]?.kind === " ") {
      k++;
      continue;
    }
    let end = k;
    while (end < out.length && out[end]?.kind !== " ") end++;
    const run = out.slice(k, end);
    out.splice(k, run.length, ...run.filter((o) => o.kind === "-"), ...run.filter((o) => o.kind === "+"));
    k = end;
  }
  return out;
}

/** The unified diff of `before` → `after` with `a/`/`b/` headers naming `path`; "" when they are equal. */
export function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return "";
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ops: Op[] = [
    ...a.slice(0, head).map((line): Op => ({ kind: " ", line })),
    ...middleOps(a.slice(head, a.length - tail), b.slice(head, b.length - tail)),
    ...a.slice(a.length - tail).map((line): Op => ({ kind: " ", line })),
  ];
  const lines = [`--- a/${path}`, `+++ b/${path}`];
  let k = 0;
  let oldLine = 1;
  let newLine = 1;
  while (k < ops.length) {
    // Skip to the next change, keeping CONTEXT lines before it.
    let next = k;
    while (next < ops.length && ops[next]?.kind === " ") next++;
    if (next === ops.length) break;
    const start = Math.max(k, next - CONTEXT);
    oldLine += start - k;
    newLine += start - k;
    // Extend the hunk while changes are closer than 2 × CONTEXT unchanged lines apart.
    let end = next;
    for (;;) {
      while (end < ops.length && ops[end]?.kind !== " ") end++;
      let same = end;
      while (same < ops.length && ops[same]?.kind === " ") same++;
      if (same < ops.length && same - end <= 2 * CONTEXT) end = same;
      else {
        end = Math.min(end + CONTEXT, ops.length);
        break;
      }
    }
    const hunk = ops.slice(start, end);
    const oldCount = hunk.filter((o) => o.kind !== "+").length;
    const newCount = hunk.filter((o) => o.kind !== "-").length;
    lines.push(
      `@@ -${oldCount === 0 ? oldLine - 1 : oldLine},${oldCount} +${newCount === 0 ? newLine - 1 : newLine},${newCount} @@`,
    );
    for (const o of hunk) lines.push(`${o.kind}${o.line}`);
    oldLine += oldCount;
    newLine += newCount;
    k = end;
  }
  return `${lines.join("\n")}\n`;
}
