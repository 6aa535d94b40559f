/**
 * Stored series of finished runs, fetched with `runs:series` (min/max-decimated to about 2000
 * points by main) and cached per (run, x, columns, log x). Finished runs never change, so a
 * cached answer stays right.
 */
import { defineStore } from 'pinia'
import { ref, shallowReactive } from 'vue'
import type { SeriesPayload } from '../../../src-shared/api'
import { useClient } from '../client'

export const MAX_POINTS = 2000

export const useSeries = defineStore('series', () => {
  const cache = shallowReactive(new Map<string, SeriesPayload | { error: string }>())
  const inflight = new Set<string>()
  /** bumped when an answer arrives */
  const version = ref(0)
  const key = (id: string, x: string, y: string[], logX: boolean): string => `${id}|${x}|${logX ? 'log' : 'lin'}|${y.join(',')}`

  /** The cached payload, or undefined while it loads (the first call starts the fetch). */
  function get(id: string, x: string, y: string[], logX: boolean): SeriesPayload | { error: string } | undefined {
    const k = key(id, x, y, logX)
    const hit = cache.get(k)
    if (hit || inflight.has(k)) return hit
    inflight.add(k)
    useClient()
      ['runs:series']({ id, x, y, maxPoints: MAX_POINTS, logX })
      .then((s) => cache.set(k, s))
      .catch((e: unknown) => cache.set(k, { error: (e as Error).message }))
      .finally(() => {
        inflight.delete(k)
        version.value++
      })
    return undefined
  }
  return { get, version }
})
