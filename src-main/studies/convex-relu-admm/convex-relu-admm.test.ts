import { describe, expect, it } from 'vitest'
import { runLocal } from '../../kit/harness'
import { solve } from '../../numeric/linalg'
import { Rng } from '../../numeric/rng'
import { coneProjection3, ConvexReluAdmm } from './admm'
import { ReluNetworkGd } from './gd'
import { exactArrangements, sampledArrangements, xorData, type Arrangements, type XorData } from './problem'
import study from './study'

function dataOf(seed: number, n: number): XorData {
  return xorData(n, Rng.stream(seed, 'data'))
}

describe('arrangements', () => {
  it('vertex enumeration finds all n(n−1)+1 non-zero cells of the central arrangement', () => {
    for (const n of [6, 10, 16]) {
      const arr = exactArrangements(dataOf(3, n))
      expect(arr.P).toBe(n * (n - 1) + 1)
    }
  })

  it('every sampled pattern is one of the exact ones, and 20k Gaussian draws find (almost) all of them at n = 8', () => {
    const data = dataOf(1, 8)
    const exact = exactArrangements(data)
    const keys = new Set<string>()
    for (let i = 0; i < exact.P; i++) keys.add(exact.D.subarray(i * 8, (i + 1) * 8).join(''))
    const sampled = sampledArrangements(data, 20000, new Rng(5))
    for (let i = 0; i < sampled.P; i++) expect(keys.has(sampled.D.subarray(i * 8, (i + 1) * 8).join(''))).toBe(true)
    expect(sampled.P).toBeGreaterThan(exact.P - 5)
    expect(sampled.P).toBeLessThanOrEqual(exact.P)
  })
})

/** The u-system (I + FᵀF/ρ + GᵀG) u = b assembled densely. */
function denseSystem(data: XorData, arr: Arrangements, rho: number): Float64Array {
  const { n, d, X } = data
  const P = arr.P
  const N = 2 * P * d
  const F = new Float64Array(n * N)
  const A = new Float64Array(N * N)
  for (let g = 0; g < 2 * P; g++) {
    const i = g % P
    const sigma = g < P ? 1 : -1
    for (let k = 0; k < n; k++) {
      const on = arr.D[i * n + k]
      const sg = on ? 1 : -1
      for (let a = 0; a < d; a++) {
        if (on) F[k * N + g * d + a] = sigma * X[k * d + a]
        // GᵀG block: Xᵀ(2D−I)²X = XᵀX
        for (let c = 0; c < d; c++) A[(g * d + a) * N + g * d + c] += sg * X[k * d + a] * sg * X[k * d + c]
      }
    }
    for (let a = 0; a < d; a++) A[(g * d + a) * N + g * d + a] += 1
  }
  for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) for (let k = 0; k < n; k++) A[r * N + c] += (F[k * N + r] * F[k * N + c]) / rho
  return A
}

describe('ADMM', () => {
  it('the Woodbury u-solve agrees with the dense linear system to 1e-12', () => {
    const data = dataOf(2, 6)
    const arr = exactArrangements(data)
    const rho = 0.1
    const admm = new ConvexReluAdmm(data, arr, { beta: 0.05, rho, gamma: 1 })
    // from a non-trivial state: run a few steps, then check the u-update of the next one
    for (let t = 0; t < 5; t++) admm.step()
    const { n, d } = data
    const P = arr.P
    const N = 2 * P * d
    const b = new Float64Array(N)
    for (let g = 0; g < 2 * P; g++) {
      const i = g % P
      const sigma = g < P ? 1 : -1
      for (let a = 0; a < d; a++) {
        let acc = admm.v[g * d + a] - admm.lam[g * d + a]
        for (let k = 0; k < n; k++) {
          const on = arr.D[i * n + k]
          if (on) acc += (sigma * data.X[k * d + a] * data.y[k]) / rho
          acc += (on ? 1 : -1) * data.X[k * d + a] * (admm.s[g * n + k] - admm.nu[g * n + k])
        }
        b[g * d + a] = acc
      }
    }
    const uDense = solve(denseSystem(data, arr, rho), b, N)
    admm.step()
    let err = 0
    let scale = 0
    for (let j = 0; j < N; j++) {
      err = Math.max(err, Math.abs(admm.u[j] - uDense[j]))
      scale = Math.max(scale, Math.abs(uDense[j]))
    }
    expect(err / scale).toBeLessThan(1e-12)
  })

  it('the unrolled d = 3 step is bit-identical to the generic step', () => {
    const data = dataOf(5, 10)
    const arr = exactArrangements(data)
    const a = new ConvexReluAdmm(data, arr, { beta: 0.05, rho: 0.1, gamma: 1 })
    const b = new ConvexReluAdmm(data, arr, { beta: 0.05, rho: 0.1, gamma: 1 })
    const generic = b as unknown as { stepGeneric(): void }
    for (let t = 0; t < 200; t++) {
      a.step()
      generic.stepGeneric()
    }
    expect(Buffer.from(a.v.buffer).equals(Buffer.from(b.v.buffer))).toBe(true)
    expect(Buffer.from(a.nu.buffer).equals(Buffer.from(b.nu.buffer))).toBe(true)
  })

  it('the dual bound stays below the objective and closes the gap as ADMM converges (n = 8)', () => {
    const data = dataOf(0, 8)
    const admm = new ConvexReluAdmm(data, exactArrangements(data), { beta: 0.05, rho: 0.1, gamma: 1 })
    for (let t = 1; t <= 4000; t++) {
      admm.step()
      if (t % 1000 === 0) {
        const e = admm.evaluate(1e-6)
        const { dual } = admm.dualBound()
        // weak duality holds against p* ≤ f(v) + O(violation)
        expect(dual).toBeLessThanOrEqual(e.objective + 1e-6)
      }
    }
    const e = admm.evaluate(1e-6)
    const { dual } = admm.dualBound()
    // measured 2.3e-4 after 4000 iterations
    expect((e.objective - dual) / e.objective).toBeLessThan(1e-3)
    expect(e.violation).toBeLessThan(1e-5)
    // the recovered ReLU network attains the convex objective up to the violation
    expect(Math.abs(admm.recoveredNetworkObjective(1e-6).objective - e.objective) / e.objective).toBeLessThan(1e-4)
  })

  it('v = 0 predicts 0, which counts as wrong: accuracy 0 at the start', () => {
    const data = dataOf(0, 8)
    const admm = new ConvexReluAdmm(data, exactArrangements(data), { beta: 0.05, rho: 0.1, gamma: 1 })
    const e = admm.evaluate(1e-6)
    expect(e.trainAccuracy).toBe(0)
    expect(e.objective).toBeCloseTo(4, 14) // ½‖y‖² = n/2
  })
})

