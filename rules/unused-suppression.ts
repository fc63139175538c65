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
      unused: "Suppression of `{{ruleId}}` silenced nothing here: remove it (or the rule id from it)",
      missingReason: "Suppression of `{{ruleId}}` has no `-- reason`; this configuration requires one",
    },
  },
  check() {
    // Findings come from the suppression pass (see src/engine/suppressions.ts).
  },
});
