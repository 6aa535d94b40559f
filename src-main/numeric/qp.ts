/**
 * Small dense convex quadratic programs
 *
 *   minimise ½·xᵀPx + qᵀx   subject to   l ≤ A·x ≤ u      (P ⪰ 0, n×n; A m×n; l_i = u_i for equalities)
 *
 * by the ADMM of OSQP (Stellato, Banjac, Goulart, Bemporad & Boyd, "OSQP: an operator splitting
 * solver for quadratic programs", Math. Prog. Comput. 12, 2020: Alg. 1 with step-size
 * adaptation §5.2 and solution polishing §5.4), with dense Cholesky for the linear system. The
 * polish step solves the equality-constrained QP on the identified active set, so on
 * non-degenerate problems the answer is exact to rounding (≈1e-12), not to the ADMM tolerance.
 *
 * Also: exact Euclidean projections onto the box and the simplex, and the SVM dual as a helper.
 */
import { choleskySolve, cholesky, solve } from './linalg'

export interface QuadraticProgram {
  n: number
  /** n×n symmetric positive semidefinite, row-major. */
  P: Float64Array
  q: Float64Array
  /** Number of constraint rows (0 for an unconstrained QP). */
  m?: number
  /** m×n constraint matrix, row-major. */
  A?: Float64Array
  /** Lower bounds (−Infinity allowed), length m. */
  l?: Float64Array
  /** Upper bounds (+Infinity allowed), length m. */
  u?: Float64Array
}

export interface QPOptions {
  maxIter?: number
  /** Absolute and relative tolerances on the ∞-norm residuals (OSQP eq. 24). */
  epsAbs?: number
  epsRel?: number
  /** Initial ADMM step size ρ (equality rows use 1e3·ρ, as in OSQP). */
  rho?: number
  /** Over-relaxation α ∈ (0, 2). */
  alpha?: number
  /** Solve the KKT system on the detected active set at the end (default true). */
  polish?: boolean
  /** Warm start. */
  x0?: Float64Array
  y0?: Float64Array
}

export interface QPResult {
  x: Float64Array
  /** Constraint multipliers: y_i < 0 at an active lower bound, > 0 at an active upper bound. */
  y: Float64Array
  objective: number
  status: 'solved' | 'max_iter'
  iterations: number
  /** ‖A·x − Π(A·x)‖∞ after polishing: the constraint violation. */
  primalResidual: number
  /** ‖P·x + q + Aᵀ·y‖∞: the stationarity residual. */
  dualResidual: number
  polished: boolean
}

const SIGMA = 1e-6
const RHO_MIN = 1e-6
const RHO_MAX = 1e6

function infNorm(x: Float64Array): number {
  let s = 0
  for (let i = 0; i < x.length; i++) s = Math.max(s, Math.abs(x[i]))
  return s
}

function matVec(M: Float64Array, rows: number, cols: number, x: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < rows; i++) {
    let s = 0
    for (let j = 0; j < cols; j++) s += M[i * cols + j] * x[j]
    out[i] = s
  }
  return out
}

function matTVec(M: Float64Array, rows: number, cols: number, y: Float64Array, out: Float64Array): Float64Array {
  out.fill(0)
  for (let i = 0; i < rows; i++) {
    const yi = y[i]
    if (yi === 0) continue
    for (let j = 0; j < cols; j++) out[j] += M[i * cols + j] * yi
  }
  return out
}

/** ½xᵀPx + qᵀx. */
export function qpObjective(qp: QuadraticProgram, x: Float64Array): number {
  const Px = matVec(qp.P, qp.n, qp.n, x, new Float64Array(qp.n))
  let s = 0
  for (let i = 0; i < qp.n; i++) s += x[i] * (0.5 * Px[i] + qp.q[i])
  return s
}

