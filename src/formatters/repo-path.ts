import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

/**
 * The directory code scanning and annotations resolve paths against: the root of the git work tree
 * that holds `cwd` (a `.git` directory or worktree file), else `cwd` itself. Running oidclint from a
 * subdirectory must still produce `infra/roles.tf`, not `roles.tf`.
 */
export function repositoryRoot(cwd: string): string {
  let cur = resolve(cwd);
  for (;;) {
    if (existsSync(join(cur, ".git"))) return cur;
    const parent = dirname(cur);
    if (parent === cur) return resolve(cwd);
    cur = parent;
  }
}

/** `file` (absolute, or relative to `cwd`) relative to `root` with `/` separators; undefined when outside `root`. */
export function pathUnderRoot(root: string, cwd: string, file: string): string | undefined {
  const abs = isAbsolute(file) ? file : resolve(cwd, file);
  const rel = relative(root, abs);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return undefined;
  return sep === "/" ? rel : rel.split(sep).join("/");
}
