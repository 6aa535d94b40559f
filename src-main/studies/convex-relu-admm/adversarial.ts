/**
 * The adversarial variant (spec: "Adversarial variant, reconstructed, not verified"): convex
 * adversarial training of the two-layer ReLU network against an ℓ∞ ball of radius ε on the two
 * non-bias features, with the arrangements held fixed inside the ball (Bai, Gautam & Sojoudi §4,
 * as reconstructed in the spec). The robust convex program is
 *
 *   min  ½ Σ_k (|ŷ_k − y_k| + ε ‖q_k‖₁)² + β Σ_g ‖v_g‖
 *   s.t. (2D_i − I) X v_g ≥ ε ‖v_g^feat‖₁ · 1           for every group g (arrangement i),
 *
 * with ŷ_k = Σ_i d_ik x_k·(v_i − w_i) and q_k = Σ_i d_ik (v_i − w_i)^feat. Inside the ball the
 * prediction is ŷ_k + δ·q_k exactly (the constraint keeps every neuron's sign fixed), so the
 * worst-case squared loss is (|ŷ_k − y_k| + ε‖q_k‖₁)², the spec's expression.
 *
 * The ℓ1 terms are extra ADMM splits, as the spec asks:
 * - the robust constraint is polyhedral: ‖e‖₁ = max over the 4 sign vectors σ ∈ {±1}² of σ·e, so
 *   it is G'_i v_g ≥ 0 with G'_i the 4n×3 stack of rows (2d_ik − 1) x_k − ε (σ, 0); a slack
 *   s_g = (G'_i u_g + ν_g)₊ as in Alg. 3.1;
 * - the loss is split off: w = K u − ȳ with K u = (ŷ, q) ∈ ℝ^{3n}, ȳ = (y, 0, 0), and the w-step
 *   is the prox of ½ Σ_k (Σ_j c_j |w_kj|)² with weights c = (1, ε, ε), a weighted squared ℓ1 norm
 *   (closed form: soft-thresholding at τ c_j with τ from the active set, `proxSquaredWeightedL1`).
 *
 * One iteration (scaled ADMM, penalty ρ on every split, dual step γ = γ_a/ρ as in Alg. 3.1):
 *   u = (I + G'ᵀG' + KᵀK)⁻¹ (v − λ + G'ᵀ(s − ν) + Kᵀ(w + ȳ − μ))   (Woodbury over K, 3n×3n)
 *   v_g = (1 − β/(ρ‖u_g + λ_g‖))₊ (u_g + λ_g)
 *   s = (G'u + ν)₊,   w = prox_{ℓ/ρ}(K u − ȳ + μ)
 *   λ += γ(u − v),   ν += γ(G'u − s),   μ += γ(K u − ȳ − w)
 * With ε = 0 it solves the nominal convex program (a unit test checks it reaches the same p*).
 */
import { choleskyLower, choleskySolveInto } from './admm'
import type { Arrangements, XorData } from './problem'

export interface RobustAdmmOptions {
  beta: number
  rho: number
  gamma: number
  eps: number
}

const SIGNS: readonly [number, number][] = [
  [1, 1],
  [1, -1],
  [-1, 1],
  [-1, -1],
]

/**
 * prox of x ↦ (1/(2ρ)) (Σ_j c_j |x_j|)² at m, in place over m[0..len): x_j = sign(m_j)(|m_j| − τc_j)₊
 * with τ = Σ_A c_j|m_j| / (ρ + Σ_A c_j²) over the active set A = the top entries of |m_j|/c_j.
 * Entries with c_j = 0 are unpenalised (x_j = m_j).
 */
