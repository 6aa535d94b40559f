/**
 * The perturbed unconstrained-features model of Tirer, Huang & Niles-Weed (2023), Eq. (2):
 *   f(W, H; H0) = 1/(2Kn)‖WH − Y‖²_F + lW/(2K)‖W‖²_F + lH/(2Kn)‖H‖²_F + β/(2Kn)‖H − H0‖²_F,
 * with K classes of n samples, W ∈ ℝ^{K×d}, H, H0 ∈ ℝ^{d×Kn}, Y = I_K ⊗ 1_nᵀ.
 *
 * Storage is column-stacked throughout, so that vec(·) is the storage itself: H[i·d + r] = H_{r,i}
 * (column i is the feature of sample i; class k owns columns k·n … (k+1)·n − 1, i.e. the
 * contiguous slice k·n·d … (k+1)·n·d − 1), and W[a·K + k] = W_{k,a} (which is Wᵀ row-major, d×K).
 */

export interface NcSizes {
  K: number
  n: number
  d: number
}

export interface NcReg {
  lW: number
  lH: number
}

/** Class of column i. */
export const classOf = (i: number, n: number): number => Math.floor(i / n)

/** Small dense SPD solver with preallocated storage (d is 10 here: called ~10⁴ times in the flow). */
export class SmallCholesky {
  private readonly L: Float64Array
  constructor(readonly m: number) {
    this.L = new Float64Array(m * m)
  }

  /** Factor the SPD m×m matrix A (row-major; only the lower triangle is read). */
  factor(A: Float64Array): void {
    const { m, L } = this
    for (let j = 0; j < m; j++) {
      let s = A[j * m + j]
      for (let p = 0; p < j; p++) s -= L[j * m + p] * L[j * m + p]
      if (!(s > 0)) throw new Error(`SmallCholesky: matrix not positive definite (pivot ${j} is ${s})`)
      const ljj = Math.sqrt(s)
      L[j * m + j] = ljj
      for (let i = j + 1; i < m; i++) {
        let t = A[i * m + j]
        for (let p = 0; p < j; p++) t -= L[i * m + p] * L[j * m + p]
        L[i * m + j] = t / ljj
      }
    }
  }

  /** Solve A x = b in place for `count` right-hand sides stored as contiguous length-m vectors from `offset`. */
  solveVectors(X: Float64Array, count: number, offset = 0): void {
    const { m, L } = this
    for (let c = 0; c < count; c++) {
      const o = offset + c * m
      for (let i = 0; i < m; i++) {
        let s = X[o + i]
        for (let p = 0; p < i; p++) s -= L[i * m + p] * X[o + p]
        X[o + i] = s / L[i * m + i]
      }
      for (let i = m - 1; i >= 0; i--) {
        let s = X[o + i]
        for (let p = i + 1; p < m; p++) s -= L[p * m + i] * X[o + p]
        X[o + i] = s / L[i * m + i]
      }
    }
  }
}

/**
 * The central-path classifier W*(H) = Y Hᵀ (H Hᵀ + n·lW·I_d)⁻¹ (the minimiser of f over W for
 * fixed H), written into W (column-stacked, i.e. Wᵀ as d×K). `work` holds d×d + d×K scratch.
 * As d-vectors: column k of Wᵀ solves (HHᵀ + n lW I) x = Σ_{i∈k} h_i.
 */
export function optimalW(H: Float64Array, s: NcSizes, lW: number, chol: SmallCholesky, G: Float64Array, W: Float64Array): void {
  const { K, n, d } = s
  const N = K * n
  G.fill(0)
  for (let i = 0; i < N; i++) {
    const o = i * d
    for (let r = 0; r < d; r++) {
      const hr = H[o + r]
      for (let q = 0; q <= r; q++) G[r * d + q] += hr * H[o + q]
    }
  }
  for (let r = 0; r < d; r++) G[r * d + r] += n * lW
  chol.factor(G)
  // X as K contiguous d-vectors (class sums), then transposed into W[a·K + k]
  const X = G.subarray(d * d, d * d + K * d)
  X.fill(0)
  for (let i = 0; i < N; i++) {
    const k = classOf(i, n)
    for (let r = 0; r < d; r++) X[k * d + r] += H[i * d + r]
  }
  chol.solveVectors(X, K, 0)
  for (let k = 0; k < K; k++) for (let a = 0; a < d; a++) W[a * K + k] = X[k * d + a]
}

/** E = W H − Y (column-stacked, E[i·K + k]). */
export function residual(W: Float64Array, H: Float64Array, s: NcSizes, E: Float64Array): void {
  const { K, n, d } = s
  const N = K * n
  for (let i = 0; i < N; i++) {
    const ho = i * d
    const eo = i * K
    for (let k = 0; k < K; k++) E[eo + k] = 0
    for (let a = 0; a < d; a++) {
      const h = H[ho + a]
      const wo = a * K
      for (let k = 0; k < K; k++) E[eo + k] += W[wo + k] * h
    }
    E[eo + classOf(i, n)] -= 1
  }
}

/** f(W, H; H0) of Eq. (2). */
export function objective(W: Float64Array, H: Float64Array, H0: Float64Array, s: NcSizes, reg: NcReg, beta: number, E: Float64Array): number {
  const { K, n } = s
  const c = 1 / (K * n)
  residual(W, H, s, E)
  let e2 = 0
  for (let i = 0; i < E.length; i++) e2 += E[i] * E[i]
  let w2 = 0
  for (let i = 0; i < W.length; i++) w2 += W[i] * W[i]
  let h2 = 0
  let dh2 = 0
  for (let i = 0; i < H.length; i++) {
    h2 += H[i] * H[i]
    dh2 += (H[i] - H0[i]) ** 2
  }
  return 0.5 * c * e2 + (reg.lW / (2 * K)) * w2 + 0.5 * c * reg.lH * h2 + 0.5 * c * beta * dh2
}

