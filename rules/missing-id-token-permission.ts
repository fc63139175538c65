import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "missing-id-token-permission",
    severity: "error",
    description: "Job assumes a role through OIDC without an effective id-token: write",
    inputs: ["workflow"],
    messages: {},
  },
  check() {
    // Placeholder: implemented by its issue.
  },
});