describe('cone projection', () => {
  it('matches a brute-force projection (dense sampling + local refinement) and satisfies the Moreau conditions', () => {
    const rng = new Rng(11)
    for (let trial = 0; trial < 50; trial++) {
      const m = 6
      const h = [rng.normal(), rng.normal(), rng.normal()]
      // rows g_k with g_k·h > 0 so that K has non-empty interior
      const G = new Float64Array(3 * m)
      for (let k = 0; k < m; k++) {
        let g0 = rng.normal(), g1 = rng.normal(), g2 = rng.normal()
        if (g0 * h[0] + g1 * h[1] + g2 * h[2] < 0) { g0 = -g0; g1 = -g1; g2 = -g2 }
        G[3 * k] = g0; G[3 * k + 1] = g1; G[3 * k + 2] = g2
      }
      const c = new Float64Array([rng.normal(), rng.normal(), rng.normal()])
      const p = coneProjection3(G, m, c, new Float64Array(3))
      // Moreau: p ∈ K, c − p ∈ K° (i.e. c − p = −Gᵀμ with μ ≥ 0 on active rows), ⟨p, c − p⟩ = 0
      const r = [c[0] - p[0], c[1] - p[1], c[2] - p[2]]
      expect(Math.abs(p[0] * r[0] + p[1] * r[1] + p[2] * r[2])).toBeLessThan(1e-12)
      for (let k = 0; k < m; k++) expect(G[3 * k] * p[0] + G[3 * k + 1] * p[1] + G[3 * k + 2] * p[2]).toBeGreaterThan(-1e-12)
      // r lies in the polar cone: ⟨r, u⟩ ≤ 0 for u in K; test against random feasible directions
      for (let s = 0; s < 200; s++) {
        const u = [rng.normal(), rng.normal(), rng.normal()]
        let feasible = true
        for (let k = 0; k < m; k++) if (G[3 * k] * u[0] + G[3 * k + 1] * u[1] + G[3 * k + 2] * u[2] < 0) feasible = false
        if (feasible) expect(r[0] * u[0] + r[1] * u[1] + r[2] * u[2]).toBeLessThan(1e-12)
      }
    }
  })
})

describe('GD baseline', () => {
  it('the hand-written gradient matches central finite differences', () => {
    const data = dataOf(4, 10)
    const rng = new Rng(2)
    const m = 5
    const U0 = new Float64Array(m * 3).map(() => rng.uniformIn(-1, 1))
    const a0 = new Float64Array(m).map(() => rng.uniformIn(-1, 1))
    const net = new ReluNetworkGd(data, m, 0.05, U0, a0)
    const { gradU, gradA } = net.objectiveAndGradient()
    const gU = gradU.slice()
    const gA = gradA.slice()
    const h = 1e-6
    const f = (U: Float64Array, a: Float64Array) => new ReluNetworkGd(data, m, 0.05, U, a).objectiveAndGradient().objective
    for (let j = 0; j < m * 3; j++) {
      const up = U0.slice(); up[j] += h
      const dn = U0.slice(); dn[j] -= h
      expect(Math.abs((f(up, a0) - f(dn, a0)) / (2 * h) - gU[j])).toBeLessThan(1e-7)
    }
    for (let j = 0; j < m; j++) {
      const up = a0.slice(); up[j] += h
      const dn = a0.slice(); dn[j] -= h
      expect(Math.abs((f(U0, up) - f(U0, dn)) / (2 * h) - gA[j])).toBeLessThan(1e-7)
    }
  })
})

describe('study runs', () => {
  it('is deterministic and pins golden values (n = 8, 600 ADMM iterations, 1e-12 relative)', async () => {
    const params = { n: 8, iterations: 600, referenceIters: 300 }
    const a = await runLocal(study, params, 0)
    const b = await runLocal(study, params, 0)
    expect(a.status).toBe('done')
    expect(Buffer.from(a.columns.objective.buffer).equals(Buffer.from(b.columns.objective.buffer))).toBe(true)
    expect(a.summary.arrangementsP).toBe(57)
    const golden = { objective: 0.4952879120952729, pStar: 0.49449465917764734, certifiedGap: 0.0019045582459289265 }
    for (const [k, v] of Object.entries(golden)) expect(Math.abs(a.summary[k] - v) / v, k).toBeLessThan(1e-12)
  })

  it('GD run records a finite objective and its gap to p*', async () => {
    const r = await runLocal(study, { mode: 'gd', n: 8, gdWidth: 4, gdIters: 500, referenceIters: 300 }, 1)
    expect(r.status).toBe('done')
    expect(Number.isFinite(r.summary.gdRelGap)).toBe(true)
    expect(r.summary['oracle:gradient']).toBe(500)
  })
})
