/**
 * ADMM for the Pilanci–Ergen convex program of a two-layer ReLU network (Bai, Gautam & Sojoudi,
 * Alg. 3.1, as reconstructed in the study spec), with the u-solve by Woodbury, and the study's
 * own Lagrange-dual certificate.
 *
 *   min_{v_i, w_i} ½‖Σ_i D_i X (v_i − w_i) − y‖² + β Σ_i (‖v_i‖ + ‖w_i‖)
 *   s.t. (2D_i − I) X v_i ≥ 0, (2D_i − I) X w_i ≥ 0.
 *
 * Groups g = 0..2P−1: g < P is v_g (σ = +1), g ≥ P is w_{g−P} (σ = −1); each has d entries.
 */
import type { Arrangements, XorData } from './problem'

export interface AdmmOptions {
  beta: number
  rho: number
  /** scaled dual step γ = γ_a/ρ (1 = standard ADMM) */
  gamma: number
}

export class ConvexReluAdmm {
  readonly n: number
  readonly d: number
  readonly P: number
  readonly groups: number
  /** the group-sparse iterate (v_1..v_P, w_1..w_P), 2P×d */
  readonly v: Float64Array
  /** its copy through the linear system */
  readonly u: Float64Array
  /** slack for G u, 2P×n */
  readonly s: Float64Array
  /** scaled duals of u = v and G u = s */
  readonly lam: Float64Array
  readonly nu: Float64Array
  /** Gᵀ(s − ν), kept current by the slack/dual update, 2P×d */
  private readonly gts: Float64Array
  /** predictions ŷ = Σ_i D_i X (v_i − w_i) at the last `evaluate` */
  readonly yhat: Float64Array

  private readonly X: Float64Array
  private readonly y: Float64Array
  private readonly D: Uint8Array
  /** S X: row (i, k) = (2D_ik − 1) x_k, P×n×d */
  private readonly SX: Float64Array
  /** Xᵀ D_i y, P×d */
  private readonly XtDy: Float64Array
  /** M⁻¹ with M = I_d + XᵀX */
  readonly Minv: Float64Array
  /** Cholesky factor (lower) of C = ρI + 2 (X M⁻¹ Xᵀ) ∘ (D Dᵀ) */
  private readonly Lc: Float64Array
  private readonly t: Float64Array
  private readonly z: Float64Array
  private readonly b: Float64Array
  private readonly q: Float64Array

  constructor(
    data: XorData,
    arr: Arrangements,
    readonly opts: AdmmOptions,
  ) {
    const { n, d, X, y } = data
    const P = arr.P
    this.n = n
    this.d = d
    this.P = P
    this.groups = 2 * P
    this.X = X
    this.y = y
    this.D = arr.D
    this.v = new Float64Array(2 * P * d)
    this.u = new Float64Array(2 * P * d)
    this.s = new Float64Array(2 * P * n)
    this.lam = new Float64Array(2 * P * d)
    this.nu = new Float64Array(2 * P * n)
    this.gts = new Float64Array(2 * P * d)
    this.yhat = new Float64Array(n)
    this.SX = new Float64Array(P * n * d)
    this.XtDy = new Float64Array(P * d)
    for (let i = 0; i < P; i++) {
      for (let k = 0; k < n; k++) {
        const on = arr.D[i * n + k]
        const sg = on ? 1 : -1
        for (let a = 0; a < d; a++) {
          this.SX[(i * n + k) * d + a] = sg * X[k * d + a]
          if (on) this.XtDy[i * d + a] += X[k * d + a] * y[k]
        }
      }
    }
    const M = new Float64Array(d * d)
    for (let a = 0; a < d; a++) {
      M[a * d + a] = 1
      for (let c = 0; c < d; c++) for (let k = 0; k < n; k++) M[a * d + c] += X[k * d + a] * X[k * d + c]
    }
    this.Minv = invertSpd(M, d)
    // C = ρI + 2 (X M⁻¹ Xᵀ) ∘ (D Dᵀ)
    const C = new Float64Array(n * n)
    for (let k = 0; k < n; k++) {
      for (let l = 0; l < n; l++) {
        let xmx = 0
        for (let a = 0; a < d; a++) for (let c = 0; c < d; c++) xmx += X[k * d + a] * this.Minv[a * d + c] * X[l * d + c]
        let dd = 0
        for (let i = 0; i < P; i++) dd += arr.D[i * n + k] & arr.D[i * n + l]
        C[k * n + l] = 2 * xmx * dd + (k === l ? opts.rho : 0)
      }
    }
    this.Lc = choleskyLower(C, n)
    this.t = new Float64Array(n)
    this.z = new Float64Array(n)
    this.b = new Float64Array(d)
    this.q = new Float64Array(d)
  }

