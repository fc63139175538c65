import { defineRule } from "../src/engine/rule.js";
import type { SourceLocation } from "../src/model/location.js";
import { jobCondition } from "../src/analysis/job-condition.js";
import { effectivePermissions, UNTRUSTED_TRIGGERS } from "../src/analysis/token-use.js";
import type { Job, Workflow } from "../src/model/workflow.js";
import { followedWorkflows, type ProjectIndex } from "../src/analysis/project-index.js";

const UNTRUSTED: readonly string[] = UNTRUSTED_TRIGGERS;

/**
 * Whether a job can run for one of the workflow's untrusted events, read from its `if:` by the shared
 * analysis (`src/model/job-condition.ts`): an `if:` that excludes the event is never reported, and one
 * that tests `github.event_name` in a form oidclint cannot evaluate is not claimed either. For
 * `workflow_run`, an `if:` that excludes runs of fork code (`github.event.workflow_run.event == 'push'`,
 * `… != 'pull_request'`, `github.event.workflow_run.head_repository.full_name == github.repository`)
 * excludes the untrusted case.
 */
function reachable(job: Job, untrusted: string[]): boolean {
  const condition = jobCondition(job.if?.value);
  return untrusted.some((event) => {
    const reach = condition.reachesUntrusted(event);
    return reach === "yes" || (reach === "maybe" && !condition.opaqueEventTest);
  });
}

/** Events only the repository's writers cause: a run for them never executes code from outside. */
const WRITERS_EVENTS = new Set([
  "push",
  "workflow_dispatch",
  "schedule",
  "release",
  "create",
  "delete",
  "repository_dispatch",
  "deployment",
  "deployment_status",
  "page_build",
  "registry_package",
]);

/**
 * Whether every run a `workflow_run` workflow follows is of writers' code: each workflow it names is linted
 * and runs only for writers' events, or itself only follows such runs. A name no linted workflow has keeps
 * the finding.
 */
function followsWritersOnly(names: readonly string[], index: ProjectIndex, seen: Set<string>): boolean {
  return (
    names.length > 0 &&
    names.every((name) => {
      if (seen.has(name)) return true;
      seen.add(name);
      const sources = index.workflowsNamed(name);
      return (
        sources.length > 0 &&
        sources.every((s) =>
          s.events.every(
            (e) => WRITERS_EVENTS.has(e) || (e === "workflow_run" && followsWritersOnly(s.follows, index, seen)),
          ),
        )
      );
    })
  );
}

function key(loc: SourceLocation): string {
  return `${loc.line}:${loc.column}`;
}

export default defineRule({
  meta: {
    id: "untrusted-trigger-oidc",
    severity: "error",
    description: "id-token: write in a job reachable from an untrusted trigger",
    inputs: ["workflow"],
    fixable: false,
    messages: {
      untrustedGrant: {
        message: "{{grant}} gives {{jobs}} an OIDC token on {{triggers}}",
        explanation:
          "{{grant}} gives job(s) {{jobs}} an OIDC token in a workflow triggered by {{triggers}}. These events run in the base repository's context for things outsiders control (a fork's pull request, a comment, the artifacts of another run), so a step that touches that input can mint credentials for your cloud roles.",
        fix: "Keep `id-token: write` out of this workflow: deploy from a `push`/`workflow_dispatch` workflow (or one protected by an environment), and give the job here `permissions: { contents: read }`.",
      },
    },
  },
  checkWorkflowFile(ctx) {
    for (const wf of ctx.project.workflows) {
      const writersRuns = followsWritersOnly(followedWorkflows(wf), ctx.index, new Set());
      const untrusted = [
        ...new Set(
          wf.triggers
            .map((t) => t.event.value)
            .filter((e) => UNTRUSTED.includes(e) && !(e === "workflow_run" && writersRuns)),
        ),
      ];
      if (untrusted.length === 0) continue;
      const grants = new Map<
        string,
        { loc: SourceLocation; level: "job" | "workflow"; writeAll: boolean; jobs: string[] }
      >();
      for (const job of wf.jobs) {
        const eff = effectivePermissions(job, wf);
        if (eff.idToken !== "write" || !eff.grantLoc || !reachable(job, untrusted)) continue;
        const k = key(eff.grantLoc);
        const grant = grants.get(k) ?? {
          loc: eff.grantLoc,
          level: eff.source === "job" ? "job" : "workflow",
          writeAll: eff.permissions?.kind === "write-all",
          jobs: [],
        };
        grant.jobs.push(`\`${job.id.value}\``);
        grants.set(k, grant);
      }
      for (const grant of grants.values()) {
        ctx.report({
          messageId: "untrustedGrant",
          at: grant.loc,
          data: {
            grant: `${grant.writeAll ? "`write-all`" : "`id-token: write`"} at ${grant.level} level`,
            jobs: grant.jobs.join(", "),
            triggers: untrusted.map((t) => `\`${t}\``).join(", "),
          },
          related: triggerLocs(wf, untrusted),
        });
      }
    }
  },
});

function triggerLocs(wf: Workflow, untrusted: string[]): { message: string; loc: SourceLocation }[] {
  return wf.triggers
    .filter((t) => untrusted.includes(t.event.value))
    .map((t) => ({ message: `untrusted trigger \`${t.event.value}\``, loc: t.event.loc }));
}
