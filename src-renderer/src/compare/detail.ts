/** Zoom detail merged into a decimated overview (pure; used by charts/useSeriesChart.ts). */

/**
 * The overview's rows outside [lo, hi] with the window's detailed rows inside, in x order
 * (rows with a non-finite x stay with the overview). Both inputs are x-ascending.
 */
export function mergeDetail(
  overview: Record<string, Float64Array>,
  detail: Record<string, Float64Array>,
  x: string,
  lo: number,
  hi: number,
): Record<string, Float64Array> {
  const ox = overview[x]
  const dx = detail[x]
  if (!ox || !dx) return overview
  const before: number[] = []
  const after: number[] = []
  for (let i = 0; i < ox.length; i++) {
    const v = ox[i]
    if (v < lo) before.push(i)
    else if (v > hi) after.push(i)
    else if (!(v === v)) before.push(i)
  }
  const n = before.length + dx.length + after.length
  const out: Record<string, Float64Array> = {}
  for (const name of Object.keys(overview)) {
    const o = overview[name]
    const d = detail[name]
    const a = new Float64Array(n)
    let k = 0
    for (const i of before) a[k++] = o[i]
    if (d) a.set(d, k)
    else a.fill(NaN, k, k + dx.length)
    k += dx.length
    for (const i of after) a[k++] = o[i]
    out[name] = a
  }
  return out
}