  /**
   * One ADMM iteration (Alg. 3.1 as reconstructed):
   *   u = (I + FᵀF/ρ + GᵀG)⁻¹ (Fᵀy/ρ + v − λ + Gᵀ(s − ν))    (Woodbury: O(ndP))
   *   v_g = (1 − β/(ρ‖u_g + λ_g‖))₊ (u_g + λ_g)                 (group soft-threshold)
   *   s = (G u + ν)₊
   *   λ += γ(u − v),  ν += γ(G u − s).
   */
  step(): void {
    if (this.d === 3) this.step3()
    else this.stepGeneric()
  }

  /** `stepGeneric` with the feature dimension d = 3 of the lifted XOR data unrolled (same arithmetic order). */
  private step3(): void {
    const { n, P, X, D, SX, XtDy, Minv, u, v, s, lam, nu, gts, t, z } = this
    const { rho, beta, gamma } = this.opts
    const m00 = Minv[0], m01 = Minv[1], m02 = Minv[2]
    const m10 = Minv[3], m11 = Minv[4], m12 = Minv[5]
    const m20 = Minv[6], m21 = Minv[7], m22 = Minv[8]
    // 1. c_g = M⁻¹ b_g, stored in u
    for (let g = 0; g < 2 * P; g++) {
      const i = g < P ? g : g - P
      const sigma = g < P ? 1 : -1
      const go = g * 3
      const b0 = (sigma * XtDy[i * 3]) / rho + v[go] - lam[go] + gts[go]
      const b1 = (sigma * XtDy[i * 3 + 1]) / rho + v[go + 1] - lam[go + 1] + gts[go + 1]
      const b2 = (sigma * XtDy[i * 3 + 2]) / rho + v[go + 2] - lam[go + 2] + gts[go + 2]
      u[go] = m00 * b0 + m01 * b1 + m02 * b2
      u[go + 1] = m10 * b0 + m11 * b1 + m12 * b2
      u[go + 2] = m20 * b0 + m21 * b1 + m22 * b2
    }
    // 2. t = Σ_i D_i X (c_{+,i} − c_{−,i}), z = C⁻¹ t
    t.fill(0)
    for (let i = 0; i < P; i++) {
      const po = i * 3
      const mo = (i + P) * 3
      const d0 = u[po] - u[mo], d1 = u[po + 1] - u[mo + 1], d2 = u[po + 2] - u[mo + 2]
      const row = i * n
      for (let k = 0; k < n; k++) {
        if (!D[row + k]) continue
        t[k] += X[k * 3] * d0 + X[k * 3 + 1] * d1 + X[k * 3 + 2] * d2
      }
    }
    choleskySolveInto(this.Lc, t, z, n)
    // 3. u_g = c_g − σ M⁻¹ Xᵀ D_i z
    for (let i = 0; i < P; i++) {
      let q0 = 0, q1 = 0, q2 = 0
      const row = i * n
      for (let k = 0; k < n; k++) {
        if (!D[row + k]) continue
        const zk = z[k]
        q0 += X[k * 3] * zk
        q1 += X[k * 3 + 1] * zk
        q2 += X[k * 3 + 2] * zk
      }
      const a0 = m00 * q0 + m01 * q1 + m02 * q2
      const a1 = m10 * q0 + m11 * q1 + m12 * q2
      const a2 = m20 * q0 + m21 * q1 + m22 * q2
      const po = i * 3
      const mo = (i + P) * 3
      u[po] -= a0
      u[po + 1] -= a1
      u[po + 2] -= a2
      u[mo] += a0
      u[mo + 1] += a1
      u[mo + 2] += a2
    }
    const thr = beta / rho
    for (let g = 0; g < 2 * P; g++) {
      const i = g < P ? g : g - P
      const go = g * 3
      // 4. v: group soft-threshold of u + λ at β/ρ
      const w0 = u[go] + lam[go], w1 = u[go + 1] + lam[go + 1], w2 = u[go + 2] + lam[go + 2]
      const nrm = Math.sqrt(w0 * w0 + w1 * w1 + w2 * w2)
      const f = nrm > thr ? 1 - thr / nrm : 0
      const v0 = f * w0, v1 = f * w1, v2 = f * w2
      v[go] = v0
      v[go + 1] = v1
      v[go + 2] = v2
      // 5. s = (G u + ν)₊ ; ν += γ(G u − s) ; λ += γ(u − v); and Gᵀ(s − ν) for the next step's b
      const u0 = u[go], u1 = u[go + 1], u2 = u[go + 2]
      const so = g * n
      const sxo = i * n * 3
      let g0 = 0, g1 = 0, g2 = 0
      for (let k = 0; k < n; k++) {
        const r = sxo + k * 3
        const s0 = SX[r], s1 = SX[r + 1], s2 = SX[r + 2]
        const gu = s0 * u0 + s1 * u1 + s2 * u2
        const sn = gu + nu[so + k]
        const sk = sn > 0 ? sn : 0
        s[so + k] = sk
        const nk = nu[so + k] + gamma * (gu - sk)
        nu[so + k] = nk
        const w = sk - nk
        g0 += s0 * w
        g1 += s1 * w
        g2 += s2 * w
      }
      gts[go] = g0
      gts[go + 1] = g1
      gts[go + 2] = g2
      lam[go] += gamma * (u0 - v0)
      lam[go + 1] += gamma * (u1 - v1)
      lam[go + 2] += gamma * (u2 - v2)
    }
  }