/**
 * The exact gradient: ∇_W f = (1/(Kn))(WH − Y)Hᵀ + (lW/K)W and
 * ∇_H f = (1/(Kn))[Wᵀ(WH − Y) + lH·H + β(H − H0)], both column-stacked.
 */
export function gradient(
  W: Float64Array,
  H: Float64Array,
  H0: Float64Array,
  s: NcSizes,
  reg: NcReg,
  beta: number,
  E: Float64Array,
  gW: Float64Array,
  gH: Float64Array,
): void {
  const { K, n, d } = s
  const N = K * n
  const c = 1 / (K * n)
  residual(W, H, s, E)
  for (let a = 0; a < d; a++) for (let k = 0; k < K; k++) gW[a * K + k] = (reg.lW / K) * W[a * K + k]
  for (let i = 0; i < N; i++) {
    for (let a = 0; a < d; a++) {
      const h = H[i * d + a]
      let s2 = 0
      for (let k = 0; k < K; k++) {
        gW[a * K + k] += c * E[i * K + k] * h
        s2 += W[a * K + k] * E[i * K + k]
      }
      gH[i * d + a] = c * (s2 + reg.lH * h + beta * (h - H0[i * d + a]))
    }
  }
}

/**
 * The exact Hessian of f at (W, H) over x = (vec W, vec H), both column-stacked (length
 * Kd + dKn), row-major. With c = 1/(Kn) and E = WH − Y:
 *   ∂²f/∂W_{ka}∂W_{k'b} = δ_{kk'}(c(HHᵀ)_{ab} + (lW/K)δ_{ab}),
 *   ∂²f/∂H_{ri}∂H_{sj} = δ_{ij}(c(WᵀW)_{rs} + c(lH + β)δ_{rs}),
 *   ∂²f/∂W_{ka}∂H_{rj} = c(W_{kr}H_{aj} + E_{kj}δ_{ar}).
 */
export function hessian(W: Float64Array, H: Float64Array, s: NcSizes, reg: NcReg, beta: number): Float64Array {
  const { K, n, d } = s
  const N = K * n
  const c = 1 / N
  const nW = K * d
  const M = nW + d * N
  const A = new Float64Array(M * M)
  const E = new Float64Array(K * N)
  residual(W, H, s, E)
  // WW block
  const HHt = new Float64Array(d * d)
  for (let i = 0; i < N; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) HHt[a * d + b] += H[i * d + a] * H[i * d + b]
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      for (let k = 0; k < K; k++) A[(a * K + k) * M + (b * K + k)] = c * HHt[a * d + b] + (a === b ? reg.lW / K : 0)
    }
  }
  // HH block
  const WtW = new Float64Array(d * d)
  for (let r = 0; r < d; r++) for (let q = 0; q < d; q++) for (let k = 0; k < K; k++) WtW[r * d + q] += W[r * K + k] * W[q * K + k]
  for (let i = 0; i < N; i++) {
    for (let r = 0; r < d; r++) {
      for (let q = 0; q < d; q++) {
        A[(nW + i * d + r) * M + (nW + i * d + q)] = c * WtW[r * d + q] + (r === q ? c * (reg.lH + beta) : 0)
      }
    }
  }
  // WH blocks (and their transposes)
  for (let a = 0; a < d; a++) {
    for (let k = 0; k < K; k++) {
      const row = a * K + k
      for (let j = 0; j < N; j++) {
        for (let r = 0; r < d; r++) {
          const col = nW + j * d + r
          const v = c * (W[r * K + k] * H[j * d + a] + (a === r ? E[j * K + k] : 0))
          A[row * M + col] = v
          A[col * M + row] = v
        }
      }
    }
  }
  return A
}

/** ρ = (1 − √(lH·lW))·√(lW/lH) of Theorem 2.1 (needs lH·lW < 1). */
export function collapseRho(reg: NcReg): number {
  return (1 - Math.sqrt(reg.lH * reg.lW)) * Math.sqrt(reg.lW / reg.lH)
}

/**
 * Theorem 2.1's collapsed minimiser for a d×K matrix R with orthonormal columns (row-major):
 * H* = √ρ·R ⊗ 1_nᵀ and W* = √(lH/lW)·√ρ·Rᵀ, both column-stacked.
 */
export function collapsedMinimiser(R: Float64Array, s: NcSizes, reg: NcReg): { W: Float64Array; H: Float64Array } {
  const { K, n, d } = s
  const sr = Math.sqrt(collapseRho(reg))
  const H = new Float64Array(d * K * n)
  for (let i = 0; i < K * n; i++) {
    const k = classOf(i, n)
    for (let r = 0; r < d; r++) H[i * d + r] = sr * R[r * K + k]
  }
  const W = new Float64Array(K * d)
  const sw = Math.sqrt(reg.lH / reg.lW) * sr
  // W = sw·Rᵀ, W_{k,a} = sw·R_{a,k}, stored at a·K + k
  for (let a = 0; a < d; a++) for (let k = 0; k < K; k++) W[a * K + k] = sw * R[a * K + k]
  return { W, H }
}
