/** One benchmarked solver step: a Descent closure and the matching numpy case. */
export interface StepCase {
  /** row name in the table, e.g. "subgm-small-init-robust-recovery d=20 m=1000" */
  name: string
  /** the python module next to this file (without .py) that has `setup(case)` */
  py: string
  /** argument passed to the python module's setup() */
  pyCase: string
  /** what one call of the returned closure does (printed with --verbose) */
  note: string
  /**
   * Build the default-size problem once and return one solver step. `perCall` (default 1) is how
   * many solver steps one call performs (for solvers timed as T iterations of runLocal).
   */
  setup: () => (() => void) | Promise<() => void>
  perCall?: number
  /** an async step (runLocal): timed with await, per call */
  async?: boolean
}