  private stepGeneric(): void {
    const { n, d, P, X, D, SX, XtDy, Minv, u, v, s, lam, nu, gts, b, q, t, z } = this
    const { rho, beta, gamma } = this.opts
    // 1. c_g = M⁻¹ b_g, stored in u
    for (let g = 0; g < 2 * P; g++) {
      const i = g < P ? g : g - P
      const sigma = g < P ? 1 : -1
      const go = g * d
      for (let a = 0; a < d; a++) b[a] = (sigma * XtDy[i * d + a]) / rho + v[go + a] - lam[go + a] + gts[go + a]
      for (let a = 0; a < d; a++) {
        let acc = 0
        for (let c = 0; c < d; c++) acc += Minv[a * d + c] * b[c]
        u[go + a] = acc
      }
    }
    // 2. t = Σ_i D_i X (c_{+,i} − c_{−,i}), z = C⁻¹ t
    t.fill(0)
    for (let i = 0; i < P; i++) {
      const po = i * d
      const mo = (i + P) * d
      for (let k = 0; k < n; k++) {
        if (!D[i * n + k]) continue
        let acc = 0
        for (let a = 0; a < d; a++) acc += X[k * d + a] * (u[po + a] - u[mo + a])
        t[k] += acc
      }
    }
    choleskySolveInto(this.Lc, t, z, n)
    // 3. u_g = c_g − σ M⁻¹ Xᵀ D_i z
    for (let i = 0; i < P; i++) {
      q.fill(0)
      for (let k = 0; k < n; k++) {
        if (!D[i * n + k]) continue
        const zk = z[k]
        for (let a = 0; a < d; a++) q[a] += X[k * d + a] * zk
      }
      const po = i * d
      const mo = (i + P) * d
      for (let a = 0; a < d; a++) {
        let acc = 0
        for (let c = 0; c < d; c++) acc += Minv[a * d + c] * q[c]
        u[po + a] -= acc
        u[mo + a] += acc
      }
    }
    // 4. v: group soft-threshold of u + λ at β/ρ
    const thr = beta / rho
    for (let g = 0; g < 2 * P; g++) {
      const go = g * d
      let nn = 0
      for (let a = 0; a < d; a++) {
        const w = u[go + a] + lam[go + a]
        nn += w * w
      }
      const nrm = Math.sqrt(nn)
      const f = nrm > thr ? 1 - thr / nrm : 0
      for (let a = 0; a < d; a++) v[go + a] = f * (u[go + a] + lam[go + a])
    }
    // 5. s = (G u + ν)₊ ; ν += γ(G u − s) ; λ += γ(u − v); and Gᵀ(s − ν) for the next step's b
    for (let g = 0; g < 2 * P; g++) {
      const i = g < P ? g : g - P
      const go = g * d
      const so = g * n
      const sxo = i * n * d
      for (let a = 0; a < d; a++) gts[go + a] = 0
      for (let k = 0; k < n; k++) {
        const r = sxo + k * d
        let gu = 0
        for (let a = 0; a < d; a++) gu += SX[r + a] * u[go + a]
        const sn = gu + nu[so + k]
        const sk = sn > 0 ? sn : 0
        s[so + k] = sk
        const nk = nu[so + k] + gamma * (gu - sk)
        nu[so + k] = nk
        const w = sk - nk
        for (let a = 0; a < d; a++) gts[go + a] += SX[r + a] * w
      }
      for (let a = 0; a < d; a++) lam[go + a] += gamma * (u[go + a] - v[go + a])
    }
  }

