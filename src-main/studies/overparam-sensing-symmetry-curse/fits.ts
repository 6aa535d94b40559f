/**
 * Rate fits read from a run's recorded relError column: the semilog slope of the linear phase
 * of asymmetric GD (decades per iteration, the quantity that scales with α²) and the log-log
 * slope of symmetric over-parameterised GD (≈ −0.8, heading to −1).
 */

/** Least-squares slope of v against u over the index range [i0, i1). NaN with fewer than 2 points. */
function slopeOf(u: ArrayLike<number>, v: ArrayLike<number>, i0: number, i1: number): number {
  let n = 0
  let su = 0
  let sv = 0
  for (let i = i0; i < i1; i++) {
    su += u[i]
    sv += v[i]
    n++
  }
  if (n < 2) return NaN
  const mu = su / n
  const mv = sv / n
  let suu = 0
  let suv = 0
  for (let i = i0; i < i1; i++) {
    suu += (u[i] - mu) * (u[i] - mu)
    suv += (u[i] - mu) * (v[i] - mv)
  }
  return suu > 0 ? suv / suu : NaN
}

/** The window of the linear phase: relError between these levels. */
export const LINEAR_PHASE_UPPER = 1e-3
export const LINEAR_PHASE_LOWER = 1e-10

/**
 * Fitted semilog slope of the linear phase, in decades per iteration (negative when converging):
 * log10(relError) against t over the iterations after relError last falls below 1e-3 and before
 * it first reaches 1e-10 (the float64 floor lies near 1e-14). The window starts after the
 * signal-fitting phase and ends before the floor, so the fit sees the rate of the redundant
 * directions, which is the α²-dependent one. NaN when the window holds fewer than 10 points.
 */
export function linearPhaseSlope(iteration: Float64Array, relError: Float64Array): { slope: number; t0: number; t1: number } {
  const len = Math.min(iteration.length, relError.length)
  let end = len
  for (let i = 0; i < len; i++) {
    if (relError[i] <= LINEAR_PHASE_LOWER) {
      end = i + 1
      break
    }
  }
  let start = 0
  for (let i = end - 1; i >= 0; i--) {
    if (!(relError[i] <= LINEAR_PHASE_UPPER)) {
      start = i + 1
      break
    }
  }
  if (end - start < 10) return { slope: NaN, t0: NaN, t1: NaN }
  const logE = new Float64Array(len)
  for (let i = start; i < end; i++) logE[i] = Math.log10(relError[i])
  return { slope: slopeOf(iteration, logE, start, end), t0: iteration[start], t1: iteration[end - 1] }
}

/** Log-log slope of relError against t over t ∈ [tFrom, tTo] (the spec's [1000, 8000]). */
export function logLogSlope(iteration: Float64Array, relError: Float64Array, tFrom: number, tTo: number): number {
  const u: number[] = []
  const v: number[] = []
  for (let i = 0; i < Math.min(iteration.length, relError.length); i++) {
    const t = iteration[i]
    if (t < tFrom || t > tTo || !(relError[i] > 0)) continue
    u.push(Math.log10(t))
    v.push(Math.log10(relError[i]))
  }
  return slopeOf(u, v, 0, u.length)
}
