/**
 * `githubKeyProblem` on keys with no claim (the issuer alone), next to the keys of other providers and the
 * global keys it must leave alone. End-to-end cases are in fixtures/unknown-condition-key/.
 */
import { describe, expect, it } from "vitest";
import { githubKeyProblem, isNearGitHubHost } from "../src/analysis/condition-keys.js";
import { editDistance } from "../src/analysis/edit-distance.js";

const settings = { issuer: "token.actions.githubusercontent.com" };

describe("a condition key that is the issuer alone", () => {
  it.each([
    ["token.actions.githubusercontent.com", "token.actions.githubusercontent.com"],
    ["Token.Actions.GitHubUserContent.com", "Token.Actions.GitHubUserContent.com"],
    ["token.actions.githubusercontent.com/", "token.actions.githubusercontent.com"],
    ["token.actions.githubusercontent.com:", "token.actions.githubusercontent.com"],
    ["https://token.actions.githubusercontent.com", "token.actions.githubusercontent.com"],
    [" token.actions.githubusercontent.com ", "token.actions.githubusercontent.com"],
    ["token.actions.githubusercontent.com/octo-corp", "token.actions.githubusercontent.com/octo-corp"],
    ["token.actions.octo.ghe.com", "token.actions.octo.ghe.com"],
    ["ghes.example.com/_services/token", "ghes.example.com/_services/token"],
    ["token.actions.githubusercontent.con", "token.actions.githubusercontent.com"],
  ])("%j is reported, with issuer %j", (key, issuer) => {
    expect(githubKeyProblem(key, settings)).toEqual({ kind: "issuerOnly", issuer });
  });

  it.each([
    "oidc.eks.us-east-2.amazonaws.com/id/4F1A0C2E9B8D7E6F5A4B3C2D1E0F9A8B",
    "oidc.eks.us-east-2.amazonaws.com/id/4F1A0C2E9B8D7E6F5A4B3C2D1E0F9A8B:sub",
    "app.terraform.io",
    "gitlab.com",
    "accounts.google.com",
    "cognito-identity.amazonaws.com:amr",
    "aws:SourceIp",
    "sts:RoleSessionName",
    "token.actions.githubusercontent.com:sub",
    "token.actions.githubusercontent.com/octo-corp:aud",
    "${local.github_host}",
  ])("%j is not", (key) => {
    expect(githubKeyProblem(key, settings)).toBeUndefined();
  });

  it("a `/` before a claim name stays the slash mistake, not an enterprise slug", () => {
    expect(githubKeyProblem("token.actions.githubusercontent.com/sub", settings)).toEqual({
      kind: "slash",
      suggestion: "token.actions.githubusercontent.com:sub",
    });
  });

  it("a host near GitHub's issuer: within three edits of it, or naming githubusercontent", () => {
    const issuer = "token.actions.githubusercontent.com";
    const hosts = [
      issuer,
      "sts.amazonaws.com",
      "token.actions.githubusercontent.co",
      "token.action.githubusercontent.com",
      "tokn.actins.githubusercontent.cm",
      "tkn.actns.githubusercontent.cm",
      "otken.actions.githubusercontent.com",
      "token.actions.githubusercontent.com.evil",
      "token.actions.githubusercontent.comxyz",
      "token.actions.githubusercontent.comwxyz",
      "TOKEN.ACTIONS.GITHUBUSERCONTENT.COM",
      "oidc.eks.us-east-1.amazonaws.com",
      "gitlab.com",
      "",
    ];
    for (const host of hosts) {
      const h = host.toLowerCase();
      expect(isNearGitHubHost(host), host).toBe(
        h !== issuer && (editDistance(h, issuer) <= 3 || h.includes("githubusercontent")),
      );
    }
    expect(isNearGitHubHost("token.actions.githubusercontent.co")).toBe(true);
    expect(isNearGitHubHost("tkn.actns.githubusercontent.cm")).toBe(true);
    expect(isNearGitHubHost("sts.amazonaws.com")).toBe(false);
  });
});
