import { describe, expect, it } from 'vitest'
import type { SolveContext } from '../../kit'
import { runLocal } from '../../kit/harness'
import { Rng } from '../../numeric/rng'
import { choleskyInto, choleskySolveInPlace, forwardSolveInPlace } from './cholesky'
import { gradientMethod } from './gd'
import { setWasmKernelsEnabled, WasmCholesky, WasmSoftmax } from './wasmKernels'
import { gradNormSmooth } from './gns'
import { Metric } from './metric'
import {
  drawLogisticData,
  drawSoftmaxData,
  LogisticObjective,
  sigmoid,
  SoftmaxObjective,
  type Objective,
} from './problems'
import study from './study'

/** A SolveContext that keeps rows, counts and events in memory, for calling solvers directly. */
function memoryContext(seed = 0) {
  const rows: { k: number; values: Record<string, number> }[] = []
  const counts: Record<string, number> = {}
  const events: { name: string; iteration: number }[] = []
  const ctx: SolveContext = {
    seed,
    rng: new Rng(seed),
    stream: (name) => Rng.stream(seed, name),
    record: (k, values) => rows.push({ k, values: { ...(values as Record<string, number>) } }),
    event: (name, iteration) => events.push({ name, iteration }),
    count: (name, n = 1) => {
      counts[name] = (counts[name] ?? 0) + n
    },
    progress: () => {},
    cancelled: false,
  }
  return { ctx, rows, counts, events }
}

/** Dense Gaussian elimination with partial pivoting: an independent solver for the checks. */
function gaussSolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const M = Float64Array.from(A)
  const x = Float64Array.from(b)
  for (let c = 0; c < n; c++) {
    let p = c
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * n + c]) > Math.abs(M[p * n + c])) p = r
    for (let k = 0; k < n; k++) [M[c * n + k], M[p * n + k]] = [M[p * n + k], M[c * n + k]]
    ;[x[c], x[p]] = [x[p], x[c]]
    for (let r = c + 1; r < n; r++) {
      const f = M[r * n + c] / M[c * n + c]
      for (let k = c; k < n; k++) M[r * n + k] -= f * M[c * n + k]
      x[r] -= f * x[c]
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r]
    for (let k = r + 1; k < n; k++) s -= M[r * n + k] * x[k]
    x[r] = s / M[r * n + r]
  }
  return x
}

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => Math.max(s, Math.abs(v)), 0)

function fdGradientError(obj: Objective, x: Float64Array): number {
  const n = obj.n
  const g = new Float64Array(n)
  obj.valueAndGradient(x, g)
  const h = 1e-6
  let err = 0
  for (let j = 0; j < n; j++) {
    const xp = Float64Array.from(x)
    const xm = Float64Array.from(x)
    xp[j] += h
    xm[j] -= h
    const fd = (obj.value(xp) - obj.value(xm)) / (2 * h)
    err = Math.max(err, Math.abs(fd - g[j]) / Math.max(1, Math.abs(g[j])))
  }
  return err
}

function fdHessianError(obj: Objective, x: Float64Array): number {
  const n = obj.n
  const H = new Float64Array(n * n)
  obj.hessian(x, 'exact', H)
  const h = 1e-6
  const gp = new Float64Array(n)
  const gm = new Float64Array(n)
  let err = 0
  for (let j = 0; j < n; j++) {
    const xp = Float64Array.from(x)
    const xm = Float64Array.from(x)
    xp[j] += h
    xm[j] -= h
    obj.valueAndGradient(xp, gp)
    obj.valueAndGradient(xm, gm)
    for (let i = 0; i < n; i++) err = Math.max(err, Math.abs((gp[i] - gm[i]) / (2 * h) - H[i * n + j]))
  }
  return err
}

