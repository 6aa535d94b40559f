/**
 * Within- and between-class statistics of a feature matrix H (column-stacked, d × Kn, class k
 * owning columns k·n … (k+1)·n − 1), as the paper defines them (§2):
 *   μ_k = (1/n)Σ_{i∈k} h_i,  μ_G = (1/K)Σ_k μ_k,
 *   Σ_W = (1/(Kn))Σ_k Σ_{i∈k}(h_i − μ_k)(h_i − μ_k)ᵀ,  Σ_B = (1/K)Σ_k(μ_k − μ_G)(μ_k − μ_G)ᵀ,
 *   NC1~ = Tr Σ_W / Tr Σ_B (the theorems' quantity),  NC1 = Tr(Σ_W Σ_B^†)/K (the experiments').
 */
import { symEig } from '../../numeric/linalg'
import type { NcSizes } from './model'

export interface CollapseStats {
  trSw: number
  trSb: number
  nc1Tilde: number
  nc1: number
}

export class CollapseMeter {
  private readonly mu: Float64Array
  private readonly muG: Float64Array
  private readonly Sw: Float64Array
  private readonly Sb: Float64Array

  constructor(readonly s: NcSizes) {
    this.mu = new Float64Array(s.K * s.d)
    this.muG = new Float64Array(s.d)
    this.Sw = new Float64Array(s.d * s.d)
    this.Sb = new Float64Array(s.d * s.d)
  }

  /** Traces only (cheap): Tr Σ_W, Tr Σ_B and NC1~. */
  traces(H: Float64Array): { trSw: number; trSb: number; nc1Tilde: number } {
    const { K, n, d } = this.s
    const { mu, muG } = this
    this.means(H)
    let trSw = 0
    for (let i = 0; i < K * n; i++) {
      const k = Math.floor(i / n)
      for (let r = 0; r < d; r++) trSw += (H[i * d + r] - mu[k * d + r]) ** 2
    }
    trSw /= K * n
    let trSb = 0
    for (let k = 0; k < K; k++) for (let r = 0; r < d; r++) trSb += (mu[k * d + r] - muG[r]) ** 2
    trSb /= K
    return { trSw, trSb, nc1Tilde: trSw / trSb }
  }

  /**
   * All four statistics. Σ_B has rank ≤ K − 1: its pseudo-inverse keeps the eigenvalues above
   * 1e-12·λ_max among the top min(K − 1, d) (the rest are rounding of exact zeros).
   */
  stats(H: Float64Array): CollapseStats {
    const { K, n, d } = this.s
    const { mu, muG, Sw, Sb } = this
    const t = this.traces(H)
    Sw.fill(0)
    Sb.fill(0)
    for (let i = 0; i < K * n; i++) {
      const k = Math.floor(i / n)
      for (let r = 0; r < d; r++) {
        const x = H[i * d + r] - mu[k * d + r]
        for (let q = 0; q < d; q++) Sw[r * d + q] += x * (H[i * d + q] - mu[k * d + q])
      }
    }
    for (let j = 0; j < d * d; j++) Sw[j] /= K * n
    for (let k = 0; k < K; k++) {
      for (let r = 0; r < d; r++) {
        const x = mu[k * d + r] - muG[r]
        for (let q = 0; q < d; q++) Sb[r * d + q] += (x * (mu[k * d + q] - muG[q])) / K
      }
    }
    const eig = symEig(Sb, d)
    const lmax = eig.values[d - 1]
    let tr = 0
    const keep = Math.min(K - 1, d)
    for (let j = d - 1; j >= d - keep; j--) {
      const lam = eig.values[j]
      if (!(lam > 1e-12 * lmax)) break
      // v_jᵀ Σ_W v_j / λ_j
      let q = 0
      for (let r = 0; r < d; r++) {
        let s = 0
        for (let c = 0; c < d; c++) s += Sw[r * d + c] * eig.vectors[c * d + j]
        q += eig.vectors[r * d + j] * s
      }
      tr += q / lam
    }
    return { ...t, nc1: tr / K }
  }

  private means(H: Float64Array): void {
    const { K, n, d } = this.s
    const { mu, muG } = this
    mu.fill(0)
    muG.fill(0)
    for (let i = 0; i < K * n; i++) {
      const k = Math.floor(i / n)
      for (let r = 0; r < d; r++) mu[k * d + r] += H[i * d + r] / n
    }
    for (let k = 0; k < K; k++) for (let r = 0; r < d; r++) muG[r] += mu[k * d + r] / K
  }
}
