import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "unknown-condition-key",
    severity: "error",
    description: "Condition key meant for GitHub's issuer that is misspelt or unsupported",
    inputs: ["policy"],
    messages: {},
  },
  check() {
    // Placeholder: implemented by its issue.
  },
});
