/**
 * Solver threads run at a lower scheduling priority than the host's main thread, so that the
 * api, the store's writes and the UI stay responsive when every core is busy solving.
 *
 * On Linux a thread is a task with its own id, and setpriority(2) on that id renices only that
 * thread (a documented Linux behaviour, not POSIX). Elsewhere this does nothing: macOS and
 * Windows have no per-thread nice value reachable from Node.
 */
import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'

/** Nice value of solver threads: 10 is what `nice` uses by default. */
export const SOLVER_NICE = 10

/** Lowers the calling thread's priority; returns whether it did. Never renices the main thread. */
export function lowerThisThreadPriority(nice = SOLVER_NICE): boolean {
  if (process.platform !== 'linux') return false
  try {
    // "/proc/thread-self" links to "<pid>/task/<tid>"
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (!Number.isInteger(tid) || tid <= 0 || tid === process.pid) return false
    setPriority(tid, nice)
    return true
  } catch {
    return false
  }
}
