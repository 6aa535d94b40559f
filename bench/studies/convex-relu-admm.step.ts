/**
 * convex-relu-admm: one ADMM iteration (admm.ts, ConvexReluAdmm.step: Woodbury u-solve, group
 * soft-threshold, slack and dual updates) at the default (XOR data n = 16, d = 3 lifted, exact
 * arrangements P = n(n−1)+1, β = 0.05, ρ = 0.1, γ = 1), built with the study's own dataFor /
 * arrangementsFor. The numpy twin has the same shapes (P×n patterns, 2P groups of d = 3).
 */
import { ConvexReluAdmm } from '../../src-main/studies/convex-relu-admm/admm'
import { arrangementsFor, dataFor } from '../../src-main/studies/convex-relu-admm/solver'
import type { StepCase } from './types'

const N = 16

export function steps(): StepCase[] {
  const P = arrangementsFor({ arrangements: 'exact', Ps: 128, samplingSeed: 0 }, 0, dataFor(0, N)).P
  return [
    {
      name: `convex-relu-admm n=${N} exact P=${P} one ADMM iteration`,
      py: 'convex-relu-admm_step',
      pyCase: String(P),
      note: 'ConvexReluAdmm.step()',
      setup: () => {
        const data = dataFor(0, N)
        const arr = arrangementsFor({ arrangements: 'exact', Ps: 128, samplingSeed: 0 }, 0, data)
        const admm = new ConvexReluAdmm(data, arr, { beta: 0.05, rho: 0.1, gamma: 1 })
        for (let i = 0; i < 50; i++) admm.step() // off the all-zero start
        return () => admm.step()
      },
    },
  ]
}
