/**
 * The Step Law (Li et al. 2025, eqs. (1)–(2); arXiv 2503.04715):
 *   η*(N, D) = 1.79·N^−0.713·D^0.307        (peak learning rate)
 *   B*(D)    = 0.58·D^0.571                 (batch size in tokens; divide by seq_len for sequences)
 * N = non-embedding parameters, D = training tokens. A law is stored as natural-log linear
 * models, log η = a + b·log N + c·log D and log B = d + e·log D, as in the repository's
 * `fit_tool.py` (columns lr_intercept, lr_coefN, lr_coefD, bs_intercept, bs_coefD).
 */

export interface PowerLaw {
  /** log prefactor of η* (natural log) */
  lrIntercept: number
  lrCoefN: number
  lrCoefD: number
  /** log prefactor of B* in tokens */
  bsIntercept: number
  bsCoefD: number
}

export const PUBLISHED: PowerLaw = {
  lrIntercept: Math.log(1.79),
  lrCoefN: -0.713,
  lrCoefD: 0.307,
  bsIntercept: Math.log(0.58),
  bsCoefD: 0.571,
}

export function optimalLr(law: PowerLaw, N: number, D: number): number {
  return Math.exp(law.lrIntercept + law.lrCoefN * Math.log(N) + law.lrCoefD * Math.log(D))
}

/** B* in tokens. */
export function optimalBatchTokens(law: PowerLaw, D: number): number {
  return Math.exp(law.bsIntercept + law.bsCoefD * Math.log(D))
}

/** The calculator (the repository's `fit_tool.py pred-opt-lr-bs N D seq_len`). */
export function calculator(law: PowerLaw, N: number, D: number, seqLen: number) {
  const lr = optimalLr(law, N, D)
  const bsTokens = optimalBatchTokens(law, D)
  return { lr, bsTokens, bsSequences: bsTokens / seqLen }
}

/** Parse the 1000-row bootstrap parameter CSV (lr_intercept, lr_coefN, lr_coefD, bs_intercept, bs_coefD). */
export function parseParameterTable(text: string): PowerLaw[] {
  const lines = text.split(/\r?\n/).filter((l) => /\S/.test(l) && !l.trimStart().startsWith('#'))
  if (lines.length < 2) throw new Error('parameter table: needs a header row and at least one row')
  const delim = [',', '\t', ';'].sort((a, b) => lines[0].split(b).length - lines[0].split(a).length)[0]
  const header = lines[0].split(delim).map((h) => h.trim().replace(/"/g, '').toLowerCase())
  const need = ['lr_intercept', 'lr_coefn', 'lr_coefd', 'bs_intercept', 'bs_coefd']
  const idx = need.map((n) => header.indexOf(n))
  const missing = need.filter((_, k) => idx[k] < 0)
  if (missing.length) throw new Error(`parameter table: missing column(s) ${missing.join(', ')}; header: ${header.join(', ')}`)
  return lines.slice(1).map((line, k) => {
    const f = line.split(delim)
    const v = idx.map((i) => Number(f[i]))
    if (!v.every(Number.isFinite)) throw new Error(`parameter table line ${k + 2}: not all of ${need.join(', ')} are numbers`)
    return { lrIntercept: v[0], lrCoefN: v[1], lrCoefD: v[2], bsIntercept: v[3], bsCoefD: v[4] }
  })
}

/** The mean model of a set of bootstrap laws (what the repository's calculator predicts with). */
export function meanLaw(laws: readonly PowerLaw[]): PowerLaw {
  const m: PowerLaw = { lrIntercept: 0, lrCoefN: 0, lrCoefD: 0, bsIntercept: 0, bsCoefD: 0 }
  for (const l of laws) {
    m.lrIntercept += l.lrIntercept / laws.length
    m.lrCoefN += l.lrCoefN / laws.length
    m.lrCoefD += l.lrCoefD / laws.length
    m.bsIntercept += l.bsIntercept / laws.length
    m.bsCoefD += l.bsCoefD / laws.length
  }
  return m
}
