/**
 * Routing of a batch (m tokens × E experts, row-major scores) under biases b: top-K selection on
 * s + b, expert loads, the dual function D(b) of the balanced assignment LP, MaxVio and the
 * primal routed score (on the raw scores).
 *
 * LP (per batch, L = mK/E):  max Σ s_ti x_ti  s.t. Σ_i x_ti = K, Σ_t x_ti = L, 0 ≤ x ≤ 1.
 * Dual in the biases:        D(b) = Σ_t topK_sum_i(s_ti + b_i) − L·Σ_i b_i,
 * convex and piecewise linear, ∂D/∂b_i = load_i(b) − L, min_b D = the LP optimum.
 */

export interface RoutingResult {
  /** D(b) */
  dual: number
  /** Σ of raw scores over the selected (t, i) pairs */
  routedScore: number
}

/**
 * Top-K routing of one batch under biases b: fills `loads` (tokens per expert) and returns D(b)
 * and the routed raw score. Ties at the top-K boundary go to the lower expert index.
 */
export function routeBatch(
  scores: Float64Array,
  offset: number,
  m: number,
  E: number,
  K: number,
  b: Float64Array,
  loads: Float64Array,
  picks: Int32Array,
): RoutingResult {
  loads.fill(0)
  const L = (m * K) / E
  let dual = 0
  let routed = 0
  for (let t = 0; t < m; t++) {
    const row = offset + t * E
    // K largest of s_t + b by repeated selection (K is small)
    for (let k = 0; k < K; k++) {
      let best = -1
      let bestV = -Infinity
      for (let i = 0; i < E; i++) {
        let taken = false
        for (let q = 0; q < k; q++) if (picks[q] === i) taken = true
        if (taken) continue
        const v = scores[row + i] + b[i]
        if (v > bestV) {
          bestV = v
          best = i
        }
      }
      picks[k] = best
      dual += bestV
      routed += scores[row + best]
      loads[best] += 1
    }
  }
  let sumB = 0
  for (let i = 0; i < E; i++) sumB += b[i]
  dual -= L * sumB
  return { dual, routedScore: routed }
}

/** MaxVio = (max_i load_i − L̄)/L̄. */
export function maxViolation(loads: Float64Array, Lbar: number): number {
  let mx = -Infinity
  for (let i = 0; i < loads.length; i++) mx = Math.max(mx, loads[i])
  return (mx - Lbar) / Lbar
}

export function idleExperts(loads: Float64Array): number {
  let n = 0
  for (let i = 0; i < loads.length; i++) if (loads[i] === 0) n++
  return n
}

/** Re-centre b to mean 0 (the gauge: D(b + c·1) = D(b) because mK = LE). */
export function recentre(b: Float64Array): void {
  let s = 0
  for (let i = 0; i < b.length; i++) s += b[i]
  s /= b.length
  for (let i = 0; i < b.length; i++) b[i] -= s
}

/**
 * The LP optimum max Σ s_ti x_ti over balanced assignments, exactly, as a min-cost flow
 * source → token (capacity K) → expert (capacity 1, cost −s_ti) → sink (capacity L), solved by
 * successive shortest paths (SPFA on the residual graph); the LP is a transportation problem,
 * so its optimum is integral and equals the flow's. Returns the optimal routed score.
 */
export function assignmentLpOptimum(scores: Float64Array, offset: number, m: number, E: number, K: number): number {
  const L = (m * K) / E
  if (!Number.isInteger(L)) throw new Error(`mK/E = ${L} must be an integer`)
  const V = m + E + 2
  const src = m + E
  const snk = m + E + 1
  // edges: to, cap, cost, stored in arrays; edge e and e ^ 1 are a pair
  const maxEdges = 2 * (m + m * E + E)
  const to = new Int32Array(maxEdges)
  const cap = new Float64Array(maxEdges)
  const cost = new Float64Array(maxEdges)
  const next = new Int32Array(maxEdges)
  const head = new Int32Array(V).fill(-1)
  let ne = 0
  const addEdge = (u: number, v: number, c: number, w: number) => {
    to[ne] = v
    cap[ne] = c
    cost[ne] = w
    next[ne] = head[u]
    head[u] = ne++
    to[ne] = u
    cap[ne] = 0
    cost[ne] = -w
    next[ne] = head[v]
    head[v] = ne++
  }
  for (let t = 0; t < m; t++) addEdge(src, t, K, 0)
  for (let t = 0; t < m; t++) for (let i = 0; i < E; i++) addEdge(t, m + i, 1, -scores[offset + t * E + i])
  for (let i = 0; i < E; i++) addEdge(m + i, snk, L, 0)
  const dist = new Float64Array(V)
  const inQueue = new Uint8Array(V)
  const prevEdge = new Int32Array(V)
  const queue = new Int32Array(V + 1)
  let flow = 0
  const need = m * K
  while (flow < need) {
    dist.fill(Infinity)
    prevEdge.fill(-1)
    dist[src] = 0
    let qh = 0
    let qt = 0
    queue[qt++] = src
    inQueue[src] = 1
    let count = 1
    while (count > 0) {
      const u = queue[qh]
      qh = (qh + 1) % (V + 1)
      count--
      inQueue[u] = 0
      for (let e = head[u]; e !== -1; e = next[e]) {
        if (cap[e] <= 0) continue
        const v = to[e]
        const nd = dist[u] + cost[e]
        if (nd < dist[v] - 1e-12) {
          dist[v] = nd
          prevEdge[v] = e
          if (!inQueue[v]) {
            inQueue[v] = 1
            queue[qt] = v
            qt = (qt + 1) % (V + 1)
            count++
          }
        }
      }
    }
    if (!Number.isFinite(dist[snk])) throw new Error('assignment LP infeasible')
    // bottleneck along the path
    let push = Infinity
    for (let v = snk; v !== src; v = to[prevEdge[v] ^ 1]) push = Math.min(push, cap[prevEdge[v]])
    push = Math.min(push, need - flow)
    for (let v = snk; v !== src; v = to[prevEdge[v] ^ 1]) {
      cap[prevEdge[v]] -= push
      cap[prevEdge[v] ^ 1] += push
    }
    flow += push
  }
  // the optimal score, summed from the saturated token → expert edges (not from path costs)
  let score = 0
  for (let t = 0; t < m; t++) {
    for (let i = 0; i < E; i++) if (cap[2 * m + 2 * (t * E + i)] === 0) score += scores[offset + t * E + i]
  }
  return score
}
