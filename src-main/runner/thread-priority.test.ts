import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { lowerThisThreadPriority } from './thread-priority'

/** The nice value of a Linux task (field 19 of /proc/<pid>/task/<tid>/stat). */
function niceOf(tid: number): number {
  const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
}

describe.runIf(process.platform === 'linux')('solver thread priority', () => {
  it('never renices the main thread', () => {
    const before = niceOf(process.pid)
    expect(lowerThisThreadPriority()).toBe(false)
    expect(niceOf(process.pid)).toBe(before)
  })
})
