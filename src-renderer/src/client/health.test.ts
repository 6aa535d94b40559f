import { describe, expect, it } from 'vitest'
import { ApiError, channels, isReadChannel, type Client } from '../../../src-shared/api'
import { storageProblem, watchStorage } from './health'
import { isStorageFailure, STORAGE_FAILURE } from '../../../src-shared/model'

/** read through a call, so that TypeScript does not narrow the ref to what the test last set */
const problem = () => storageProblem.value

/** A client whose calls fail with the queued errors, then succeed. */
function fakeClient(errors: Partial<Record<string, unknown[]>>): Client {
  return new Proxy({ on: () => () => {} } as unknown as Client, {
    get(target, prop: string) {
      if (prop === 'on') return (target as unknown as { on: unknown }).on
      return async () => {
        const e = errors[prop]?.shift()
        if (e) throw e
        return { ok: prop }
      }
    },
  })
}

describe('storage health', () => {
  it('records a storage error, keeps it through reads, clears it on a successful write', async () => {
    storageProblem.value = null
    const c = watchStorage(fakeClient({ 'runs:start': [new ApiError('storage', 'the run database /x/descent.sqlite is locked by another process')] }))
    await expect(c['runs:start']({ study: 's', params: {} } as never)).rejects.toThrow(/locked/)
    expect(problem()?.message).toMatch(/locked by another process/)
    expect(problem()?.channel).toBe('runs:start')
    await c['runs:list']({} as never)
    expect(problem()).not.toBeNull()
    await c['runs:start']({ study: 's', params: {} } as never)
    expect(problem()).toBeNull()
  })

  it('leaves other errors to the views', async () => {
    storageProblem.value = null
    const c = watchStorage(fakeClient({ 'runs:get': [new ApiError('not-found', 'no run r1')] }))
    await expect(c['runs:get']({ id: 'r1' })).rejects.toThrow('no run r1')
    expect(problem()).toBeNull()
  })

  it('takes the read-only calls from the contract: listing and export read, every mutation writes', () => {
    const reads = channels.filter(isReadChannel)
    expect(reads).toEqual(expect.arrayContaining(['runs:list', 'runs:series', 'runs:export', 'sweeps:get']))
    for (const c of ['runs:start', 'runs:delete', 'runs:restore', 'runs:import', 'runs:update', 'projects:create', 'sweeps:start'] as const) expect(isReadChannel(c), c).toBe(false)
  })

  it('tells a run that failed to store its metrics from a solver failure', () => {
    expect(isStorageFailure({ status: 'failed', error: `${STORAGE_FAILURE}: the run database /x is locked by another process` })).toBe(true)
    expect(isStorageFailure({ status: 'failed', error: 'the solver threw: NaN in the gradient' })).toBe(false)
    expect(isStorageFailure({ status: 'interrupted', error: `${STORAGE_FAILURE}: …` })).toBe(false)
    expect(isStorageFailure({ status: 'failed', error: null })).toBe(false)
  })
})