  /** Quantities at the thresholded iterate v (the spec's "where the objective is evaluated"). */
  evaluate(activeTol: number): {
    objective: number
    violation: number
    consensus: number
    trainAccuracy: number
    activeGroups: number
  } {
    const { n, d, P, X, D, SX, y, v, u, yhat } = this
    yhat.fill(0)
    let reg = 0
    let violation = 0
    let active = 0
    for (let g = 0; g < 2 * P; g++) {
      const i = g < P ? g : g - P
      const sigma = g < P ? 1 : -1
      const go = g * d
      let nn = 0
      for (let a = 0; a < d; a++) nn += v[go + a] * v[go + a]
      if (nn === 0) continue
      const nrm = Math.sqrt(nn)
      reg += nrm
      if (nrm > activeTol) active++
      const sxo = i * n * d
      for (let k = 0; k < n; k++) {
        const r = sxo + k * d
        let gv = 0
        let xv = 0
        for (let a = 0; a < d; a++) {
          gv += SX[r + a] * v[go + a]
          xv += X[k * d + a] * v[go + a]
        }
        if (-gv > violation) violation = -gv
        if (D[i * n + k]) yhat[k] += sigma * xv
      }
    }
    let loss = 0
    let correct = 0
    for (let k = 0; k < n; k++) {
      const r = yhat[k] - y[k]
      loss += r * r
      if (Math.sign(yhat[k]) === y[k]) correct++
    }
    let consensus = 0
    for (let j = 0; j < u.length; j++) consensus = Math.max(consensus, Math.abs(u[j] - v[j]))
    return {
      objective: 0.5 * loss + this.opts.beta * reg,
      violation,
      consensus,
      trainAccuracy: correct / n,
      activeGroups: active,
    }
  }

