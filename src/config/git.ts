import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { readTextFile } from "../engine/read-file.js";

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

/** A branch name as git allows it (no blank, control character, `~^:?*[\`, `..` or `@{`), at most 255 characters. */
const BRANCH_NAME = /^(?!.*\.\.)(?!.*@\{)[^\s\x00-\x1f\x7f~^:?*[\\]{1,255}$/;

/**
 * The default branch that a GitHub Actions run's event names for `repository` (`repository.default_branch` of the
 * event payload, `GITHUB_EVENT_PATH`): actions/checkout leaves no `origin/HEAD`, so in CI git alone cannot tell.
 * Undefined outside Actions, when the event is about another repository (a workflow linting a checkout of one),
 * and for anything unexpected. The file is the runner's, named by the environment, read within the usual size limit.
 */
export function eventDefaultBranch(
  env: Record<string, string | undefined>,
  repository: string | undefined,
): string | undefined {
  const path = env.GITHUB_EVENT_PATH;
  if (env.GITHUB_ACTIONS !== "true" || !path || !repository) return undefined;
  const text = readTextFile(path);
  if (text === undefined) return undefined;
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    return undefined;
  }
  const repo = (event as { repository?: { full_name?: unknown; default_branch?: unknown } } | null)?.repository;
  if (typeof repo?.full_name !== "string" || repo.full_name.toLowerCase() !== repository.toLowerCase())
    return undefined;
  const branch = repo.default_branch;
  return typeof branch === "string" && BRANCH_NAME.test(branch) ? branch : undefined;
}
