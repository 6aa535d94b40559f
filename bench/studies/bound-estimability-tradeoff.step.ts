/**
 * bound-estimability-tradeoff: one trial of solveParity (solver.ts) at the default (d = 30,
 * m = 20, s = 19, q = 1): draw w* from the mixture prior and m uniform points of F_2^30 labelled
 * by the parity, Gauss–Jordan elimination over GF(2) of [X | y] and of [X_s | y], the algorithm
 * A_{s,q} (its coins seeded by a hash of S, a version-space solution) and the exact posterior p0.
 * The running aggregates and the metric row are left out. Uses the study's own gf2.ts and the
 * solver's algorithm / posteriorCorrect / occamBound.
 */
import { Rng } from '../../src-main/numeric/rng'
import { coordMask, eliminate, newEchelon, parity, Y_BIT } from '../../src-main/studies/bound-estimability-tradeoff/gf2'
import { algorithm, occamBound, posteriorCorrect } from '../../src-main/studies/bound-estimability-tradeoff/solver'
import type { StepCase } from './types'

export function steps(): StepCase[] {
  return [
    {
      name: 'bound-estimability-tradeoff d=30 m=20 s=19 one parity trial',
      py: 'bound-estimability-tradeoff_step',
      pyCase: 'default',
      note: 'draw (w*, S), two GF(2) eliminations, A_{s,q}(S), posterior p0 and Occam bound',
      setup: () => {
        const d = 30
        const m = 20
        const s = 19
        const q = 1
        const rng = new Rng(0, 'main')
        const maskD = coordMask(d)
        const maskS = coordMask(s)
        const rows = new Int32Array(m)
        const full = newEchelon(m)
        const restricted = newEchelon(m)
        let sink = 0
        return () => {
          const fromFs = rng.uniform() < 0.5
          const word = rng.nextUint32() | 0
          const wStar = fromFs ? word & maskS : word & maskD
          for (let j = 0; j < m; j++) {
            const x = (rng.nextUint32() | 0) & maskD
            rows[j] = x | (parity(x & wStar) ? Y_BIT : 0)
          }
          eliminate(rows, m, maskD, full)
          eliminate(rows, m, maskS, restricted)
          const out = algorithm(rows, m, q, full, restricted)
          const outInFs = (out.w & ~maskS) === 0
          const p0 = posteriorCorrect(outInFs, d, s, full.rank, restricted.rank, restricted.consistent)
          sink += p0 + occamBound(outInFs, d, s, m, 0.05) + (out.w === wStar ? 0 : 0.5)
          if (!Number.isFinite(sink)) throw new Error('non-finite posterior')
        }
      },
    },
  ]
}
