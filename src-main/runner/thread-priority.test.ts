import { describe, expect, it } from 'vitest'
import { threadNice } from '../testing/proc'
import { lowerThisThreadPriority } from './thread-priority'

/** The nice value of a Linux task (field 19 of /proc/<pid>/task/<tid>/stat). */
const niceOf = (tid: number) => threadNice(process.pid, tid)

describe.runIf(process.platform === 'linux')('solver thread priority', () => {
  it('never renices the main thread', () => {
    const before = niceOf(process.pid)
    expect(lowerThisThreadPriority()).toBe(false)
    expect(niceOf(process.pid)).toBe(before)
  })
})
