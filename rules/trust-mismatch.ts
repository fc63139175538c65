import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "trust-mismatch",
    severity: "error",
    description: "Workflow job would be refused by the trust policy of the role it assumes (AccessDenied predicted)",
    inputs: ["workflow", "policy"],
    messages: {},
  },
  check() {
    // Placeholder: implemented by its issue.
  },
});
