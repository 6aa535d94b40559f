/**
 * SOR on the shifted 5-point Laplacian A = delsq(numgrid('S', N + 2)) + c·I (N×N interior grid,
 * n = N², diagonal 4 + c), matrix-free, in the residual-correction form of `solvers/sor.m` in
 * mkhodak/learning-to-relax:
 *
 *   x ← x + (D/ω + L)⁻¹ (b − A x),   stop when ‖b − A x‖ / ‖b − A x0‖ < tol,  x0 = 0,
 *
 * with an explicit residual after every sweep; the cost is the number of sweeps (capped at
 * maxIterations, which is what `sor.m` returns when it never converges).
 *
 * Grid ordering: node (p, q), p, q = 0..N−1, has index i = p + N·q (numgrid numbers the square
 * column by column), so its neighbours are i ± 1 within a column and i ± N across columns.
 */

/**
 * Scratch vectors for one SOR solve (no allocation in the sweep loop), on the grid padded with
 * a ring of zeros (stride N + 2), so the 5-point stencil needs no boundary branches; adding or
 * subtracting those zeros is exact, so the result is bit-identical to the branching loop.
 */
export interface SorWorkspace {
  readonly N: number
  readonly x: Float64Array
  readonly r: Float64Array
  readonly delta: Float64Array
  readonly b: Float64Array
}

export function sorWorkspace(N: number): SorWorkspace {
  const S = N + 2
  const m = S * S
  return { N, x: new Float64Array(m), r: new Float64Array(m), delta: new Float64Array(m), b: new Float64Array(m) }
}

/** y = A x for A = 5-point Laplacian + c·I (diagonal 4 + c, off-diagonals −1). */
export function applyShiftedLaplacian(N: number, c: number, x: Float64Array, y: Float64Array): void {
  const d = 4 + c
  for (let q = 0; q < N; q++) {
    for (let p = 0; p < N; p++) {
      const i = p + N * q
      let s = d * x[i]
      if (p > 0) s -= x[i - 1]
      if (p < N - 1) s -= x[i + 1]
      if (q > 0) s -= x[i - N]
      if (q < N - 1) s -= x[i + N]
      y[i] = s
    }
  }
}

/**
 * Number of SOR sweeps `sor.m` needs on (A0 + c·I) x = b from x0 = 0 (its first output `k`).
 * One sweep: δ = (D/ω + L)⁻¹ r by forward substitution, x += δ, r = b − A x (explicit), then
 * the relative residual test ‖r‖/‖r0‖ < tol. Returns maxIterations when the test never passes.
 */
export function sorIterations(
  ws: SorWorkspace,
  c: number,
  omega: number,
  b: Float64Array,
  tol: number,
  maxIterations: number,
): number {
  const { N, x, r, delta } = ws
  const bp = ws.b
  const S = N + 2
  const d = 4 + c
  const mDiag = d / omega // the diagonal of M = D/ω + L
  x.fill(0)
  r.fill(0)
  delta.fill(0)
  bp.fill(0)
  let norm0sq = 0
  for (let q = 0; q < N; q++) {
    for (let p = 0; p < N; p++) {
      const v = b[p + N * q]
      const i = p + 1 + S * (q + 1)
      bp[i] = v
      r[i] = v // r0 = b − A·0
      norm0sq += v * v
    }
  }
  const norm0 = Math.sqrt(norm0sq)
  for (let k = 1; k <= maxIterations; k++) {
    // forward substitution M δ = r (L has −1 at the lower neighbours), then x += δ
    for (let q = 1; q <= N; q++) {
      const end = q * S + N
      for (let i = q * S + 1; i <= end; i++) {
        const di = (r[i] + delta[i - 1] + delta[i - S]) / mDiag
        delta[i] = di
        x[i] += di
      }
    }
    // explicit residual r = b − A x and its norm
    let rr = 0
    for (let q = 1; q <= N; q++) {
      const end = q * S + N
      for (let i = q * S + 1; i <= end; i++) {
        const ri = bp[i] - (d * x[i] - x[i - 1] - x[i + 1] - x[i - S] - x[i + S])
        r[i] = ri
        rr += ri * ri
      }
    }
    if (Math.sqrt(rr) / norm0 < tol) return k
  }
  return maxIterations
}

/** ρ of the Jacobi matrix I − D⁻¹A for this grid: 4·cos(π/(N+1))/(4 + c) (`rho_jacobi.m` in closed form). */
export function jacobiRadius(N: number, c: number): number {
  return (4 * Math.cos(Math.PI / (N + 1))) / (4 + c)
}

/** The asymptotically optimal relaxation ω*(A) = 1 + (β/(1 + √(1 − β²)))² (`omega_opt.m`; Young). */
export function omegaOptimal(N: number, c: number): number {
  const beta = jacobiRadius(N, c)
  const f = beta / (1 + Math.sqrt(1 - beta * beta))
  return 1 + f * f
}

/**
 * Spectral radius of the SOR iteration matrix for a consistently ordered matrix with Jacobi
 * radius β (Young's theorem): ω − 1 for ω ≥ ω*, else ((ωβ + √(ω²β² − 4(ω − 1)))/2)².
 */
