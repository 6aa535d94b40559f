/**
 * Special functions the certificates need, in float64: the standard normal quantile Φ⁻¹
 * (Wichura's AS 241, ~1e-16 relative), log Γ (Lanczos), the regularised incomplete beta
 * function I_x(a, b) (continued fraction, modified Lentz) and its inverse, and from them the
 * Clopper–Pearson interval as statsmodels' `proportion_confint(method="beta")` computes it.
 */

/** Φ⁻¹(p), the standard normal quantile (Wichura 1988, AS 241 PPND16); ±Infinity at 0 and 1. */
export function normInv(p: number): number {
  if (p <= 0) return p === 0 ? -Infinity : NaN
  if (p >= 1) return p === 1 ? Infinity : NaN
  const q = p - 0.5
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q
    return (
      (q *
        (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r +
          13731.693765509461125) *
          r +
          1971.5909503065514427) *
          r +
          133.14166789178437745) *
          r +
          3.387132872796366608)) /
      (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r +
        5394.1960214247511077) *
        r +
        687.1870074920579083) *
        r +
        42.313330701600911252) *
        r +
        1)
    )
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p))
  let val: number
  if (r <= 5) {
    r -= 1.6
    val =
      (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1)
  } else {
    r -= 5
    val =
      (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r +
        0.29656057182850489123) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
        0.0148753612908506148525) *
        r +
        0.13692988092273580531) *
        r +
        0.59983220655588793769) *
        r +
        1)
  }
  return q < 0 ? -val : val
}

const LANCZOS_G = 7
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
]

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~1e-15 relative). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x)
  const z = x - 1
  let a = LANCZOS[0]
  const t = z + LANCZOS_G + 0.5
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i)
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a)
}

/** Continued fraction of I_x(a, b) (modified Lentz), valid for x < (a + 1)/(a + b + 2). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300
  const qab = a + b
  const qap = a + 1
  const qam = a - 1
  let c = 1
  let d = 1 - (qab * x) / qap
  if (Math.abs(d) < TINY) d = TINY
  d = 1 / d
  let h = d
  for (let m = 1; m <= 100000; m++) {
    const m2 = 2 * m
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2))
    d = 1 + aa * d
    if (Math.abs(d) < TINY) d = TINY
    c = 1 + aa / c
    if (Math.abs(c) < TINY) c = TINY
    d = 1 / d
    h *= d * c
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2))
    d = 1 + aa * d
    if (Math.abs(d) < TINY) d = TINY
    c = 1 + aa / c
    if (Math.abs(c) < TINY) c = TINY
    d = 1 / d
    const del = d * c
    h *= del
    if (Math.abs(del - 1) < 1e-16) break
  }
  return h
}

/** The regularised incomplete beta function I_x(a, b), a, b > 0, x ∈ [0, 1]. */
export function betaInc(x: number, a: number, b: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x)
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(a, b, x)) / a
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(b, a, 1 - x)) / b
}

/**
 * The q-quantile of Beta(a, b): the x with I_x(a, b) = q, by bisection to the last bit
 * (I_x is increasing in x; 1100 halvings bound the loop, it stops when the bracket cannot shrink).
 */
export function betaInv(q: number, a: number, b: number): number {
  if (q <= 0) return 0
  if (q >= 1) return 1
  let lo = 0
  let hi = 1
  for (let it = 0; it < 1100; it++) {
    const mid = 0.5 * (lo + hi)
    if (mid <= lo || mid >= hi) break
    if (betaInc(mid, a, b) < q) lo = mid
    else hi = mid
  }
  return 0.5 * (lo + hi)
}

/**
 * Clopper–Pearson bounds for k successes in n trials with `alphaSide` in each tail, as
 * `proportion_confint(k, n, alpha = 2·alphaSide, method="beta")`:
 * lower = Beta⁻¹(alphaSide; k, n − k + 1) (0 at k = 0), upper = Beta⁻¹(1 − alphaSide; k + 1, n − k) (1 at k = n).
 */
export function clopperPearson(k: number, n: number, alphaSide: number): { lower: number; upper: number } {
  const lower = k <= 0 ? 0 : betaInv(alphaSide, k, n - k + 1)
  const upper = k >= n ? 1 : betaInv(1 - alphaSide, k + 1, n - k)
  return { lower, upper }
}
