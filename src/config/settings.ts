import { DEFAULT_AWS_AUDIENCE, GITHUB_ISSUER_HOST } from "../model/well-known.js";

/** The project facts rules read, resolved from config, git and the environment. */
export interface ResolvedSettings {
  /** `OWNER/REPO` of the linted repository, when known. */
  repository?: string;
  audience: string;
  /** Issuer host (and path), without scheme: `token.actions.githubusercontent.com`. */
  issuer: string;
  subClaimTemplate: string[];
  /** Known repositories (`OWNER/REPO`) for `stale-repo-path`; undefined when no inventory is configured. */
  repositories?: string[];
  /** Role ARN → file defining its trust policy. */
  roles: Record<string, string>;
  defaultTokenPermissions: "restricted" | "permissive";
  /** `uses: ./` refers to the repository's own action, which assumes a role through OIDC (config `localActionUsesOidc`). */
  localActionUsesOidc: boolean;
  defaultBranch: string;
  /** Values of `${{ vars.X }}` / `${{ secrets.X }}` in workflows, keyed `vars.X` / `secrets.X` (config `variables`). */
  variables?: Record<string, string>;
  /** Query the GitHub API (`--online`). */
  online: boolean;
}

export function defaultSettings(): ResolvedSettings {
  return {
    audience: DEFAULT_AWS_AUDIENCE,
    issuer: GITHUB_ISSUER_HOST,
    subClaimTemplate: ["repo", "context"],
    roles: {},
    defaultTokenPermissions: "restricted",
    localActionUsesOidc: false,
    defaultBranch: "main",
    online: false,
  };
}
