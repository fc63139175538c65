import { CHINA_AWS_AUDIENCE, DEFAULT_AWS_AUDIENCE, GITHUB_ISSUER_HOST } from "../src/model/well-known.js";
import { defineRule } from "../src/engine/rule.js";
import { valueChange } from "../src/fix/policy-fixes.js";
import { githubTrustStatements, isGitHubIssuer } from "../src/analysis/github-trust.js";
import type { OidcProvider } from "../src/model/policy.js";
import { knownText } from "../src/model/value.js";
import { positiveAudConditions, providerClientIds, providersFor } from "../src/analysis/oidc-providers.js";
import { isNearGitHubHost } from "../src/analysis/condition-keys.js";

type UrlProblem = "insecureScheme" | "missingScheme" | "wrongHost" | "wrongPath" | "trailingSlash";

interface UrlVerdict {
  problem: UrlProblem;
  suggestion: string;
}

/** Whether a provider URL is meant for GitHub Actions' issuer (right or nearly right). */
function isGitHubUrl(url: string, issuerSetting: string): boolean {
  const rest = url.replace(/^[a-z]+:\/\//i, "");
  const host = (rest.split("/")[0] ?? "").toLowerCase();
  if (isGitHubIssuer(rest.replace(/\/+$/, ""), { issuer: issuerSetting })) return true;
  if (host === GITHUB_ISSUER_HOST) return true;
  return isNearGitHubHost(host) || /(^|\.)github\.com$/.test(host);
}

/** What is wrong with a GitHub provider URL, the first problem found, and the URL to write. */
function judgeUrl(url: string, needsScheme: boolean, issuerSetting: string): UrlVerdict | undefined {
  const scheme = /^([a-z]+):\/\//i.exec(url);
  const rest = scheme ? url.slice(scheme[0].length) : url;
  const slash = rest.indexOf("/");
  const host = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
  const path = slash < 0 ? "" : rest.slice(slash);
  const wrongHost =
    host !== GITHUB_ISSUER_HOST &&
    !isGitHubIssuer(rest.replace(/\/+$/, ""), { issuer: issuerSetting }) &&
    (isNearGitHubHost(host) || /(^|\.)github\.com$/.test(host));
  const goodHost = wrongHost ? GITHUB_ISSUER_HOST : host;
  let goodPath = path.replace(/\/\.well-known\/.*$/i, "").replace(/\/+$/, "");
  const segments = goodPath.split("/").filter((s) => s !== "");
  const pathIsWrong = goodHost === GITHUB_ISSUER_HOST && segments.length > 1;
  if (pathIsWrong) goodPath = "";
  const prefix = scheme || needsScheme ? "https://" : "";
  const suggestion = `${prefix}${goodHost}${goodPath}`;
  if (scheme && scheme[1]?.toLowerCase() !== "https") return { problem: "insecureScheme", suggestion };
  if (!scheme && needsScheme) return { problem: "missingScheme", suggestion };
  if (wrongHost) return { problem: "wrongHost", suggestion };
  if (pathIsWrong || /\/\.well-known\//i.test(path)) return { problem: "wrongPath", suggestion };
  if (path.endsWith("/")) return { problem: "trailingSlash", suggestion };
  return undefined;
}

export default defineRule({
  meta: {
    id: "provider-config",
    severity: "warn",
    description: "GitHub OIDC provider with a wrong URL or without an audience configure-aws-credentials sends",
    inputs: ["provider"],
    messages: {
      insecureScheme: {
        message: "Provider URL `{{url}}` does not use https",
        explanation:
          "OIDC provider URL `{{url}}` does not use https. GitHub's tokens are issued by `https://{{host}}`, and IAM only accepts https issuers.",
        fix: "Use `{{suggestion}}`.",
      },
      missingScheme: {
        message: "Provider URL `{{url}}` has no scheme",
        explanation:
          "OIDC provider URL `{{url}}` has no scheme; IAM requires the issuer URL with `https://` and the deployment fails.",
        fix: "Use `{{suggestion}}`.",
      },
      wrongHost: {
        message: "Provider URL `{{url}}` is not GitHub Actions' token issuer",
        explanation:
          "OIDC provider URL `{{url}}` is not GitHub Actions' token issuer. Tokens carry `iss: https://token.actions.githubusercontent.com`, so STS finds no provider for them (`No OpenIDConnect provider found`).",
        fix: "Use `{{suggestion}}`.",
      },
      wrongPath: {
        message: "Provider URL `{{url}}` has a path the issuer does not have",
        explanation:
          "OIDC provider URL `{{url}}` has a path the issuer does not have (the URL is the issuer itself, not its discovery document). STS finds no provider for GitHub's tokens.",
        fix: "Use `{{suggestion}}`.",
      },
      trailingSlash: {
        message: "Provider URL `{{url}}` ends with `/`",
        explanation:
          "OIDC provider URL `{{url}}` ends with `/`, but GitHub's tokens carry the issuer without it, so STS finds no provider for them (`No OpenIDConnect provider found`).",
        fix: "Use `{{suggestion}}`.",
      },
      noUsableAudience: {
        message: "OIDC provider's client IDs ({{clientIds}}) lack `{{audience}}`",
        explanation:
          "The client ID list of this GitHub OIDC provider ({{clientIds}}) holds no audience configure-aws-credentials sends (`{{audience}}`), so STS refuses its tokens (`Incorrect token audience`).",
        fix: "Add `{{audience}}` to the client IDs.",
      },
      onlyGitHubDefaultAudience: {
        message: "OIDC provider's client IDs hold only GitHub's default audience, not `{{audience}}`",
        explanation:
          "The client ID list of this GitHub OIDC provider ({{clientIds}}) holds only GitHub's own default audience (`https://github.com/OWNER`), used by old setups; configure-aws-credentials requests `{{audience}}`, so STS refuses its tokens (`Incorrect token audience`).",
        fix: "Add `{{audience}}` to the client IDs.",
      },
    },
  },
  check(ctx) {
    const audiences = new Set([DEFAULT_AWS_AUDIENCE, CHINA_AWS_AUDIENCE, ctx.settings.audience]);
    // Providers a trust policy of the linted files pins `aud` for: whether their list fits it is
    // `audience-drift`'s question (one finding).
    const pinned = new Set<OidcProvider>();
    for (const { doc, stmt } of githubTrustStatements(ctx.project.policies, ctx.settings))
      if (positiveAudConditions(stmt, ctx.settings).length > 0)
        for (const p of providersFor(stmt, doc, ctx.index)) pinned.add(p);
    for (const provider of ctx.project.providers) {
      const url = provider.url ? knownText(provider.url) : undefined;
      if (url === undefined || !provider.url || !isGitHubUrl(url, ctx.settings.issuer)) continue;
      const verdict = judgeUrl(url, ctx.index.providerFacts(provider).providerUrlNeedsScheme, ctx.settings.issuer);
      if (verdict) {
        const host = (url.replace(/^[a-z]+:\/\//i, "").split("/")[0] ?? "").toLowerCase();
        // A trailing slash or a missing scheme is mechanical; another host or path is the user's call.
        const certain = verdict.problem === "trailingSlash" || verdict.problem === "missingScheme";
        ctx.report({
          messageId: verdict.problem,
          at: provider.url,
          data: { url, suggestion: verdict.suggestion, host },
          ...valueChange(ctx.fixer, provider.url, url, verdict.suggestion, certain),
        });
      }
      const clientIds = providerClientIds(provider);
      if (clientIds === undefined || clientIds.some((id) => audiences.has(id))) continue;
      if (pinned.has(provider)) continue;
      const list = clientIds.length === 0 ? "empty" : `\`${clientIds.join("`, `")}\``;
      const onlyDefault =
        clientIds.length > 0 && clientIds.every((id) => /^https:\/\/github\.com\/[^/]+\/?$/i.test(id));
      ctx.report({
        messageId: onlyDefault ? "onlyGitHubDefaultAudience" : "noUsableAudience",
        at: provider.clientIds ?? provider,
        data: { clientIds: list, audience: ctx.settings.audience },
      });
    }
  },
});
