import type { AnyRule } from "../src/engine/rule.js";
import missingSubCondition from "./missing-sub-condition.js";
import broadSubWildcard from "./broad-sub-wildcard.js";
import invalidSubPattern from "./invalid-sub-pattern.js";
import audienceDrift from "./audience-drift.js";
import missingIdTokenPermission from "./missing-id-token-permission.js";
import staleRepoPath from "./stale-repo-path.js";
import trustMismatch from "./trust-mismatch.js";
import unsafeConditionOperator from "./unsafe-condition-operator.js";
import unknownConditionKey from "./unknown-condition-key.js";
import malformedPrincipal from "./malformed-principal.js";
import untrustedTriggerOidc from "./untrusted-trigger-oidc.js";
import excessiveIdTokenScope from "./excessive-id-token-scope.js";
import mutableSubClaim from "./mutable-sub-claim.js";
import providerConfig from "./provider-config.js";
import { ENGINE_RULES } from "../src/engine/rules/index.js";

/** Every rule, in the order of the documentation. Explicit, so that a rule is never lost to a glob. */
export const rules: readonly AnyRule[] = [
  missingSubCondition,
  broadSubWildcard,
  invalidSubPattern,
  audienceDrift,
  missingIdTokenPermission,
  staleRepoPath,
  trustMismatch,
  unsafeConditionOperator,
  unknownConditionKey,
  malformedPrincipal,
  untrustedTriggerOidc,
  excessiveIdTokenScope,
  mutableSubClaim,
  providerConfig,
  // Reported by the engine itself (src/engine/rules/), listed here for the docs, the config and the presets.
  ENGINE_RULES.unusedSuppression,
  ENGINE_RULES.parseError,
] as unknown as readonly AnyRule[];

export const rulesById: ReadonlyMap<string, AnyRule> = new Map(rules.map((r) => [r.meta.id, r]));
