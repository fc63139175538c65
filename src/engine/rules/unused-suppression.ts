import { defineRule } from "../rule.js";

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
      unused: {
        message: "Suppression of `{{ruleId}}` silenced nothing here",
        explanation: "A stale suppression would hide a future finding at this place.",
        fix: "Remove the comment (or this rule id from it).",
      },
      unknownRule: {
        message: "Suppression names `{{ruleId}}`, which is not an oidclint rule",
        explanation: "A suppression of an unknown rule id silences nothing.",
        fix: "Correct the id or remove it from the comment.",
      },
      missingReason: {
        message: "Suppression of `{{ruleId}}` gives no reason, so it suppresses nothing",
        explanation:
          "This configuration requires a reason for every suppression (`requireSuppressionReason`); a suppression without one suppresses nothing.",
        fix: "Append `-- <why this is safe>` to the comment so that reviewers see why the finding is accepted.",
      },
    },
  },
  check() {
    // Findings come from the suppression pass (see src/engine/suppressions.ts).
  },
});