  /**
   * The non-convex objective of the ReLU network recovered from the active groups: each
   * ‖v_g‖ > tol gives u = v_g/√‖v_g‖, a = σ√‖v_g‖, so (X u)₊ a = σ (X v_g)₊ and
   * β/2 (‖u‖² + a²) = β ‖v_g‖.
   */
  recoveredNetworkObjective(activeTol: number): { objective: number; neurons: number } {
    const { n, d, P, X, y, v } = this
    const pred = new Float64Array(n)
    let reg = 0
    let neurons = 0
    for (let g = 0; g < 2 * P; g++) {
      const sigma = g < P ? 1 : -1
      const go = g * d
      let nn = 0
      for (let a = 0; a < d; a++) nn += v[go + a] * v[go + a]
      const nrm = Math.sqrt(nn)
      if (!(nrm > activeTol)) continue
      neurons++
      reg += nrm
      for (let k = 0; k < n; k++) {
        let xv = 0
        for (let a = 0; a < d; a++) xv += X[k * d + a] * v[go + a]
        if (xv > 0) pred[k] += sigma * xv
      }
    }
    let loss = 0
    for (let k = 0; k < n; k++) loss += (pred[k] - y[k]) ** 2
    return { objective: 0.5 * loss + this.opts.beta * reg, neurons }
  }

  /**
   * Lagrange-dual lower bound on p* (the study's own certificate). The dual is
   *   max_l −½‖l‖² − lᵀy  s.t.  ‖Proj_{K_i}(±Xᵀ D_i l)‖ ≤ β  for all i, both signs,
   * with K_i = {u : (2D_i − I) X u ≥ 0}. From l = ŷ − y (call `evaluate` first), the scaled
   * t·l with t = min(1, β / max‖Proj‖) is feasible (projection onto a cone is positively
   * homogeneous), so its dual value is a valid bound.
   */
  dualBound(): { dual: number; maxProjection: number } {
    const { n, d, P, X, D, SX, y, yhat } = this
    const l = new Float64Array(n)
    for (let k = 0; k < n; k++) l[k] = yhat[k] - y[k]
    const c = new Float64Array(d)
    const cneg = new Float64Array(d)
    let maxProj = 0
    for (let i = 0; i < P; i++) {
      c.fill(0)
      for (let k = 0; k < n; k++) {
        if (!D[i * n + k]) continue
        for (let a = 0; a < d; a++) c[a] += X[k * d + a] * l[k]
      }
      for (let a = 0; a < d; a++) cneg[a] = -c[a]
      const sx = SX.subarray(i * n * d, (i + 1) * n * d)
      maxProj = Math.max(maxProj, coneProjectionNorm3(sx, n, c), coneProjectionNorm3(sx, n, cneg))
    }
    const beta = this.opts.beta
    const tScale = maxProj > beta ? beta / maxProj : 1
    let ll = 0
    let ly = 0
    for (let k = 0; k < n; k++) {
      ll += l[k] * l[k]
      ly += l[k] * y[k]
    }
    return { dual: -0.5 * tScale * tScale * ll - tScale * ly, maxProjection: maxProj }
  }
}

/**
 * ‖Proj_K(c)‖ for the polyhedral cone K = {u ∈ ℝ³ : g_kᵀ u ≥ 0, k < m} (rows g_k of G, m×3).
 * Exact, by enumerating the faces: the projection onto a closed convex polyhedral cone is the
 * projection onto the span of one of its faces (the interior, a facet plane g_kᵀu = 0, an edge line
 * g_k × g_l, or the apex 0); it is the feasible candidate nearest to c. Equivalent to the
 * spec's NNLS (Moreau decomposition with the polar cone) for d = 3.
 */
