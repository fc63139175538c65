import { defineRule } from "../src/engine/rule.js";

/**
 * Reported by the engine after all other rules ran: a suppression comment that silenced no finding is
 * itself a finding, so stale suppressions do not pile up and hide future problems.
 */
export default defineRule({
  meta: {
    id: "unused-suppression",
    severity: "warn",
    description: "Inline suppression comment that silenced nothing",
    inputs: [],
    messages: {
      unused: "Suppression of `{{ruleId}}` silenced nothing here, and a stale suppression would hide a future finding: remove the comment (or this rule id from it)",
      unknownRule: "Suppression names `{{ruleId}}`, which is not an oidclint rule, so it silences nothing: correct the id or remove it from the comment",
      missingReason: "Suppression of `{{ruleId}}` gives no reason, which this configuration requires (`requireSuppressionReason`), so it suppresses nothing: append `-- <why this is safe>` to the comment so that reviewers see why the finding is accepted.",
    },
  },
  check() {
    // Findings come from the suppression pass (see src/engine/suppressions.ts).
  },
});