describe('Cholesky kernels', () => {
  it('solve an SPD system to 1e-12 and reject an indefinite matrix', () => {
    const rng = new Rng(3)
    const n = 12
    const G = rng.gaussianMatrix(n, n)
    const A = new Float64Array(n * n)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = i === j ? 0.1 : 0
        for (let k = 0; k < n; k++) s += G[i * n + k] * G[j * n + k]
        A[i * n + j] = s
      }
    const b = rng.gaussianMatrix(n, 1)
    const L = new Float64Array(n * n)
    expect(choleskyInto(A, L, n)).toBe(true)
    const x = Float64Array.from(b)
    choleskySolveInPlace(L, x, n)
    const ref = gaussSolve(A, b, n)
    expect(maxAbs(x.map((v, i) => v - ref[i]))).toBeLessThan(1e-10 * maxAbs(ref))
    const indefinite = Float64Array.from([1, 2, 2, 1])
    expect(choleskyInto(indefinite, new Float64Array(4), 2)).toBe(false)
  })

  it('the blocked factorisation is the plain entry-by-entry loop to the bit, also for H + λB formed inside it', () => {
    // the textbook Cholesky–Crout loop: every sum over k in increasing order
    const plain = (M: Float64Array, n: number): Float64Array | null => {
      const L = new Float64Array(n * n)
      for (let j = 0; j < n; j++) {
        let d = M[j * n + j]
        for (let k = 0; k < j; k++) d -= L[j * n + k] * L[j * n + k]
        if (!(d > 0)) return null
        L[j * n + j] = Math.sqrt(d)
        const inv = 1 / L[j * n + j]
        for (let i = j + 1; i < n; i++) {
          let s = M[i * n + j]
          for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k]
          L[i * n + j] = s * inv
        }
      }
      return L
    }
    const rng = new Rng(3, 'cholesky-blocked')
    for (const n of [1, 2, 3, 4, 5, 6, 7, 9, 17, 40, 63]) {
      const G = rng.gaussianMatrix(n, n)
      const B = new Float64Array(n * n)
      const H = new Float64Array(n * n)
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = i === j ? 0.2 * n : 0
          for (let k = 0; k < n; k++) s += G[i * n + k] * G[j * n + k]
          B[i * n + j] = s
          H[i * n + j] = i >= j ? 0.1 * Math.sin(i + 2 * j) : 0.1 * Math.sin(j + 2 * i)
        }
      const lambda = 0.7
      const M = H.map((h, i) => h + lambda * B[i])
      const ref = plain(M, n)
      expect(ref).not.toBeNull()
      const L = new Float64Array(n * n)
      expect(choleskyInto(M, L, n)).toBe(true)
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) expect(L[i * n + j]).toBe(ref![i * n + j])
      const Ls = new Float64Array(n * n)
      expect(choleskyInto(H, Ls, n, lambda, B)).toBe(true)
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) expect(Ls[i * n + j]).toBe(ref![i * n + j])
      // the WebAssembly SIMD factorisation (column-major) and its solves: the same bits
      const wc = WasmCholesky.create(n)!
      expect(wc).not.toBeNull()
      expect(wc.factor(H, lambda, B)).toBe(true)
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) expect(wc.Lc[j * wc.stride + i]).toBe(ref![i * n + j])
      const rhs = Float64Array.from({ length: n }, (_, i) => Math.cos(i))
      // the blocked forward substitution is the row-at-a-time one to the bit
      const fw = Float64Array.from(rhs)
      forwardSolveInPlace(Ls, fw, n)
      const fwPlain = Float64Array.from(rhs)
      for (let i = 0; i < n; i++) {
        let s = fwPlain[i]
        for (let k = 0; k < i; k++) s -= Ls[i * n + k] * fwPlain[k]
        fwPlain[i] = s / Ls[i * n + i]
      }
      expect(Array.from(fw)).toEqual(Array.from(fwPlain))
      const xs = Float64Array.from(rhs)
      choleskySolveInPlace(Ls, xs, n)
      const xw = Float64Array.from(rhs)
      wc.solveInPlace(xw)
      expect(Array.from(xw)).toEqual(Array.from(xs))
      // a non-positive pivot is reported whichever column of a pair it falls in
      if (n >= 2) {
        const bad = Float64Array.from(M)
        bad[(n - 1) * n + n - 1] = -1
        expect(choleskyInto(bad, L, n)).toBe(false)
        expect(wc.factor(bad, 0, null)).toBe(false)
        if (n >= 3) {
          // the first pivot of a pair (column n − 2 when n is even) fails too
          const bad2 = Float64Array.from(M)
          bad2[(n - 2) * n + n - 2] = -1
          expect(choleskyInto(bad2, L, n)).toBe(false)
          expect(wc.factor(bad2, 0, null)).toBe(false)
        }
      }
    }
  })
})

