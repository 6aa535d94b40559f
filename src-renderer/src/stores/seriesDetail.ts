/**
 * Zoom detail: when a chart is zoomed into an x-window, `runs:series` is asked again for that
 * window alone, so the window gets the full point budget (min and max per screen bucket again,
 * in log space on a log axis) instead of its share of the whole run's decimation. Answers are
 * kept for the most recent windows only.
 */
import { defineStore } from 'pinia'
import { ref, shallowReactive } from 'vue'
import type { SeriesPayload } from '../../../src-shared/api'
import { useClient } from '../client'
import { MAX_POINTS } from './series'

const KEEP = 64

export const useSeriesDetail = defineStore('seriesDetail', () => {
  const cache = shallowReactive(new Map<string, SeriesPayload | { error: string }>())
  const inflight = new Set<string>()
  const version = ref(0)
  const key = (id: string, x: string, y: string[], logX: boolean, lo: number, hi: number): string =>
    `${id}|${x}|${logX ? 'log' : 'lin'}|${y.join(',')}|${lo}|${hi}`

  /** The window's payload, or undefined while it loads (the first call starts the fetch). */
  function get(id: string, x: string, y: string[], logX: boolean, lo: number, hi: number): SeriesPayload | { error: string } | undefined {
    const k = key(id, x, y, logX, lo, hi)
    const hit = cache.get(k)
    if (hit || inflight.has(k)) return hit
    inflight.add(k)
    useClient()
      ['runs:series']({ id, x, y, maxPoints: MAX_POINTS, logX, xMin: lo, xMax: hi })
      .then((s) => {
        cache.set(k, s)
        while (cache.size > KEEP) cache.delete(cache.keys().next().value as string)
      })
      .catch((e: unknown) => cache.set(k, { error: (e as Error).message }))
      .finally(() => {
        inflight.delete(k)
        version.value++
      })
    return undefined
  }
  return { get, version }
})