/** Solve a convex QP by OSQP-style ADMM with polishing. */
export function solveQP(qp: QuadraticProgram, opts: QPOptions = {}): QPResult {
  const n = qp.n
  const m = qp.m ?? 0
  const A = qp.A ?? new Float64Array(0)
  const l = qp.l ?? new Float64Array(m).fill(-Infinity)
  const u = qp.u ?? new Float64Array(m).fill(Infinity)
  if (qp.P.length < n * n || qp.q.length < n) throw new RangeError('solveQP: P or q too short for n')
  if (A.length < m * n || l.length < m || u.length < m) throw new RangeError('solveQP: A, l or u too short for m×n')
  for (let i = 0; i < m; i++) if (l[i] > u[i]) throw new RangeError(`solveQP: l[${i}] = ${l[i]} > u[${i}] = ${u[i]}`)
  const maxIter = opts.maxIter ?? 20000
  const epsAbs = opts.epsAbs ?? 1e-9
  const epsRel = opts.epsRel ?? 1e-9
  const alpha = opts.alpha ?? 1.6
  let rho = opts.rho ?? 0.1

  // Per-row step sizes: rows with l = u are equalities (OSQP §5.2); free rows get RHO_MIN.
  const rhoVec = new Float64Array(m)
  const setRho = (r: number) => {
    for (let i = 0; i < m; i++) {
      if (l[i] === -Infinity && u[i] === Infinity) rhoVec[i] = RHO_MIN
      else if (l[i] === u[i]) rhoVec[i] = 1e3 * r
      else rhoVec[i] = r
    }
  }
  // K = P + σI + Aᵀ·diag(ρ)·A, factored by Cholesky (positive definite since σ > 0).
  let L: Float64Array
  const factor = () => {
    const K = qp.P.slice(0, n * n)
    for (let i = 0; i < n; i++) K[i * n + i] += SIGMA
    for (let r = 0; r < m; r++) {
      const rr = rhoVec[r]
      const row = r * n
      for (let i = 0; i < n; i++) {
        const a = rr * A[row + i]
        if (a === 0) continue
        for (let j = 0; j < n; j++) K[i * n + j] += a * A[row + j]
      }
    }
    L = cholesky(K, n)
  }
  setRho(rho)
  factor()

  const x = opts.x0 ? opts.x0.slice(0, n) : new Float64Array(n)
  const y = opts.y0 ? opts.y0.slice(0, m) : new Float64Array(m)
  const z = matVec(A, m, n, x, new Float64Array(m))
  for (let i = 0; i < m; i++) z[i] = Math.min(Math.max(z[i], l[i]), u[i])
  const rhs = new Float64Array(n)
  const tmp = new Float64Array(m)
  const Ax = new Float64Array(m)
  const Px = new Float64Array(n)
  const Aty = new Float64Array(n)
  let iterations = 0
  let status: QPResult['status'] = 'max_iter'
  for (let k = 1; k <= maxIter; k++) {
    iterations = k
    // x̃ = K⁻¹(σx − q + Aᵀ(ρ∘z − y));  z̃ = A·x̃.
    for (let i = 0; i < m; i++) tmp[i] = rhoVec[i] * z[i] - y[i]
    matTVec(A, m, n, tmp, rhs)
    for (let i = 0; i < n; i++) rhs[i] += SIGMA * x[i] - qp.q[i]
    const xt = choleskySolve(L!, rhs, n)
    const zt = matVec(A, m, n, xt, tmp)
    for (let i = 0; i < n; i++) x[i] = alpha * xt[i] + (1 - alpha) * x[i]
    for (let i = 0; i < m; i++) {
      const zr = alpha * zt[i] + (1 - alpha) * z[i]
      const zNew = Math.min(Math.max(zr + y[i] / rhoVec[i], l[i]), u[i])
      y[i] += rhoVec[i] * (zr - zNew)
      z[i] = zNew
    }
    if (k % 10 !== 0 && k !== maxIter) continue
    // Residuals and stopping rule (OSQP eqs. 23–24).
    matVec(A, m, n, x, Ax)
    matVec(qp.P, n, n, x, Px)
    matTVec(A, m, n, y, Aty)
    let rPrim = 0
    for (let i = 0; i < m; i++) rPrim = Math.max(rPrim, Math.abs(Ax[i] - z[i]))
    let rDual = 0
    for (let i = 0; i < n; i++) rDual = Math.max(rDual, Math.abs(Px[i] + qp.q[i] + Aty[i]))
    const primScale = Math.max(infNorm(Ax), infNorm(z))
    const dualScale = Math.max(infNorm(Px), infNorm(Aty), infNorm(qp.q))
    if (rPrim <= epsAbs + epsRel * primScale && rDual <= epsAbs + epsRel * dualScale) {
      status = 'solved'
      break
    }
    // Step-size adaptation (OSQP eq. 30), refactoring only on a change by more than 5×.
    if (k % 50 === 0 && m > 0) {
      const ratio = Math.sqrt((rPrim / Math.max(primScale, 1e-30)) / Math.max(rDual / Math.max(dualScale, 1e-30), 1e-30))
      const newRho = Math.min(Math.max(rho * ratio, RHO_MIN), RHO_MAX)
      if (newRho > 5 * rho || newRho < rho / 5) {
        rho = newRho
        setRho(rho)
        factor()
      }
    }
  }
  let result: QPResult = finish(qp, A, l, u, x, y, status, iterations, false)
  if (opts.polish ?? true) {
    const polished = polish(qp, A, l, u, z, y)
    if (polished) {
      const candidate = finish(qp, A, l, u, polished.x, polished.y, status, iterations, true)
      const tol = 1e-9 * Math.max(1, infNorm(qp.q), infNorm(qp.P))
      // Accept the polished point when it is feasible and at least as stationary (OSQP §5.4).
      if (candidate.primalResidual <= Math.max(tol, result.primalResidual) && candidate.dualResidual <= Math.max(tol, result.dualResidual)) {
        candidate.status = 'solved'
        result = candidate
      }
    }
  }
  return result
}

