/**
 * Linux /proc readers shared by the tests that check solver-thread priorities.
 * Field 19 of /proc/PID/task/TID/stat is the nice value; the fields are counted after the
 * command name's closing parenthesis, since the name itself may contain spaces.
 */
import { readdirSync, readFileSync } from 'node:fs'

/** nice value of one thread of `pid` */
export function threadNice(pid: number, tid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
}

/** nice value of every thread of `pid`, by thread id (threads ending during the scan are skipped) */
export function niceByThread(pid: number): Map<number, number> {
  const out = new Map<number, number>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(Number(tid), threadNice(pid, Number(tid)))
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out
}