export function proxSquaredWeightedL1(m: Float64Array, c: readonly number[], rho: number): void {
  const idx: number[] = []
  for (let j = 0; j < c.length; j++) if (c[j] > 0) idx.push(j)
  idx.sort((p, q) => Math.abs(m[q]) / c[q] - Math.abs(m[p]) / c[p])
  let num = 0
  let den = rho
  let tau = 0
  for (const j of idx) {
    const num2 = num + c[j] * Math.abs(m[j])
    const den2 = den + c[j] * c[j]
    // j joins the active set if it stays above its threshold with the enlarged τ
    if (Math.abs(m[j]) / c[j] <= num2 / den2) break
    num = num2
    den = den2
    tau = num / den
  }
  for (const j of idx) {
    const a = Math.abs(m[j]) - tau * c[j]
    m[j] = a > 0 ? Math.sign(m[j]) * a : 0
  }
}

export class RobustConvexReluAdmm {
  readonly n: number
  readonly P: number
  readonly v: Float64Array
  readonly u: Float64Array
  readonly lam: Float64Array
  /** slack and dual of G'u, 2P × 4n */
  readonly s: Float64Array
  readonly nu: Float64Array
  /** loss split w = K u − ȳ and its dual, 3n (rows: ŷ − y, then q₁, q₂ per point) */
  readonly w: Float64Array
  readonly mu: Float64Array
  private readonly X: Float64Array
  private readonly y: Float64Array
  private readonly D: Uint8Array
  /** G'_i, P × 4n × 3 */
  private readonly Gp: Float64Array
  /** (I + G'_iᵀG'_i)⁻¹, P × 9 */
  private readonly Minv: Float64Array
  /** Cholesky factor of C = I + K B⁻¹ Kᵀ (3n×3n) */
  private readonly Lc: Float64Array
  private readonly c: Float64Array
  private readonly t: Float64Array
  private readonly z: Float64Array
  private readonly Ku: Float64Array
  private readonly weights: number[]