function finish(qp: QuadraticProgram, A: Float64Array, l: Float64Array, u: Float64Array, x: Float64Array, y: Float64Array, status: QPResult['status'], iterations: number, polished: boolean): QPResult {
  const n = qp.n
  const m = l.length
  const Ax = matVec(A, m, n, x, new Float64Array(m))
  let primalResidual = 0
  for (let i = 0; i < m; i++) primalResidual = Math.max(primalResidual, l[i] - Ax[i], Ax[i] - u[i])
  const g = matVec(qp.P, n, n, x, new Float64Array(n))
  const Aty = matTVec(A, m, n, y, new Float64Array(n))
  let dualResidual = 0
  for (let i = 0; i < n; i++) dualResidual = Math.max(dualResidual, Math.abs(g[i] + qp.q[i] + Aty[i]))
  return { x: x.slice(), y: y.slice(), objective: qpObjective(qp, x), status, iterations, primalResidual, dualResidual, polished }
}

/**
 * Polishing (OSQP §5.4): guess the active set from the ADMM iterate (lower-active where
 * z_i − l_i < −y_i, upper-active where u_i − z_i < y_i), then solve the KKT system of the
 * equality-constrained QP on it exactly. Returns null when the system is singular or the
 * multipliers come out with the wrong sign.
 */
function polish(qp: QuadraticProgram, A: Float64Array, l: Float64Array, u: Float64Array, z: Float64Array, y: Float64Array): { x: Float64Array; y: Float64Array } | null {
  const n = qp.n
  const m = l.length
  const active: number[] = []
  const bound: number[] = []
  const side: number[] = [] // −1 lower, +1 upper, 0 equality
  for (let i = 0; i < m; i++) {
    if (l[i] === u[i]) {
      active.push(i)
      bound.push(l[i])
      side.push(0)
    } else if (z[i] - l[i] < -y[i]) {
      active.push(i)
      bound.push(l[i])
      side.push(-1)
    } else if (u[i] - z[i] < y[i]) {
      active.push(i)
      bound.push(u[i])
      side.push(1)
    }
  }
  const k = active.length
  const N = n + k
  // [P  A_Aᵀ; A_A  0]·[x; y_A] = [−q; b_A].
  const K = new Float64Array(N * N)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) K[i * N + j] = qp.P[i * n + j]
  for (let a = 0; a < k; a++) {
    const row = active[a] * n
    for (let j = 0; j < n; j++) {
      K[(n + a) * N + j] = A[row + j]
      K[j * N + n + a] = A[row + j]
    }
  }
  const rhs = new Float64Array(N)
  for (let i = 0; i < n; i++) rhs[i] = -qp.q[i]
  for (let a = 0; a < k; a++) rhs[n + a] = bound[a]
  let sol: Float64Array
  try {
    sol = solve(K, rhs, N)
  } catch {
    return null
  }
  for (let i = 0; i < N; i++) if (!Number.isFinite(sol[i])) return null
  const yOut = new Float64Array(m)
  for (let a = 0; a < k; a++) {
    const v = sol[n + a]
    if ((side[a] === -1 && v > 1e-12) || (side[a] === 1 && v < -1e-12)) return null
    yOut[active[a]] = v
  }
  return { x: sol.slice(0, n), y: yOut }
}

