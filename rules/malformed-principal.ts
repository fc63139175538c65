import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "malformed-principal",
    severity: "error",
    description: "Federated principal that is not a valid OIDC provider ARN or disagrees with the condition keys",
    inputs: ["policy"],
    messages: {},
  },
  check() {
    // Placeholder: implemented by its issue.
  },
});
