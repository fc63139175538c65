/** Generated YAML inputs for the tree builders' tests (test/workflow-yaml-tree.test.ts, test/plain-yaml.test.ts). */

/** A deterministic YAML input from a seed: nested maps and lists with the awkward cases mixed in. */
export function generatedYaml(seed: number): string {
  let state = seed;
  const rnd = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const pad = (n: number): string => " ".repeat(n);
  const scalars = ["x", "on", "yes", "12", "0o17", "1.5", "~", "'q'", '"d q"', '"a\\tb"', "a b", "${{ x }}", "[a, b]"];
  scalars.push("{a: 1, b}", "[]", "*A", "&B v", "x:y", "a#b", "''", "-0", "+.5e-3");
  const junk = (ind: number): string => {
    let s = "";
    while (rnd() < 0.3) s += pick(["\n", `${pad(Math.floor(rnd() * (ind + 6)))}# j\n`, "  \n"]);
    return s;
  };
  const value = (depth: number, ind: number): string => {
    const r = rnd();
    if (depth > 3 || r < 0.45) return ` ${pick(scalars)}`;
    if (r < 0.55) return pick(["", " # c", "   ", " &E", " &E # c"]);
    if (r < 0.65) {
      const body = pick(["", "\n", `${pad(ind + 2)}line2\n`, `${pad(ind + 4)}# in block\n`]);
      return ` |${pick(["", "-", "2"])}${pick(["", " # h"])}\n${pad(ind + 2)}line1\n${body}`.replace(/\n$/, "");
    }
    if (r < 0.72) return ` >\n${pad(ind + 2)}f1\n${pad(ind + 2)}f2`;
    if (r < 0.78) return ` "multi\n${pad(ind + 1)}line"`;
    if (r < 0.82) return ` plain\n${pad(ind + 2)}cont`;
    if (r < 0.91) return `\n${block(depth + 1, ind + 2, "map")}`;
    return `\n${block(depth + 1, ind + pick([0, 2]), "seq")}`;
  };
  const block = (depth: number, ind: number, kind: "map" | "seq"): string => {
    let s = "";
    for (let i = 0, n = 1 + Math.floor(rnd() * 3); i < n; i++) {
      if (kind === "map") s += `${pad(ind)}${pick(["a", "on", "c d", "'k'", "1"])}${i}:${value(depth, ind)}\n`;
      else
        s += `${pad(ind)}-${rnd() < 0.5 ? ` ${block(depth + 1, ind + 2, "map").slice(ind + 2)}` : value(depth, ind + 2)}\n`;
      s = s.replace(/\n\n$/, "\n") + junk(ind);
    }
    return s.replace(/\n$/, "");
  };
  let text = `${rnd() < 0.2 ? "# head\n" : ""}${rnd() < 0.1 ? "---\n" : ""}A: &A v\n${block(0, 0, "map")}`;
  text += `${rnd() < 0.7 ? "\n" : ""}${rnd() < 0.2 ? junk(4) : ""}`;
  return rnd() < 0.1 ? text.replace(/\n/g, "\r\n") : text;
}
