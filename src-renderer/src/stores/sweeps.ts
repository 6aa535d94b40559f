/** Figure reproductions (sweeps), kept current by 'sweeps:status' events. */
import { defineStore } from 'pinia'
import { shallowReactive } from 'vue'
import type { SweepDetail } from '../../../src-shared/api'
import { useClient } from '../client'

export const useSweeps = defineStore('sweeps', () => {
  const byId = shallowReactive(new Map<string, SweepDetail>())
  let started = false
  function start(): void {
    if (started) return
    started = true
    useClient().on('sweeps:status', (s) => byId.set(s.id, s))
  }
  async function fetch(id: string): Promise<SweepDetail> {
    const s = await useClient()['sweeps:get']({ id })
    byId.set(id, s)
    return s
  }
  async function reproduce(study: string, figure: string, projectId?: string): Promise<SweepDetail> {
    const s = await useClient()['runs:reproduce']({ study, figure, projectId })
    byId.set(s.id, s)
    return s
  }
  /** pause, resume or cancel a sweep; the answer (and the event after it) carries its new state */
  async function control(id: string, action: 'pause' | 'resume' | 'cancel'): Promise<SweepDetail> {
    const s = await useClient()[`sweeps:${action}`]({ id })
    byId.set(id, s)
    return s
  }
  return { byId, start, fetch, reproduce, control }
})
