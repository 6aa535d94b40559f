/**
 * Small dense least-squares kernels on a p×p Gram matrix (p = 6 for ChebCB's features), so a
 * refit costs O(p³) instead of O(rows·p²): the min-norm solution (MATLAB `lsqminnorm`) through
 * the pseudo-inverse of G = XᵀX, and box-constrained least squares (MATLAB `lsqlin` with lb, ub)
 * by a bounded-variable active-set method on ½θᵀGθ − θᵀg.
 */

/** Cyclic Jacobi eigen-decomposition of a symmetric p×p matrix: values[j], column j of V. */
export function jacobiEig(A: Float64Array, p: number, values: Float64Array, V: Float64Array, work: Float64Array): void {
  const a = work
  a.set(A.subarray(0, p * p))
  V.fill(0)
  for (let i = 0; i < p; i++) V[i * p + i] = 1
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0
    let diag = 0
    for (let i = 0; i < p; i++) {
      diag += a[i * p + i] * a[i * p + i]
      for (let j = i + 1; j < p; j++) off += a[i * p + j] * a[i * p + j]
    }
    if (off <= 1e-32 * diag || off === 0) break
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = a[i * p + j]
        if (aij === 0) continue
        const theta = (a[j * p + j] - a[i * p + i]) / (2 * aij)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < p; k++) {
          const aki = a[k * p + i]
          const akj = a[k * p + j]
          a[k * p + i] = c * aki - s * akj
          a[k * p + j] = s * aki + c * akj
        }
        for (let k = 0; k < p; k++) {
          const aik = a[i * p + k]
          const ajk = a[j * p + k]
          a[i * p + k] = c * aik - s * ajk
          a[j * p + k] = s * aik + c * ajk
        }
        for (let k = 0; k < p; k++) {
          const vki = V[k * p + i]
          const vkj = V[k * p + j]
          V[k * p + i] = c * vki - s * vkj
          V[k * p + j] = s * vki + c * vkj
        }
      }
    }
  }
  for (let i = 0; i < p; i++) values[i] = a[i * p + i]
}

/**
 * θ = G⁺ g restricted to the index set `free` (others untouched), with eigenvalues below
 * relTol·λ_max treated as zero: the minimum-norm least-squares solution when G = XᵀX, g = Xᵀy.
 */
export function pinvSolve(
  G: Float64Array,
  g: Float64Array,
  p: number,
  free: Int32Array,
  nFree: number,
  out: Float64Array,
  scratch: { sub: Float64Array; rhs: Float64Array; values: Float64Array; V: Float64Array; work: Float64Array },
  relTol = 1e-12,
): void {
  const { sub, rhs, values, V, work } = scratch
  for (let a = 0; a < nFree; a++) {
    for (let b = 0; b < nFree; b++) sub[a * nFree + b] = G[free[a] * p + free[b]]
  }
  jacobiEig(sub, nFree, values, V, work)
  let lmax = 0
  for (let a = 0; a < nFree; a++) lmax = Math.max(lmax, Math.abs(values[a]))
  for (let a = 0; a < nFree; a++) rhs[a] = 0
  for (let k = 0; k < nFree; k++) {
    const lk = values[k]
    if (!(Math.abs(lk) > relTol * lmax)) continue
    let proj = 0
    for (let a = 0; a < nFree; a++) proj += V[a * nFree + k] * g[a]
    proj /= lk
    for (let a = 0; a < nFree; a++) rhs[a] += V[a * nFree + k] * proj
  }
  for (let a = 0; a < nFree; a++) out[free[a]] = rhs[a]
}

export interface GramScratch {
  sub: Float64Array
  rhs: Float64Array
  values: Float64Array
  V: Float64Array
  work: Float64Array
  free: Int32Array
  gFree: Float64Array
  z: Float64Array
  grad: Float64Array
  fixed: Uint8Array
}

export function gramScratch(p: number): GramScratch {
  return {
    sub: new Float64Array(p * p),
    rhs: new Float64Array(p),
    values: new Float64Array(p),
    V: new Float64Array(p * p),
    work: new Float64Array(p * p),
    free: new Int32Array(p),
    gFree: new Float64Array(p),
    z: new Float64Array(p),
    grad: new Float64Array(p),
    fixed: new Uint8Array(p),
  }
}

/** Minimum-norm least squares from the Gram matrix: θ = G⁺ g (all indices free). */
export function minNormFromGram(G: Float64Array, g: Float64Array, p: number, theta: Float64Array, s: GramScratch): void {
  for (let j = 0; j < p; j++) s.free[j] = j
  pinvSolve(G, g, p, s.free, p, theta, s)
}

