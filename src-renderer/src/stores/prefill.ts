/**
 * "Clone to form": a run's params and seed handed from its page to its study's launch form,
 * taken once when the form opens (a later visit shows the defaults again).
 */
import { defineStore } from 'pinia'
import type { Params } from '../../../src-shared/model'

export interface LaunchPrefill {
  study: string
  params: Params
  seed: number
  /** the run it came from, shown above the form */
  fromRun: string
}

export const useLaunchPrefill = defineStore('prefill', () => {
  let pending: LaunchPrefill | null = null
  function set(p: LaunchPrefill): void {
    pending = p
  }
  /** The prefill for this study, once; null when there is none. */
  function take(study: string): LaunchPrefill | null {
    if (!pending || pending.study !== study) return null
    const p = pending
    pending = null
    return p
  }
  return { set, take }
})