  constructor(
    data: XorData,
    arr: Arrangements,
    readonly opts: RobustAdmmOptions,
  ) {
    if (data.d !== 3) throw new Error('the adversarial variant is written for d = 3 (x₁, x₂, bias)')
    const { n, X, y } = data
    const P = arr.P
    this.n = n
    this.P = P
    this.X = X
    this.y = y
    this.D = arr.D
    this.v = new Float64Array(6 * P)
    this.u = new Float64Array(6 * P)
    this.lam = new Float64Array(6 * P)
    this.s = new Float64Array(2 * P * 4 * n)
    this.nu = new Float64Array(2 * P * 4 * n)
    this.w = new Float64Array(3 * n)
    this.mu = new Float64Array(3 * n)
    this.c = new Float64Array(6 * P)
    this.t = new Float64Array(3 * n)
    this.z = new Float64Array(3 * n)
    this.Ku = new Float64Array(3 * n)
    this.weights = [1, opts.eps, opts.eps]
    const eps = opts.eps
    this.Gp = new Float64Array(P * 4 * n * 3)
    this.Minv = new Float64Array(P * 9)
    const M = new Float64Array(9)
    for (let i = 0; i < P; i++) {
      M.fill(0)
      M[0] = M[4] = M[8] = 1
      for (let sg = 0; sg < 4; sg++) {
        for (let k = 0; k < n; k++) {
          const sgn = arr.D[i * n + k] ? 1 : -1
          const r = ((i * 4 + sg) * n + k) * 3
          const g0 = sgn * X[3 * k] - eps * SIGNS[sg][0]
          const g1 = sgn * X[3 * k + 1] - eps * SIGNS[sg][1]
          const g2 = sgn * X[3 * k + 2]
          this.Gp[r] = g0
          this.Gp[r + 1] = g1
          this.Gp[r + 2] = g2
          const g = [g0, g1, g2]
          for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) M[3 * a + b] += g[a] * g[b]
        }
      }
      invert3(M, this.Minv, 9 * i)
    }
    // C = I + K B⁻¹ Kᵀ = I + 2 Σ_i K_i M_i⁻¹ K_iᵀ, rows of K_i for point k: d_ik (x_k; e₁; e₂)
    const N = 3 * n
    const C = new Float64Array(N * N)
    for (let r = 0; r < N; r++) C[r * N + r] = 1
    const rowOf = (k: number, kind: number): [number, number, number] =>
      kind === 0 ? [X[3 * k], X[3 * k + 1], X[3 * k + 2]] : kind === 1 ? [1, 0, 0] : [0, 1, 0]
    const tmp = new Float64Array(3)
    for (let i = 0; i < P; i++) {
      const Mi = this.Minv.subarray(9 * i, 9 * i + 9)
      for (let k = 0; k < n; k++) {
        if (!arr.D[i * n + k]) continue
        for (let ka = 0; ka < 3; ka++) {
          const ra = rowOf(k, ka)
          for (let a = 0; a < 3; a++) tmp[a] = Mi[3 * a] * ra[0] + Mi[3 * a + 1] * ra[1] + Mi[3 * a + 2] * ra[2]
          for (let l = 0; l < n; l++) {
            if (!arr.D[i * n + l]) continue
            for (let kb = 0; kb < 3; kb++) {
              const rb = rowOf(l, kb)
              C[(3 * k + ka) * N + 3 * l + kb] += 2 * (tmp[0] * rb[0] + tmp[1] * rb[1] + tmp[2] * rb[2])
            }
          }
        }
      }
    }
    this.Lc = choleskyLower(C, N)
  }

  step(): void {
    const { n, P, X, y, D, Minv, v, u, lam, s, nu, w, mu, c, t, z, Ku } = this
    const { beta, rho, gamma, eps } = this.opts
    const n4 = 4 * n
    // e = w + ȳ − μ, reused in z's place until the solve
    const e = z
    for (let k = 0; k < n; k++) {
      e[3 * k] = w[3 * k] + y[k] - mu[3 * k]
      e[3 * k + 1] = w[3 * k + 1] - mu[3 * k + 1]
      e[3 * k + 2] = w[3 * k + 2] - mu[3 * k + 2]
    }
    t.fill(0)
    for (let g = 0; g < 2 * P; g++) {
      const i = g < P ? g : g - P
      const sigma = g < P ? 1 : -1
      const go = 3 * g
      // r = v − λ + G'ᵀ(s − ν) + Kᵀ e
      let r0 = v[go] - lam[go]
      let r1 = v[go + 1] - lam[go + 1]
      let r2 = v[go + 2] - lam[go + 2]
      // G'ᵀ(s − ν): row (σ', k) of G'_i is (2d_ik − 1) x_k − ε (σ', 0), so the sum splits into
      // Σ_k (2d_ik − 1) x_k (Σ_σ' d_σ'k) − ε Σ_σ' (σ', 0) (Σ_k d_σ'k)
      const so = g * n4
      let e0 = 0
      let e1 = 0
      for (let sg = 0; sg < 4; sg++) {
        let sum = 0
        for (let k = 0; k < n; k++) sum += s[so + sg * n + k] - nu[so + sg * n + k]
        e0 += SIGNS[sg][0] * sum
        e1 += SIGNS[sg][1] * sum
      }
      r0 -= eps * e0
      r1 -= eps * e1
      for (let k = 0; k < n; k++) {
        const dk = s[so + k] - nu[so + k] + s[so + n + k] - nu[so + n + k] + s[so + 2 * n + k] - nu[so + 2 * n + k] + s[so + 3 * n + k] - nu[so + 3 * n + k]
        if (dk === 0) continue
        const sk = D[i * n + k] ? dk : -dk
        r0 += sk * X[3 * k]
        r1 += sk * X[3 * k + 1]
        r2 += sk * X[3 * k + 2]
      }
      for (let k = 0; k < n; k++) {
        if (!D[i * n + k]) continue
        const ep = sigma * e[3 * k]
        r0 += ep * X[3 * k] + sigma * e[3 * k + 1]
        r1 += ep * X[3 * k + 1] + sigma * e[3 * k + 2]
        r2 += ep * X[3 * k + 2]
      }
      const mo = 9 * i
      const c0 = Minv[mo] * r0 + Minv[mo + 1] * r1 + Minv[mo + 2] * r2
      const c1 = Minv[mo + 3] * r0 + Minv[mo + 4] * r1 + Minv[mo + 5] * r2
      const c2 = Minv[mo + 6] * r0 + Minv[mo + 7] * r1 + Minv[mo + 8] * r2
      c[go] = c0
      c[go + 1] = c1
      c[go + 2] = c2
      for (let k = 0; k < n; k++) {
        if (!D[i * n + k]) continue
        t[3 * k] += sigma * (X[3 * k] * c0 + X[3 * k + 1] * c1 + X[3 * k + 2] * c2)
        t[3 * k + 1] += sigma * c0
        t[3 * k + 2] += sigma * c1
      }
    }
    choleskySolveInto(this.Lc, t, z, 3 * n)
    // u = c − B⁻¹ Kᵀ z; then v, s, ν, K u
    Ku.fill(0)
    const thr = beta / rho
    for (let g = 0; g < 2 * P; g++) {
      const i = g < P ? g : g - P
      const sigma = g < P ? 1 : -1
      const go = 3 * g
      let k0 = 0
      let k1 = 0
      let k2 = 0
      for (let k = 0; k < n; k++) {
        if (!D[i * n + k]) continue
        const zp = sigma * z[3 * k]
        k0 += zp * X[3 * k] + sigma * z[3 * k + 1]
        k1 += zp * X[3 * k + 1] + sigma * z[3 * k + 2]
        k2 += zp * X[3 * k + 2]
      }
      const mo = 9 * i
      const u0 = c[go] - (Minv[mo] * k0 + Minv[mo + 1] * k1 + Minv[mo + 2] * k2)
      const u1 = c[go + 1] - (Minv[mo + 3] * k0 + Minv[mo + 4] * k1 + Minv[mo + 5] * k2)
      const u2 = c[go + 2] - (Minv[mo + 6] * k0 + Minv[mo + 7] * k1 + Minv[mo + 8] * k2)
      u[go] = u0
      u[go + 1] = u1
      u[go + 2] = u2
      // group soft-threshold of u + λ at β/ρ
      const a0 = u0 + lam[go], a1 = u1 + lam[go + 1], a2 = u2 + lam[go + 2]
      const nrm = Math.sqrt(a0 * a0 + a1 * a1 + a2 * a2)
      const shrink = nrm > thr ? 1 - thr / nrm : 0
      v[go] = shrink * a0
      v[go + 1] = shrink * a1
      v[go + 2] = shrink * a2
      lam[go] += gamma * (u0 - v[go])
      lam[go + 1] += gamma * (u1 - v[go + 1])
      lam[go + 2] += gamma * (u2 - v[go + 2])
      // slack and its dual for G'u ≥ 0
      const so = g * n4
      for (let k = 0; k < n; k++) {
        const xu = X[3 * k] * u0 + X[3 * k + 1] * u1 + X[3 * k + 2] * u2
        const base = D[i * n + k] ? xu : -xu
        for (let sg = 0; sg < 4; sg++) {
          const q = so + sg * n + k
          const gu = base - eps * (SIGNS[sg][0] * u0 + SIGNS[sg][1] * u1)
          const sv = gu + nu[q]
          const sn = sv > 0 ? sv : 0
          s[q] = sn
          nu[q] += gamma * (gu - sn)
        }
      }
      for (let k = 0; k < n; k++) {
        if (!D[i * n + k]) continue
        Ku[3 * k] += sigma * (X[3 * k] * u0 + X[3 * k + 1] * u1 + X[3 * k + 2] * u2)
        Ku[3 * k + 1] += sigma * u0
        Ku[3 * k + 2] += sigma * u1
      }
    }
    // loss split: w = prox_{ℓ/ρ}(K u − ȳ + μ), μ += γ(K u − ȳ − w)
    const m3 = new Float64Array(3)
    for (let k = 0; k < n; k++) {
      const a0 = Ku[3 * k] - y[k]
      m3[0] = a0 + mu[3 * k]
      m3[1] = Ku[3 * k + 1] + mu[3 * k + 1]
      m3[2] = Ku[3 * k + 2] + mu[3 * k + 2]
      proxSquaredWeightedL1(m3, this.weights, rho)
      w[3 * k] = m3[0]
      w[3 * k + 1] = m3[1]
      w[3 * k + 2] = m3[2]
      mu[3 * k] += gamma * (a0 - m3[0])
      mu[3 * k + 1] += gamma * (Ku[3 * k + 1] - m3[1])
      mu[3 * k + 2] += gamma * (Ku[3 * k + 2] - m3[2])
    }
  }

  /**
   * At the thresholded iterate v: the robust objective, the robust-constraint violation
   * max(0, −min G'v), the nominal training accuracy, and the certified robust accuracy
   * (the fraction with y_k ŷ_k − ε‖q_k‖₁ > 0: exact for the recovered network when the
   * constraints hold, since then f(x_k + δ) = ŷ_k + δ·q_k on the whole ball).
   */
  evaluate(activeTol: number): { objective: number; violation: number; consensus: number; trainAccuracy: number; certifiedRobustAccuracy: number; activeGroups: number } {
    const { n, P, X, y, D, Gp, v, u } = this
    const eps = this.opts.eps
    const n4 = 4 * n
    const yhat = new Float64Array(n)
    const q = new Float64Array(2 * n)
    let reg = 0
    let violation = 0
    let active = 0
    for (let g = 0; g < 2 * P; g++) {
      const i = g < P ? g : g - P
      const sigma = g < P ? 1 : -1
      const v0 = v[3 * g], v1 = v[3 * g + 1], v2 = v[3 * g + 2]
      const nrm = Math.sqrt(v0 * v0 + v1 * v1 + v2 * v2)
      if (nrm === 0) continue
      reg += nrm
      if (nrm > activeTol) active++
      const gpo = i * n4 * 3
      for (let r = 0; r < n4; r++) {
        const gv = Gp[gpo + 3 * r] * v0 + Gp[gpo + 3 * r + 1] * v1 + Gp[gpo + 3 * r + 2] * v2
        if (-gv > violation) violation = -gv
      }
      for (let k = 0; k < n; k++) {
        if (!D[i * n + k]) continue
        yhat[k] += sigma * (X[3 * k] * v0 + X[3 * k + 1] * v1 + X[3 * k + 2] * v2)
        q[2 * k] += sigma * v0
        q[2 * k + 1] += sigma * v1
      }
    }
    let loss = 0
    let correct = 0
    let robust = 0
    for (let k = 0; k < n; k++) {
      const l1 = Math.abs(q[2 * k]) + Math.abs(q[2 * k + 1])
      const r = Math.abs(yhat[k] - y[k]) + eps * l1
      loss += r * r
      if (Math.sign(yhat[k]) === y[k]) correct++
      if (y[k] * yhat[k] - eps * l1 > 0) robust++
    }
    let consensus = 0
    for (let j = 0; j < u.length; j++) consensus = Math.max(consensus, Math.abs(u[j] - v[j]))
    return {
      objective: 0.5 * loss + this.opts.beta * reg,
      violation,
      consensus,
      trainAccuracy: correct / n,
      certifiedRobustAccuracy: robust / n,
      activeGroups: active,
    }
  }
}

/** The inverse of a 3×3 matrix (symmetric positive definite here) by cofactors, into out[o..o+9). */
function invert3(M: Float64Array, out: Float64Array, o: number): void {
  const [a, b, c, d, e, f, g, h, k] = M
  const A = e * k - f * h
  const B = -(d * k - f * g)
  const Cc = d * h - e * g
  const det = a * A + b * B + c * Cc
  out[o] = A / det
  out[o + 1] = -(b * k - c * h) / det
  out[o + 2] = (b * f - c * e) / det
  out[o + 3] = B / det
  out[o + 4] = (a * k - c * g) / det
  out[o + 5] = -(a * f - c * d) / det
  out[o + 6] = Cc / det
  out[o + 7] = -(a * h - b * g) / det
  out[o + 8] = (a * e - b * d) / det
}
