/**
 * A test-only study that misbehaves on request: throws, produces NaN, allocates without bound,
 * or never yields. Registered only when DESCENT_PROBE_STUDY=1 (integration and fault tests),
 * so users never see it in the catalog.
 */
import { defineStudy, param } from '../kit'

export default defineStudy({
  id: 'probe',
  title: 'Fault probe (tests only)',
  paper: { title: 'none', authors: 'Descent tests', year: 2026, arxiv: '0000.00000' },
  summary: 'A geometric sequence x_t = ρ^t recorded every iteration, with optional faults.',
  params: {
    T: param.integer({ label: 'iterations', help: 'iterations to record', default: 100, min: 1, max: 10_000_000 }),
    rho: param.number({ label: 'ρ', help: 'contraction factor', default: 0.9, min: 0, max: 2 }),
    busyUs: param.number({ label: 'busy µs', help: 'busy-wait per iteration, µs', default: 0, min: 0, max: 1e6 }),
    fault: param.choice({
      label: 'fault',
      help: 'what goes wrong',
      default: 'none',
      choices: ['none', 'throw', 'nan', 'oom', 'hang'] as const,
    }),
    faultAt: param.integer({ label: 'fault at', help: 'iteration of the fault', default: 10, min: 0, max: 10_000_000 }),
  },
  metrics: {
    x: { label: 'x_t', scale: 'log' },
    pair: { label: 'pair', scale: 'linear', vector: true },
    clock: { label: 'wall clock', unit: 'ms since 1970', scale: 'linear', help: 'when the row was recorded (crash-loss tests)', wallClock: true },
  },
  oracles: { grad: 'gradient evaluations' },
  charts: [{ kind: 'series', id: 'x', title: 'x_t', y: ['x'], logY: true }],
  figures: [
    {
      id: 'two-rates',
      title: 'Two contraction factors',
      description: 'ρ = 0.5 and ρ = 0.9',
      seeds: [0, 1],
      runs: [
        { label: 'fast', params: { rho: 0.5 } },
        { label: 'slow', params: { rho: 0.9 } },
      ],
      charts: [{ kind: 'series', id: 'x', title: 'x_t', y: ['x'], logY: true }],
    },
  ],
  claims: [
    {
      id: 'contracts',
      text: 'x_T < 1 for ρ < 1',
      scope: 'run',
      appliesTo: (p) => (p.rho as number) < 1,
      check: (run) => ({ passed: run.last('x') < 1, measured: `x_T = ${run.last('x')}` }),
    },
    {
      id: 'fast-beats-slow',
      text: 'ρ = 0.5 ends below ρ = 0.9',
      scope: 'figure',
      figure: 'two-rates',
      check: (fig) => {
        const a = fig.run('fast').last('x')
        const b = fig.run('slow').last('x')
        return { passed: a < b, measured: `${a} < ${b}` }
      },
    },
  ],
  solve(p, ctx) {
    let x = 1
    const hog: Float64Array[] = []
    for (let t = 0; t < p.T; t++) {
      if (ctx.cancelled) return
      if (t === p.faultAt) {
        if (p.fault === 'throw') throw new Error(`probe fault at iteration ${t}`)
        if (p.fault === 'nan') x = NaN
        if (p.fault === 'hang') for (;;) x = Math.sqrt(x + 1)
        if (p.fault === 'oom') for (;;) hog.push(new Float64Array(1 << 20).fill(t))
      }
      if (p.busyUs > 0) {
        const until = performance.now() + p.busyUs / 1000
        while (performance.now() < until) x += 0
      }
      ctx.count('grad')
      ctx.record(t, { x, pair: [t, -t], clock: Date.now() })
      ctx.progress((t + 1) / p.T)
      x *= p.rho * (1 + 1e-3 * ctx.rng.normal())
    }
  },
})
