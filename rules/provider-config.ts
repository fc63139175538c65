import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "provider-config",
    severity: "warn",
    description: "GitHub OIDC provider with a wrong URL or no usable client ID",
    inputs: ["provider"],
    messages: {},
  },
  check() {
    // Placeholder: implemented by its issue.
  },
});
