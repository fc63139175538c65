/**
 * `--online`: asks the GitHub REST API whether the repositories named in sub conditions still exist under
 * those names. Rules stay pure: the engine fetches before the rules run and hands them the answers.
 */
import type { RepoStatus } from "../model/project.js";

export interface OnlineOptions {
  /** `GITHUB_API_URL` (set by GitHub Actions, and by GHES users), else https://api.github.com. */
  apiUrl: string;
  token?: string;
  timeoutMs?: number;
  /** At most this many lookups a run. */
  limit?: number;
}

interface ApiRepo {
  full_name?: string;
}

async function get(url: string, opts: OnlineOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/vnd.github+json", "user-agent": "oidclint" };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  return fetch(url, { headers, redirect: "manual", signal: AbortSignal.timeout(opts.timeoutMs ?? 5000) });
}

async function lookup(repo: string, opts: OnlineOptions): Promise<RepoStatus> {
  const base = opts.apiUrl.replace(/\/$/, "");
  // Names come from the linted files: owner and name are one path segment each, never `..` or a query.
  const slash = repo.indexOf("/");
  const [owner, name] = [repo.slice(0, slash), repo.slice(slash + 1)];
  if (slash <= 0 || [owner, name].some((p) => p === "" || p === "." || p === ".."))
    return { kind: "error", message: "not a repository name" };
  try {
    const res = await get(`${base}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`, opts);
    if (res.status === 404) return { kind: "missing" };
    if (res.status === 301 || res.status === 302 || res.status === 307 || res.status === 308) {
      const location = res.headers.get("location");
      if (!location) return { kind: "error", message: `HTTP ${res.status} without a location` };
      const target = new URL(location, base);
      // The token is for the configured API only: a redirect to any other origin is not followed.
      if (target.origin !== new URL(base).origin)
        return { kind: "error", message: `HTTP ${res.status} to another host (${target.origin}), not followed` };
      const moved = await get(target.href, opts);
      const body = (await moved.json()) as ApiRepo;
      return body.full_name
        ? { kind: "renamed", fullName: body.full_name }
        : { kind: "error", message: "redirect target has no full_name" };
    }
    if (!res.ok) return { kind: "error", message: `HTTP ${res.status}` };
    const body = (await res.json()) as ApiRepo;
    return { kind: "ok", fullName: body.full_name ?? repo };
  } catch (e) {
    return { kind: "error", message: e instanceof Error ? e.message : String(e) };
  }
}

/** Looks up each repository once, four at a time. */
export async function fetchRepoStatuses(
  repos: Iterable<string>,
  opts: OnlineOptions,
): Promise<Map<string, RepoStatus>> {
  const unique = [...new Set(repos)].slice(0, opts.limit ?? 200);
  const out = new Map<string, RepoStatus>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < unique.length) {
      const repo = unique[next++];
      if (repo !== undefined) out.set(repo, await lookup(repo, opts));
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}
