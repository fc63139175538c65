import type { Located, SourceLocation } from "./location.js";
import type { StrValue } from "./value.js";

/**
 * Effective-permission inputs as written. `kind`:
 * - `map`: `permissions: { id-token: write, ... }` (`scopes` holds each entry);
 * - `read-all` / `write-all`: the shorthand strings;
 * - `empty`: `permissions: {}`;
 * - `unknown`: an expression or anything unreadable.
 */
export interface Permissions {
  kind: "map" | "read-all" | "write-all" | "empty" | "unknown";
  scopes: Map<string, Located<string>>;
  loc: SourceLocation;
  /** The `permissions` key itself. */
  keyLoc: SourceLocation;
  /** Positions of the scope names (`id-token`) of a `map`, for findings on an entry. */
  scopeKeys?: Map<string, SourceLocation>;
}

export interface TriggerFilter {
  branches?: Located<string>[];
  branchesIgnore?: Located<string>[];
  tags?: Located<string>[];
  tagsIgnore?: Located<string>[];
  paths?: Located<string>[];
  pathsIgnore?: Located<string>[];
  /** `pull_request` activity types, `workflow_run.workflows`, … kept raw by name. */
  types?: Located<string>[];
  /** `workflow_run.workflows`: the names of the workflows whose runs trigger this one. */
  workflows?: Located<string>[];
}

export interface Trigger {
  event: Located<string>;
  filter: TriggerFilter;
}

export interface Step {
  /** `id:` or `name:` when present. */
  name?: Located<string>;
  uses?: Located<string>;
  with: Map<string, StrValue>;
  run?: Located<string>;
  env: Map<string, StrValue>;
  loc: SourceLocation;
  /** The step's `id:` (also in `name` when present). */
  id?: Located<string>;
  /** The step's `if:` condition as written (`${{ }}` kept). */
  if?: Located<string>;
}

export interface Job {
  id: Located<string>;
  name?: Located<string>;
  permissions?: Permissions;
  /** `environment: prod` or `environment: { name: prod }`; may be an unknown expression. */
  environment?: StrValue;
  steps: Step[];
  /** Reusable workflow call: `jobs.X.uses`. */
  uses?: Located<string>;
  with: Map<string, StrValue>;
  /** `secrets: inherit` or a map; only presence matters here. */
  loc: SourceLocation;
  /** The job's `if:` condition as written. */
  if?: Located<string>;
  /** The job's `env:` (string values; expressions kept as unknowns). */
  env?: Map<string, StrValue>;
  /** `environment: { url: … }`, when given. */
  environmentUrl?: StrValue;
  /** `strategy.matrix`, expanded (see `src/parsers/workflow/matrix.ts`). */
  matrix?: Matrix;
}

/**
 * A job's `strategy.matrix` as GitHub expands it. Each combination maps the path a job reads
 * (`environment` for `${{ matrix.environment }}`, `target.role` for `${{ matrix.target.role }}`) to its
 * value, located where it is written. `combinations` is undefined when the matrix cannot be expanded
 * statically (`${{ fromJSON(…) }}`, more combinations than GitHub runs); `unknown` then says why.
 */
export interface Matrix {
  combinations?: Map<string, StrValue>[];
  unknown?: string;
  loc: SourceLocation;
}

/** What a `workflow_run` follow-up asks of the workflows it follows: their names and the events that run them. */
export interface WorkflowTriggers {
  /** The workflow's `name:`, or its path when it has none (what GitHub names it by). */
  name: string;
  events: readonly string[];
  /** For a workflow itself run by `workflow_run`: the names it follows. */
  follows: readonly string[];
}

export interface Workflow {
  file: string;
  kind: "workflow";
  name?: Located<string>;
  triggers: Trigger[];
  /** The `on` key, for findings about triggers. */
  onLoc?: SourceLocation;
  permissions?: Permissions;
  jobs: Job[];
  loc: SourceLocation;
  /** The workflow's top-level `env:`. */
  env?: Map<string, StrValue>;
}

/** A composite action (`action.yml` with `runs.using: composite`). */
export interface CompositeAction {
  file: string;
  kind: "composite-action";
  /** Directory of the action relative to the repository root, e.g. `.github/actions/deploy`. */
  dir: string;
  inputs: Map<string, { default?: StrValue; loc: SourceLocation }>;
  steps: Step[];
  loc: SourceLocation;
}