describe('softmax problem', () => {
  const data = drawSoftmaxData(Rng.stream(0, 'data'), 30, 20, 0.25)
  const obj = new SoftmaxObjective(data)

  it('is shifted so that ∇f(0) = 0 and f* = f(0) exactly (pitfall: exact f*)', () => {
    const g = new Float64Array(20)
    const f0 = obj.valueAndGradient(new Float64Array(20), g)
    expect(maxAbs(g)).toBeLessThan(1e-14)
    expect(f0).toBe(obj.fStar)
    expect(obj.value(obj.x0)).toBeGreaterThan(obj.fStar)
  })

  it('evaluates log-sum-exp without overflow at sharp μ and far points (pitfall: overflow)', () => {
    const sharp = new SoftmaxObjective(drawSoftmaxData(Rng.stream(1, 'data'), 30, 20, 0.05))
    const far = new Float64Array(20).fill(1000)
    const g = new Float64Array(20)
    const f = sharp.valueAndGradient(far, g)
    expect(Number.isFinite(f)).toBe(true)
    expect(g.every(Number.isFinite)).toBe(true)
    // f ≈ max_i (⟨a_i, x⟩ − b_i) up to μ·log m
    let zmax = -Infinity
    for (let i = 0; i < 30; i++) {
      let s = 0
      for (let j = 0; j < 20; j++) s += sharp.As[i * 20 + j] * far[j]
      zmax = Math.max(zmax, s - sharp.b[i])
    }
    expect(f).toBeGreaterThanOrEqual(zmax - 1e-9)
    expect(f).toBeLessThanOrEqual(zmax + 0.05 * Math.log(30) + 1e-9)
  })

  it('evaluates f, ∇f and the Hessian in WebAssembly SIMD with the same bits as the JavaScript and gemm paths', () => {
    for (const [m, n, mu] of [[100, 100, 0.25], [37, 53, 0.3], [12, 6, 1]]) {
      const d = drawSoftmaxData(Rng.stream(4, 'data'), m, n, mu)
      const x = new Float64Array(n).map((_, j) => 0.3 * Math.sin(j))
      expect(WasmSoftmax.create(new Float64Array(m * n), m, n)).not.toBeNull()
      const viaWasm = new SoftmaxObjective(d)
      setWasmKernelsEnabled(false)
      const viaGemm = new SoftmaxObjective(d)
      setWasmKernelsEnabled(true)
      const g1 = new Float64Array(n)
      const g2 = new Float64Array(n)
      expect(viaWasm.valueAndGradient(x, g1)).toBe(viaGemm.valueAndGradient(x, g2))
      expect(Array.from(g1)).toEqual(Array.from(g2))
      expect(viaWasm.value(x.map((v) => -2 * v))).toBe(viaGemm.value(x.map((v) => -2 * v)))
      // far out, most π_i underflow to 0: the gradient takes the JavaScript loop that skips them
      const far = x.map((v) => 1000 * v)
      expect(viaWasm.valueAndGradient(far, g1)).toBe(viaGemm.valueAndGradient(far, g2))
      expect(Array.from(g1)).toEqual(Array.from(g2))
      for (const model of ['exact', 'approx'] as const) {
        const H1 = new Float64Array(n * n)
        const H2 = new Float64Array(n * n)
        viaWasm.hessian(x, model, H1)
        viaGemm.hessian(x, model, H2)
        expect(Array.from(H1)).toEqual(Array.from(H2))
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(H1[i * n + j]).toBe(H1[j * n + i])
      }
    }
  })

  it('has gradient and exact Hessian matching finite differences', () => {
    const x = new Float64Array(20).map((_, j) => 0.05 * Math.sin(j + 1))
    expect(fdGradientError(obj, x)).toBeLessThan(1e-7)
    expect(fdHessianError(obj, x)).toBeLessThan(1e-5)
  })

  it('weighted Gauss–Newton is the exact Hessian plus ggᵀ/μ, hence PSD only', () => {
    const x = new Float64Array(20).map((_, j) => 0.1 * Math.cos(j))
    const n = 20
    const H = new Float64Array(n * n)
    const W = new Float64Array(n * n)
    const g = new Float64Array(n)
    obj.hessian(x, 'exact', H)
    obj.hessian(x, 'approx', W)
    obj.valueAndGradient(x, g)
    let err = 0
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) err = Math.max(err, Math.abs(W[i * n + j] - H[i * n + j] - (g[i] * g[j]) / 0.25))
    expect(err).toBeLessThan(1e-12)
  })

  it('uses B = AᵀA of the unshifted rows as the metric (plus ε·I only when m < n)', () => {
    const B = obj.gram(1e-8)
    const { A } = data
    let err = 0
    for (let i = 0; i < 20; i++)
      for (let j = 0; j < 20; j++) {
        let s = 0
        for (let r = 0; r < 30; r++) s += A[r * 20 + i] * A[r * 20 + j]
        err = Math.max(err, Math.abs(B[i * 20 + j] - s))
      }
    expect(err).toBeLessThan(1e-12)
    const wide = new SoftmaxObjective(drawSoftmaxData(Rng.stream(2, 'data'), 5, 8, 1))
    const Bw = wide.gram(1e-3)
    expect(() => new Metric(8, Bw)).not.toThrow()
  })
})

