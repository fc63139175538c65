/**
 * Path globs for `ignore` and `overrides.files`: `**` (any directories), `*` (within one segment), `?`,
 * `{a,b}` and `[...]` classes. A pattern without `/` matches the basename anywhere, as in `.gitignore`.
 */
export function globToRegExp(glob: string): RegExp {
  let src = "";
  let i = 0;
  const anchored = glob.includes("/");
  const g = glob.replace(/^\.\//, "").replace(/^\//, "");
  while (i < g.length) {
    const c = g.charAt(i);
    if (c === "*") {
      if (g[i + 1] === "*") {
        const slashAfter = g[i + 2] === "/";
        src += slashAfter ? "(?:.*/)?" : ".*";
        i += slashAfter ? 3 : 2;
        continue;
      }
      src += "[^/]*";
    } else if (c === "?") src += "[^/]";
    else if (c === "{") {
      const end = g.indexOf("}", i);
      if (end > i) {
        src += `(?:${g.slice(i + 1, end).split(",").map(escape).join("|")})`;
        i = end + 1;
        continue;
      }
      src += "\\{";
    } else if (c === "[") {
      const end = g.indexOf("]", i);
      if (end > i) {
        src += `[${g.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\")}]`;
        i = end + 1;
        continue;
      }
      src += "\\[";
    } else src += escape(c);
    i++;
  }
  return new RegExp(`^${anchored ? "" : "(?:.*/)?"}${src}(?:/.*)?$`);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** One compiled test for many globs (discovery checks thousands of paths against the same list). */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  const res = globs.map(globToRegExp);
  return (path) => res.some((re) => re.test(path));
}

export function matchesAny(path: string, globs: readonly string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(path));
}