export function sorRadius(beta: number, omega: number): number {
  const disc = omega * omega * beta * beta - 4 * (omega - 1)
  if (disc <= 0) return omega - 1
  const s = (omega * beta + Math.sqrt(disc)) / 2
  return s * s
}

/**
 * A real eigenvector of the residual iteration matrix C = I − A(D/ω + L)⁻¹ for the eigenvalue
 * 1 − ω (the `degenerate.m` experiment's right-hand side, reconstructed in closed form).
 * Take the Jacobi eigenvector z_(p,q) = sin((p+1)jπ/(N+1))·sin((q+1)kπ/(N+1)) with j + k = N + 1
 * (Jacobi eigenvalue μ = 0). For a consistently ordered matrix, w = s^level ∘ z with s = √λ,
 * level = p + q, is an eigenvector of the error matrix I − M⁻¹A for λ = 1 − ω; its real part
 * keeps the even levels with sign (−1)^(level/2) and weight (ω − 1)^(level/2), and A·Re(w) is
 * the residual-space eigenvector. Returned with unit norm.
 */
export function degenerateRhs(N: number, c: number, omega: number, j = 1): Float64Array {
  const n = N * N
  const k = N + 1 - j
  const w = new Float64Array(n)
  for (let q = 0; q < N; q++) {
    for (let p = 0; p < N; p++) {
      const level = p + q
      if (level % 2 !== 0) continue
      const sign = (level / 2) % 2 === 0 ? 1 : -1
      const z = Math.sin(((p + 1) * j * Math.PI) / (N + 1)) * Math.sin(((q + 1) * k * Math.PI) / (N + 1))
      w[p + N * q] = sign * Math.pow(omega - 1, level / 2) * z
    }
  }
  const b = new Float64Array(n)
  applyShiftedLaplacian(N, c, w, b)
  let s = 0
  for (let i = 0; i < n; i++) s += b[i] * b[i]
  s = Math.sqrt(s)
  for (let i = 0; i < n; i++) b[i] /= s
  return b
}

/** One application of C = I − A(D/ω + L)⁻¹ to a residual vector: out = r − A M⁻¹ r. */
export function applyResidualIteration(
  N: number,
  c: number,
  omega: number,
  r: Float64Array,
  out: Float64Array,
  scratch: Float64Array,
): void {
  const mDiag = (4 + c) / omega
  for (let q = 0; q < N; q++) {
    for (let p = 0; p < N; p++) {
      const i = p + N * q
      let s = r[i]
      if (p > 0) s += scratch[i - 1]
      if (q > 0) s += scratch[i - N]
      scratch[i] = s / mDiag
    }
  }
  applyShiftedLaplacian(N, c, scratch, out)
  for (let i = 0; i < N * N; i++) out[i] = r[i] - out[i]
}

/** One application of Cᵀ = I − (D/ω + U)⁻¹ A (A symmetric) to a vector: out = r − M⁻ᵀ A r. */
export function applyResidualIterationTransposed(
  N: number,
  c: number,
  omega: number,
  r: Float64Array,
  out: Float64Array,
  scratch: Float64Array,
): void {
  const mDiag = (4 + c) / omega
  applyShiftedLaplacian(N, c, r, scratch)
  // backward substitution with Mᵀ = D/ω + U (U has −1 at the upper neighbours i + 1, i + N)
  for (let q = N - 1; q >= 0; q--) {
    for (let p = N - 1; p >= 0; p--) {
      const i = p + N * q
      let s = scratch[i]
      if (p < N - 1) s += out[i + 1]
      if (q < N - 1) s += out[i + N]
      out[i] = s / mDiag
    }
  }
  for (let i = 0; i < N * N; i++) out[i] = r[i] - out[i]
}

/**
 * ‖C^p‖₂ for C = I − A(D/ω + L)⁻¹, by power iteration on (Cᵀ)^p C^p from a given start vector
 * (matrix-free: 2p sweeps per power step). Returns the estimate after `steps` power steps.
 */
export function residualIterationPowerNorm(
  N: number,
  c: number,
  omega: number,
  p: number,
  start: Float64Array,
  steps: number,
): number {
  const n = N * N
  let v = Float64Array.from(start)
  let w = new Float64Array(n)
  const scratch = new Float64Array(n)
  const normalise = (x: Float64Array) => {
    let s = 0
    for (let i = 0; i < n; i++) s += x[i] * x[i]
    s = Math.sqrt(s)
    for (let i = 0; i < n; i++) x[i] /= s
    return s
  }
  normalise(v)
  let sigma = 0
  for (let it = 0; it < steps; it++) {
    for (let k = 0; k < p; k++) {
      applyResidualIteration(N, c, omega, v, w, scratch)
      ;[v, w] = [w, v]
    }
    // ‖C^p v‖ with ‖v‖ = 1 is a lower bound on ‖C^p‖ that the power iteration drives up to it
    let s = 0
    for (let i = 0; i < n; i++) s += v[i] * v[i]
    sigma = Math.max(sigma, Math.sqrt(s))
    for (let k = 0; k < p; k++) {
      applyResidualIterationTransposed(N, c, omega, v, w, scratch)
      ;[v, w] = [w, v]
    }
    normalise(v)
  }
  return sigma
}