describe('logistic problem', () => {
  const data = drawLogisticData(Rng.stream(0, 'data'), 80, 6, 1.5, 0.1, 1e-3)
  const obj = new LogisticObjective(data)

  it('flips exactly round(p·m) labels and scales features per column', () => {
    expect(data.flipped.length).toBe(8)
    expect(Math.min(...data.scales)).toBeGreaterThanOrEqual(Math.exp(-1.5))
    expect(Math.max(...data.scales)).toBeLessThanOrEqual(Math.exp(1.5))
  })

  it('has gradient and exact Hessian matching finite differences', () => {
    const x = new Float64Array(6).map((_, j) => 0.3 * Math.sin(2 * j + 1))
    expect(fdGradientError(obj, x)).toBeLessThan(1e-7)
    expect(fdHessianError(obj, x)).toBeLessThan(1e-5)
  })

  it('the empirical Fisher differs from the Hessian by weights bounded by |φ′| (the regime of the theory)', () => {
    const x = new Float64Array(6).map((_, j) => 0.5 - 0.2 * j)
    const n = 6
    const H = new Float64Array(n * n)
    const F = new Float64Array(n * n)
    obj.hessian(x, 'exact', H)
    obj.hessian(x, 'approx', F)
    // F − H = Aᵀdiag((1−s)² − s(1−s))A/m
    const ref = new Float64Array(n * n)
    for (let i = 0; i < 80; i++) {
      let t = 0
      for (let j = 0; j < n; j++) t += data.A[i * n + j] * x[j]
      const s = sigmoid(t)
      const w = ((1 - s) * (1 - s) - s * (1 - s)) / 80
      expect(Math.abs((1 - s) * (1 - s) - s * (1 - s))).toBeLessThanOrEqual(1 - s + 1e-15)
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) ref[a * n + b] += w * data.A[i * n + a] * data.A[i * n + b]
    }
    expect(maxAbs(F.map((v, i) => v - H[i] - ref[i]))).toBeLessThan(1e-12)
  })

  it('computes f* by Newton to ‖∇f‖ ≤ 1e-12, so f − f* is exact far below the 1e-8 tolerance', () => {
    expect(obj.fStarNewton.gradNorm).toBeLessThan(1e-12)
    expect(obj.value(obj.x0)).toBeGreaterThan(obj.fStar)
  })
})

