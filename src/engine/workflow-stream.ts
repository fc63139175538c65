import { localCalleePath } from "../analysis/token-use.js";
import { indexProject, pathSuffixes, triggersOf } from "../analysis/project-index.js";
import { buildProject, type ParsedFile } from "../model/project.js";
import type { Workflow, WorkflowTriggers } from "../model/workflow.js";
import { isWorkflowFilePath } from "../parsers/formats.js";
import type { LaterFiles } from "../parsers/index.js";
import type { LoadedProject } from "./load-project.js";

/**
 * Takes one workflow file: `file` (its workflows), its place among the project's workflow files (`order`:
 * increasing in project order) and the project to read it against (`against.project.workflows` is not read).
 */
export type WorkflowFileHandler = (file: ParsedFile, order: number, against: LoadedProject) => Promise<void>;

/** What `ProjectRequest.workflowFiles` is: called once with the project of every other file. */
export type WorkflowFiles = (others: LoadedProject) => Promise<WorkflowFileHandler>;

/**
 * Workflow files handed over one at a time as they are parsed, then dropped (issue 13, memory: a run keeps
 * the workflow models another workflow may need, not every workflow).
 *
 * - Workflow files are parsed after every other file, so policies, providers and composite actions are
 *   complete (with the per-run index over them) when the first one is handed over.
 * - A workflow file whose jobs call no local workflow reads no other workflow: it is handed over at once.
 *   Its model is then dropped, unless another workflow may call it (`on: workflow_call`).
 * - A workflow file with a job that calls a local workflow (`uses: ./…`) is kept and handed over last,
 *   against the project of every workflow kept. Before that, every workflow such a call may find
 *   (`index.workflowAt`: the first in project order whose path ends with the called path) is made sure to be
 *   in the model: one that was dropped (it did not declare `workflow_call`) is parsed again.
 *
 * - A workflow file with a `workflow_run` workflow is handed over last too: the index then has the trigger
 *   summaries of every workflow file (`index.workflowsNamed`), dropped or not.
 *
 * So each handler sees what it would have seen with every model kept.
 */
export class WorkflowStream {
  private handler: WorkflowFileHandler | undefined;
  private others: LoadedProject | undefined;
  private templates = new Set<string>();
  private next = 0;
  /** Workflow files handed to `each` so far. */
  private laterFiles = 0;
  /** Workflow files with a job that calls a local workflow, handed over last. */
  private readonly deferred: { file: ParsedFile; order: number }[] = [];
  /** Files whose workflow models were dropped. */
  private readonly dropped = new Set<string>();
  /** Every workflow file's trigger summaries, for `workflow_run` follow-ups (handed over last). */
  private readonly triggers = new Map<string, WorkflowTriggers[]>();

  constructor(
    private readonly workflowFiles: WorkflowFiles,
    /** The loaded project but for its model: filled in as files are parsed. */
    private readonly base: Omit<LoadedProject, "project" | "index">,
    /** Files that could not be read (they come first in the project). */
    private readonly unread: readonly ParsedFile[],
  ) {}

  /** For `parseAll`: workflow files parsed last, each handed over (or kept for later) as it is parsed. */
  readonly later: LaterFiles = {
    matches: isWorkflowFilePath,
    start: async (others) => {
      const project = buildProject(this.base.root, [...this.unread, ...others]);
      this.templates = new Set(others.flatMap((f) => f.templates ?? []));
      this.others = { ...this.base, project, index: indexProject(project, this.base.config.settings) };
      this.handler = await this.workflowFiles(this.others);
    },
    each: (file) => this.each(file),
  };

  /**
   * The project `start` built of every other file, when no workflow file came after it (a run of Terraform or
   * templates only): it is then the whole project, and need not be built and indexed again.
   */
  wholeProject(): Pick<LoadedProject, "project" | "index"> | undefined {
    return this.laterFiles === 0 ? this.others : undefined;
  }

  private async each(file: ParsedFile): Promise<ParsedFile> {
    this.laterFiles++;
    if (file.workflowTriggers) this.triggers.set(file.file, file.workflowTriggers);
    // (A file another file renders as a template has no workflows in the project: `buildProject`.)
    if (file.workflows.length === 0 || this.templates.has(file.file) || !this.handler || !this.others) return file;
    const order = this.next++;
    this.triggers.set(file.file, triggersOf(file.workflows));
    if (file.workflows.some(callsLocalWorkflow) || file.workflows.some(followsRuns)) {
      this.deferred.push({ file, order });
      return file;
    }
    await this.handler(file, order, this.others);
    if (file.workflows.some(mayBeCalled)) return file;
    this.dropped.add(file.file);
    return { ...file, workflows: [] };
  }

  /**
   * Puts back the model of every dropped workflow a kept workflow's job may call (`parseAgain`), so that the
   * index finds what it would have found with every model kept. Returns the files in the same order.
   */
  async restoreCallees(
    files: ParsedFile[],
    parseAgain: (path: string) => Promise<ParsedFile | undefined>,
  ): Promise<ParsedFile[]> {
    if (this.deferred.length === 0 || this.dropped.size === 0) return files;
    const called = new Set<string>();
    for (const { file } of this.deferred)
      for (const wf of file.workflows)
        for (const job of wf.jobs) {
          const path = job.uses && localCalleePath(job.uses.value);
          if (path !== undefined) called.add(path);
        }
    // The first file in project order with workflows (kept or dropped) at each path a call may name.
    const firstAt = new Map<string, number>();
    files.forEach((f, i) => {
      if (this.templates.has(f.file) || (f.workflows.length === 0 && !this.dropped.has(f.file))) return;
      for (const suffix of pathSuffixes(f.file)) if (!firstAt.has(suffix)) firstAt.set(suffix, i);
    });
    const out = [...files];
    for (const path of called) {
      const i = firstAt.get(path);
      const f = i === undefined ? undefined : out[i];
      if (i === undefined || !f || !this.dropped.has(f.file)) continue;
      this.dropped.delete(f.file);
      const again = await parseAgain(f.file);
      if (again) out[i] = again;
    }
    return out;
  }

  /** Hands over the workflow files kept for last, against the project of every file (`loaded`). */
  async handDeferred(loaded: LoadedProject): Promise<void> {
    for (const [file, triggers] of this.triggers) loaded.index.noteTriggers(file, triggers);
    for (const { file, order } of this.deferred) await this.handler?.(file, order, loaded);
  }
}

function callsLocalWorkflow(wf: Workflow): boolean {
  return wf.jobs.some((job) => job.uses !== undefined && localCalleePath(job.uses.value) !== undefined);
}

/** A workflow run after others' runs (`workflow_run`): it reads the triggers of every workflow file, so it comes last. */
function followsRuns(wf: Workflow): boolean {
  return wf.triggers.some((t) => t.event.value === "workflow_run");
}

/** A workflow that runs when another calls it. */
function mayBeCalled(wf: Workflow): boolean {
  return wf.triggers.some((t) => t.event.value === "workflow_call");
}