/**
 * min ½θᵀGθ − θᵀg subject to −ub ≤ θ ≤ ub (the objective of ‖Xθ − y‖² up to a constant), by a
 * bounded-variable active-set method (Lawson–Hanson style, as in BVLS of Stark & Parker 1995):
 * solve exactly (pseudo-inverse) over the free variables with the others fixed at their bounds;
 * if the solution leaves the box, step to the first bound crossed and fix that variable; once the
 * free subproblem is solved inside the box, release the bound variable whose multiplier has the
 * wrong sign (largest first), or stop at a KKT point. Warm-started from `theta` (clipped).
 * Returns the number of subproblem solves.
 */
export function boxLeastSquares(
  G: Float64Array,
  g: Float64Array,
  ub: Float64Array,
  p: number,
  theta: Float64Array,
  s: GramScratch,
  maxSolves = 200,
): number {
  const { free, gFree, z, grad } = s
  const fixed = s.fixed
  for (let j = 0; j < p; j++) {
    theta[j] = Math.min(ub[j], Math.max(-ub[j], theta[j]))
    fixed[j] = theta[j] === ub[j] || theta[j] === -ub[j] ? 1 : 0
  }
  let scaleG = 0
  for (let j = 0; j < p * p; j++) scaleG = Math.max(scaleG, Math.abs(G[j]))
  let solves = 0
  for (;;) {
    // inner loop: solve over the free set, stepping back to the box when the solution leaves it
    for (;;) {
      let nFree = 0
      for (let j = 0; j < p; j++) if (!fixed[j]) free[nFree++] = j
      if (nFree === 0) break
      for (let a = 0; a < nFree; a++) {
        const j = free[a]
        let v = g[j]
        for (let k = 0; k < p; k++) if (fixed[k]) v -= G[j * p + k] * theta[k]
        gFree[a] = v
      }
      z.set(theta)
      pinvSolve(G, gFree, p, free, nFree, z, s)
      solves++
      let alpha = 1
      let hit = -1
      for (let a = 0; a < nFree; a++) {
        const j = free[a]
        const dj = z[j] - theta[j]
        let al = Infinity
        if (z[j] > ub[j] && dj > 0) al = (ub[j] - theta[j]) / dj
        else if (z[j] < -ub[j] && dj < 0) al = (-ub[j] - theta[j]) / dj
        if (al < alpha) {
          alpha = al
          hit = j
        }
      }
      for (let a = 0; a < nFree; a++) {
        const j = free[a]
        theta[j] = Math.min(ub[j], Math.max(-ub[j], theta[j] + alpha * (z[j] - theta[j])))
      }
      if (hit < 0) break
      theta[hit] = z[hit] > theta[hit] ? ub[hit] : -ub[hit]
      fixed[hit] = 1
      // any other free variable that landed on a bound is fixed too
      for (let a = 0; a < nFree; a++) {
        const j = free[a]
        if (theta[j] === ub[j] || theta[j] === -ub[j]) fixed[j] = 1
      }
      if (solves >= maxSolves) return solves
    }
    // KKT: a variable fixed at a bound must have its gradient pushing outward
    let gmax = 0
    for (let j = 0; j < p; j++) {
      let v = -g[j]
      for (let k = 0; k < p; k++) v += G[j * p + k] * theta[k]
      grad[j] = v
      gmax = Math.max(gmax, Math.abs(g[j]))
    }
    const tol = 1e-13 * (gmax + scaleG * maxAbs(theta, p))
    let release = -1
    let worst = tol
    for (let j = 0; j < p; j++) {
      if (!fixed[j]) continue
      // KKT at the upper bound: grad ≤ 0; at the lower bound: grad ≥ 0
      const wrong = theta[j] >= ub[j] ? grad[j] : -grad[j]
      if (wrong > worst) {
        worst = wrong
        release = j
      }
    }
    if (release < 0 || solves >= maxSolves) return solves
    fixed[release] = 0
  }
}

function maxAbs(x: Float64Array, p: number): number {
  let m = 0
  for (let j = 0; j < p; j++) m = Math.max(m, Math.abs(x[j]))
  return m
}

/** ‖Xθ − y‖² from the Gram data: θᵀGθ − 2θᵀg + yᵀy (g = Xᵀy). */
export function residualNormSq(G: Float64Array, g: Float64Array, yy: number, p: number, theta: Float64Array): number {
  let quad = 0
  let lin = 0
  for (let j = 0; j < p; j++) {
    let v = 0
    for (let k = 0; k < p; k++) v += G[j * p + k] * theta[k]
    quad += theta[j] * v
    lin += theta[j] * g[j]
  }
  return Math.max(0, quad - 2 * lin + yy)
}