describe('Algorithm 1 (gradient-regularised Newton, adaptive γ)', () => {
  const obj = new SoftmaxObjective(drawSoftmaxData(Rng.stream(4, 'data'), 8, 5, 0.5))
  const n = 5
  const metric = new Metric(n, obj.gram(1e-8))
  const opts = { model: 'exact' as const, gamma0: 1, eps: 1e-8, gammaMin: 1e-9, maxTries: 40, tol: 1e-8, maxIter: 1 }

  /**
   * One iteration of Algorithm 1 written out with an independent solver; `norm` picks the norm of
   * the trial gradient in the acceptance test ('dual' = gᵀB⁻¹g as in the paper, 'primal' = gᵀBg).
   */
  function referenceStep(B: Float64Array, norm: 'dual' | 'primal' = 'dual') {
    const x = Float64Array.from(obj.x0)
    const g = new Float64Array(n)
    const f = obj.valueAndGradient(x, g)
    const dualSq = (v: Float64Array) => v.reduce((s, vi, i) => s + vi * gaussSolve(B, v, n)[i], 0)
    const primalSq = (v: Float64Array) => {
      let s = 0
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += v[i] * B[i * n + j] * v[j]
      return s
    }
    const H = new Float64Array(n * n)
    obj.hessian(x, 'exact', H)
    let gamma = 1
    for (let tries = 1; tries <= 40; tries++) {
      const lambda = Math.sqrt(dualSq(g)) / (gamma + 1e-8)
      const M = H.map((h, i) => h + lambda * B[i])
      const delta = gaussSolve(M, g.map((v) => -v), n)
      const xt = x.map((v, i) => v + delta[i])
      const gt = new Float64Array(n)
      const ft = obj.valueAndGradient(xt, gt)
      // acceptance: decrease ≥ ‖∇f(trial)‖²_* / (8λ), with the gradient at the trial point
      const trialSq = norm === 'dual' ? dualSq(gt) : primalSq(gt)
      if (f - ft >= trialSq / (8 * lambda)) return { x: xt, gamma: Math.max(2 * gamma, 1e-9), tries, lambda }
      gamma /= 2
    }
    throw new Error('no acceptance')
  }

  it('matches a hand-written step: λ, Δ, the trial-point acceptance test and the γ update', () => {
    const ref = referenceStep(metric.B)
    const { ctx, rows, counts } = memoryContext()
    const res = gradNormSmooth(obj, metric, opts, ctx)
    expect(maxAbs(res.x.map((v, i) => v - ref.x[i]))).toBeLessThan(1e-12)
    expect(rows[1].values.gamma).toBe(ref.gamma)
    expect(rows[1].values.tries).toBe(ref.tries)
    expect(rows[1].values.lambda).toBeCloseTo(ref.lambda, 12)
    expect(counts.solve).toBe(ref.tries)
    expect(counts.hess).toBe(1)
    expect(counts.grad).toBe(1 + ref.tries)
  })

  it('tests acceptance in the dual norm gᵀB⁻¹g, not the B-norm (pitfall: acceptance norm)', () => {
    // with B scaled by 1/100 the two norms differ by 10⁴ and the γ-searches take different paths
    const B = metric.B.map((v) => 0.01 * v)
    const dual = referenceStep(B, 'dual')
    const primal = referenceStep(B, 'primal')
    expect(primal.tries).not.toBe(dual.tries)
    const { ctx, rows } = memoryContext()
    gradNormSmooth(obj, new Metric(n, B), opts, ctx)
    expect(rows[1].values.tries).toBe(dual.tries)
    expect(rows[1].values.gamma).toBe(dual.gamma)
  })

  it('counts every inner try as a linear solve (pitfall: hidden inner cost)', async () => {
    const r = await runLocal(study, { problem: 'softmax', m: 20, n: 20, mu: 0.25, maxIter: 200 }, 0)
    const tries = r.columns.tries
    let sum = 0
    for (let i = 0; i < tries.length; i++) if (Number.isFinite(tries[i])) sum += tries[i]
    expect(r.summary['oracle:solve']).toBe(sum)
    expect(sum).toBeGreaterThan(r.summary.iterations)
    expect(r.summary['oracle:grad']).toBe(1 + sum)
    expect(r.summary['oracle:hess']).toBe(r.summary.iterations)
  })

  it('decreases f monotonically on accepted steps and stops at f − f* < tol', async () => {
    for (const hessian of ['exact', 'wgn'] as const) {
      const r = await runLocal(study, { problem: 'softmax', m: 20, n: 20, mu: 0.25, hessian, maxIter: 300 }, 1)
      const gap = r.columns.gap
      for (let i = 1; i < gap.length; i++) expect(gap[i]).toBeLessThanOrEqual(gap[i - 1])
      expect(gap[gap.length - 1]).toBeLessThan(1e-8)
      expect(gap[gap.length - 2]).toBeGreaterThanOrEqual(1e-8)
      expect(r.summary[hessian === 'exact' ? 'oracle:hess' : 'oracle:hessApprox']).toBe(r.summary.iterations)
    }
  })

  it('keeps the WGN system SPD as γ grows (ε guard and γ_min; pitfall: PSD model)', async () => {
    const r = await runLocal(study, { problem: 'softmax', m: 20, n: 30, mu: 0.25, hessian: 'wgn', maxIter: 400 }, 2)
    expect(r.status).toBe('done')
    expect(r.events.filter((e) => e.name === 'choleskyFailed' || e.name === 'stalled')).toEqual([])
    expect(r.summary.reached).toBe(1)
  })

  it('records the same rows, to the bit, with and without the WebAssembly kernels', () => {
    const run = (wasm: boolean) => {
      setWasmKernelsEnabled(wasm)
      try {
        const o = new SoftmaxObjective(drawSoftmaxData(Rng.stream(2, 'data'), 40, 30, 0.25))
        const { ctx, rows } = memoryContext()
        gradNormSmooth(o, new Metric(30, o.gram(1e-8)), { ...opts, model: 'exact', maxIter: 30 }, ctx)
        return rows
      } finally {
        setWasmKernelsEnabled(true)
      }
    }
    const a = run(true)
    expect(a.length).toBeGreaterThan(5)
    expect(a).toEqual(run(false))
  })

  it('takes the last trial point when all tries are rejected, as the repository does', () => {
    const { ctx, rows, events } = memoryContext()
    const res = gradNormSmooth(obj, metric, { ...opts, gamma0: 1e12, maxTries: 1 }, ctx)
    expect(events.map((e) => e.name)).toEqual(['searchExhausted'])
    expect(rows[1].values.gamma).toBe(5e11)
    expect(maxAbs(res.x.map((v, i) => v - obj.x0[i]))).toBeGreaterThan(0)
  })
})