/** Euclidean projection onto the box [lo, hi] (scalars or per-coordinate arrays). */
export function projectBox(v: Float64Array, lo: number | Float64Array, hi: number | Float64Array, out: Float64Array = new Float64Array(v.length)): Float64Array {
  for (let i = 0; i < v.length; i++) {
    const a = typeof lo === 'number' ? lo : lo[i]
    const b = typeof hi === 'number' ? hi : hi[i]
    out[i] = Math.min(Math.max(v[i], a), b)
  }
  return out
}

/**
 * Euclidean projection onto the simplex {x ≥ 0, Σx = radius} by sorting (Held, Wolfe &
 * Crowder 1974; Duchi et al., ICML 2008, Fig. 1): O(n log n), exact up to rounding.
 */
export function projectSimplex(v: Float64Array, radius = 1, out: Float64Array = new Float64Array(v.length)): Float64Array {
  if (!(radius > 0)) throw new RangeError(`projectSimplex: radius must be positive, got ${radius}`)
  const s = Float64Array.from(v).sort().reverse()
  let cumulative = 0
  let theta = 0
  for (let j = 0; j < s.length; j++) {
    cumulative += s[j]
    const t = (cumulative - radius) / (j + 1)
    if (s[j] - t > 0) theta = t
  }
  for (let i = 0; i < v.length; i++) out[i] = Math.max(v[i] - theta, 0)
  return out
}

/**
 * The soft-margin SVM dual (Cortes & Vapnik 1995): maximise Σα − ½ΣΣ α_i α_j y_i y_j K_ij
 * subject to 0 ≤ α ≤ C and yᵀα = 0, for a Gram matrix K (N×N) and labels ±1. Returns the dual
 * variables and the bias b from the free support vectors (0 < α < C), averaged.
 */
export function svmDual(K: Float64Array, labels: ArrayLike<number>, C: number, opts: QPOptions = {}): { alpha: Float64Array; bias: number; result: QPResult } {
  const N = labels.length
  const P = new Float64Array(N * N)
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) P[i * N + j] = labels[i] * labels[j] * K[i * N + j]
  const q = new Float64Array(N).fill(-1)
  // Rows: N box rows (identity) and one equality row yᵀα = 0.
  const m = N + 1
  const A = new Float64Array(m * N)
  const l = new Float64Array(m)
  const u = new Float64Array(m)
  for (let i = 0; i < N; i++) {
    A[i * N + i] = 1
    l[i] = 0
    u[i] = C
    A[N * N + i] = labels[i]
  }
  const result = solveQP({ n: N, P, q, m, A, l, u }, opts)
  const alpha = result.x
  // b = y_i − Σ_j α_j y_j K_ij over free support vectors.
  let bias = 0
  let count = 0
  const tol = 1e-8 * Math.max(C === Infinity ? 1 : C, 1)
  for (let i = 0; i < N; i++) {
    if (alpha[i] > tol && alpha[i] < C - tol) {
      let s = 0
      for (let j = 0; j < N; j++) s += alpha[j] * labels[j] * K[i * N + j]
      bias += labels[i] - s
      count++
    }
  }
  return { alpha, bias: count ? bias / count : NaN, result }
}