export function coneProjection3(G: Float64Array, m: number, c: Float64Array, out: Float64Array): Float64Array {
  const c0 = c[0], c1 = c[1], c2 = c[2]
  const cn = Math.hypot(c0, c1, c2)
  let best = Infinity
  out[0] = out[1] = out[2] = 0
  const consider = (p0: number, p1: number, p2: number): void => {
    const dist = (c0 - p0) ** 2 + (c1 - p1) ** 2 + (c2 - p2) ** 2
    if (dist >= best) return
    const pn = Math.hypot(p0, p1, p2)
    const tol = 1e-12 * pn
    for (let k = 0; k < m; k++) {
      const g0 = G[3 * k], g1 = G[3 * k + 1], g2 = G[3 * k + 2]
      if (g0 * p0 + g1 * p1 + g2 * p2 < -tol * Math.hypot(g0, g1, g2)) return
    }
    best = dist
    out[0] = p0
    out[1] = p1
    out[2] = p2
  }
  if (cn === 0) return out
  consider(c0, c1, c2)
  if (best === 0) return out
  best = cn * cn // the apex
  for (let k = 0; k < m; k++) {
    const g0 = G[3 * k], g1 = G[3 * k + 1], g2 = G[3 * k + 2]
    const gg = g0 * g0 + g1 * g1 + g2 * g2
    const gc = g0 * c0 + g1 * c1 + g2 * c2
    if (gg > 0 && gc < 0) consider(c0 - (gc / gg) * g0, c1 - (gc / gg) * g1, c2 - (gc / gg) * g2)
  }
  for (let k = 0; k < m; k++) {
    const g0 = G[3 * k], g1 = G[3 * k + 1], g2 = G[3 * k + 2]
    for (let l = k + 1; l < m; l++) {
      const h0 = G[3 * l], h1 = G[3 * l + 1], h2 = G[3 * l + 2]
      const e0 = g1 * h2 - g2 * h1
      const e1 = g2 * h0 - g0 * h2
      const e2 = g0 * h1 - g1 * h0
      const ee = e0 * e0 + e1 * e1 + e2 * e2
      if (!(ee > 0)) continue
      const ce = (c0 * e0 + c1 * e1 + c2 * e2) / ee
      if (ce !== 0) consider(ce * e0, ce * e1, ce * e2)
    }
  }
  return out
}

const proj3 = new Float64Array(3)
function coneProjectionNorm3(G: Float64Array, m: number, c: Float64Array): number {
  coneProjection3(G, m, c, proj3)
  return Math.hypot(proj3[0], proj3[1], proj3[2])
}

/** Lower Cholesky factor of a small SPD matrix (n×n, row-major). */
export function choleskyLower(A: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n)
  for (let j = 0; j < n; j++) {
    let s = A[j * n + j]
    for (let k = 0; k < j; k++) s -= L[j * n + k] * L[j * n + k]
    if (!(s > 0)) throw new Error('choleskyLower: matrix is not positive definite')
    const ljj = Math.sqrt(s)
    L[j * n + j] = ljj
    for (let i = j + 1; i < n; i++) {
      let t = A[i * n + j]
      for (let k = 0; k < j; k++) t -= L[i * n + k] * L[j * n + k]
      L[i * n + j] = t / ljj
    }
  }
  return L
}

/** x = (L Lᵀ)⁻¹ b without allocation. */
export function choleskySolveInto(L: Float64Array, b: Float64Array, x: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    let t = b[i]
    for (let k = 0; k < i; k++) t -= L[i * n + k] * x[k]
    x[i] = t / L[i * n + i]
  }
  for (let i = n - 1; i >= 0; i--) {
    let t = x[i]
    for (let k = i + 1; k < n; k++) t -= L[k * n + i] * x[k]
    x[i] = t / L[i * n + i]
  }
}

function invertSpd(A: Float64Array, n: number): Float64Array {
  const L = choleskyLower(A, n)
  const inv = new Float64Array(n * n)
  const e = new Float64Array(n)
  const x = new Float64Array(n)
  for (let j = 0; j < n; j++) {
    e.fill(0)
    e[j] = 1
    choleskySolveInto(L, e, x, n)
    for (let i = 0; i < n; i++) inv[i * n + j] = x[i]
  }
  return inv
}
