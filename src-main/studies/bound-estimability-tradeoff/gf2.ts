/**
 * Linear algebra over GF(2) on 32-bit words: row j of [X | y] is one word with the coordinates
 * of x_j in bits 0..d−1 (d ≤ 31) and y_j in bit 31. Reduced row-echelon form by XOR with pivots
 * in coordinate order, rank, consistency, and solutions with the free variables set to given
 * bits. Plus a deterministic 32-bit hash of a word array (MurmurHash3's x86_32 mixing).
 */

export const Y_BIT = 1 << 31
export const MAX_D = 31

/** the mask of the first s coordinates (bits 0..s−1) */
export function coordMask(s: number): number {
  if (s < 0 || s > MAX_D) throw new RangeError(`coordMask: s must be in 0..${MAX_D}, got ${s}`)
  return s === 0 ? 0 : ((1 << s) - 1) | 0
}

/** ⟨w, x⟩ mod 2 */
export function parity(x: number): number {
  x ^= x >>> 16
  x ^= x >>> 8
  x ^= x >>> 4
  x ^= x >>> 2
  x ^= x >>> 1
  return x & 1
}

export interface Echelon {
  /** the reduced rows (first `rank` are the pivot rows), each with y in bit 31 */
  rows: Int32Array
  /** pivot coordinate of reduced row i, for i < rank (increasing) */
  pivots: Int32Array
  rank: number
  /** no row reduces to 0 = 1 */
  consistent: boolean
  /** the coordinates the system is restricted to */
  mask: number
}

/**
 * Gauss–Jordan elimination over GF(2) of the m rows of [X | y] restricted to the coordinates
 * in `mask` (X_s when mask = coordMask(s)); pivots are taken in increasing coordinate order.
 * Writes into `out` (reused across calls: no allocation).
 */
export function eliminate(rowsIn: Int32Array, m: number, mask: number, out: Echelon): Echelon {
  const R = out.rows
  for (let i = 0; i < m; i++) R[i] = (rowsIn[i] & mask) | (rowsIn[i] & Y_BIT)
  let rank = 0
  for (let c = 0; c < MAX_D && rank < m; c++) {
    const bit = 1 << c
    if (!(mask & bit)) continue
    let p = -1
    for (let i = rank; i < m; i++) {
      if (R[i] & bit) {
        p = i
        break
      }
    }
    if (p < 0) continue
    const t = R[p]
    R[p] = R[rank]
    R[rank] = t
    for (let i = 0; i < m; i++) if (i !== rank && R[i] & bit) R[i] ^= t
    out.pivots[rank] = c
    rank++
  }
  let consistent = true
  for (let i = rank; i < m; i++) if (R[i] & Y_BIT) consistent = false
  out.rank = rank
  out.consistent = consistent
  out.mask = mask
  return out
}

export function newEchelon(m: number): Echelon {
  return { rows: new Int32Array(m), pivots: new Int32Array(MAX_D), rank: 0, consistent: true, mask: 0 }
}

/**
 * A solution of a consistent reduced system: free coordinates (in `mask`, not pivots) take the
 * successive bits of `freeBits` (bit 0 to the lowest free coordinate); coordinates outside
 * `mask` are 0; each pivot coordinate c of row i is y_i ⊕ ⟨row_i without c, w_free⟩.
 */
export function solution(E: Echelon, freeBits: number): number {
  let pivotMask = 0
  for (let i = 0; i < E.rank; i++) pivotMask |= 1 << E.pivots[i]
  let w = 0
  let next = 0
  for (let c = 0; c < MAX_D; c++) {
    const bit = 1 << c
    if (!(E.mask & bit) || pivotMask & bit) continue
    if ((freeBits >>> next) & 1) w |= bit
    next++
  }
  const free = w
  for (let i = 0; i < E.rank; i++) {
    const row = E.rows[i]
    const yi = row & Y_BIT ? 1 : 0
    if (yi ^ parity(row & E.mask & free)) w |= 1 << E.pivots[i]
  }
  return w
}

/** MurmurHash3 x86_32 of `n` words (deterministic; used to make A's coins a function of S). */
export function hashWords(words: Int32Array, n: number, seed = 0x9747b28c): number {
  let h = seed | 0
  for (let i = 0; i < n; i++) {
    let k = Math.imul(words[i], 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, 0x1b873593)
    h ^= k
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  h ^= n * 4
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}
