import { defineRule } from "../src/engine/rule.js";

export default defineRule({
  meta: {
    id: "mutable-sub-claim",
    severity: "off",
    description: "Name-only sub where the immutable (id-pinned) form would survive a rename",
    inputs: ["policy"],
    messages: {},
    strict: "warn",
  },
  check() {
    // Placeholder: implemented by its issue.
  },
});