describe('gradient method with backtracking', () => {
  const obj = new SoftmaxObjective(drawSoftmaxData(Rng.stream(5, 'data'), 10, 6, 1))
  const n = 6

  it('steps to T = x − B⁻¹g/L with the first L that passes the quadratic upper model', () => {
    for (const B of [null, obj.gram(1e-8)]) {
      const metric = new Metric(n, B)
      const { ctx, rows } = memoryContext()
      gradientMethod(obj, metric, { L0: 1, Lmin: 1e-5, maxBacktracks: 30, tol: 1e-8, maxIter: 1 }, ctx)
      // reference: double L until f(T) ≤ f + ⟨g, T − x⟩ + (L/2)‖T − x‖²_B, evaluated directly
      const x = Float64Array.from(obj.x0)
      const g = new Float64Array(n)
      const f = obj.valueAndGradient(x, g)
      const Bm = metric.B
      const d = gaussSolve(Bm, g, n)
      let L = 1
      let T = x
      for (;;) {
        T = x.map((v, i) => v - d[i] / L)
        const s = T.map((v, i) => v - x[i])
        let sBs = 0
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sBs += s[i] * Bm[i * n + j] * s[j]
        const model = f + g.reduce((a, gi, i) => a + gi * s[i], 0) + 0.5 * L * sBs
        if (obj.value(T) <= model) break
        L *= 2
      }
      expect(rows[1].values.L).toBe(Math.max(L / 2, 1e-5))
      expect(rows[1].values.gap).toBeCloseTo(obj.value(T) - obj.fStar, 12)
    }
  })
})

describe('study runs', () => {
  it('are bit-identical for the same seed and differ across seeds', async () => {
    const p = { problem: 'logistic', samples: 60, features: 8, hessian: 'fisher', maxIter: 50 }
    const a = await runLocal(study, p, 7)
    const b = await runLocal(study, p, 7)
    const c = await runLocal(study, p, 8)
    expect(Buffer.from(a.columns.gap.buffer).equals(Buffer.from(b.columns.gap.buffer))).toBe(true)
    expect(Buffer.from(a.columns.gap.buffer).equals(Buffer.from(c.columns.gap.buffer))).toBe(false)
  })

  it('reject a Hessian model that does not belong to the problem', async () => {
    await expect(runLocal(study, { problem: 'logistic', hessian: 'wgn' }, 0)).rejects.toThrow(/softmax only/)
    await expect(runLocal(study, { problem: 'softmax', hessian: 'fisher' }, 0)).rejects.toThrow(/logistic only/)
  })

  it('pin golden values (softmax m = n = 20, μ = 0.25; logistic m = 60, n = 8), relative tolerance 1e-9', async () => {
    const s = await runLocal(study, { problem: 'softmax', m: 20, n: 20, mu: 0.25, hessian: 'wgn', maxIter: 300 }, 0)
    const l = await runLocal(study, { problem: 'logistic', samples: 60, features: 8, hessian: 'fisher', maxIter: 300 }, 0)
    expect(s.summary.hitIteration).toBe(30)
    expect(l.summary.hitIteration).toBe(20)
    expect(Math.abs(s.columns.gap[5] / 2.86548674337325 - 1)).toBeLessThan(1e-9)
    expect(Math.abs(l.columns.gap[3] / 0.019225216681696633 - 1)).toBeLessThan(1e-9)
  })
})
