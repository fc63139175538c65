import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

/** The `.git` directory at or above `dir` (a worktree's `.git` file is followed). */
export function findGitDir(dir: string): string | undefined {
  let cur = dir;
  for (;;) {
    const candidate = join(cur, ".git");
    if (existsSync(candidate)) {
      try {
        if (statSync(candidate).isDirectory()) return candidate;
        const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(candidate, "utf8"));
        if (m?.[1]) return join(cur, m[1].trim());
      } catch {
        return undefined;
      }
    }
    const parent = dirname(cur);
    if (parent === cur) return undefined;
    cur = parent;
  }
}

/** `OWNER/REPO` from a GitHub remote URL: https, ssh://, `git@host:owner/repo.git`. */
export function repositoryFromRemote(url: string): string | undefined {
  const m = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?[^/:]+[:/](?:\d+\/)?([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/i.exec(url.trim());
  if (!m?.[1] || !m[2]) return undefined;
  return `${m[1]}/${m[2]}`;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Facts read from the repository's git metadata without running git (it is faster and works without git installed). */
export function gitFacts(dir: string): { repository?: string; defaultBranch?: string } {
  const gitDir = findGitDir(dir);
  if (!gitDir) return {};
  const out: { repository?: string; defaultBranch?: string } = {};
  const config = readOrUndefined(join(gitDir, "config"));
  if (config) {
    const section = /\[remote "origin"\]([^[]*)/.exec(config);
    const url = section?.[1] ? /^\s*url\s*=\s*(.+)$/m.exec(section[1])?.[1] : undefined;
    const repo = url ? repositoryFromRemote(url) : undefined;
    if (repo) out.repository = repo;
  }
  const head = readOrUndefined(join(gitDir, "refs", "remotes", "origin", "HEAD"));
  const branch = head ? /^ref:\s*refs\/remotes\/origin\/(.+)$/m.exec(head)?.[1]?.trim() : undefined;
  if (branch) out.defaultBranch = branch;
  return out;
}
