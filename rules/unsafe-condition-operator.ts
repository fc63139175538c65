import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "unsafe-condition-operator",
    severity: "warn",
    description: "IfExists, set or negated operator on sub/aud that weakens the trust condition",
    inputs: ["policy"],
    messages: {},
  },
  check() {
    // Placeholder: implemented by its issue.
  },
});
