/**
 * The oracles, all to be maximised: Styblinski–Tang (the task), and the negative controls
 * Ackley and Rosenbrock in their standard forms, negated (the spec leaves their exact forms open).
 */
export type TaskName = 'styblinski-tang' | 'ackley' | 'rosenbrock'

/** The box the offline points are drawn from. */
export function taskBox(task: TaskName): [number, number] {
  return task === 'rosenbrock' ? [-2, 2] : [-5, 5]
}

/** f(x) = −½·Σ_i (x_i⁴ − 16x_i² + 5x_i). */
export function styblinskiTang(x: ArrayLike<number>, o: number, d: number): number {
  let s = 0
  for (let i = 0; i < d; i++) {
    const v = x[o + i]
    const v2 = v * v
    s += v2 * v2 - 16 * v2 + 5 * v
  }
  return -0.5 * s
}

/** −Ackley: 20·exp(−0.2·√(mean x²)) + exp(mean cos 2πx) − 20 − e. */
export function negAckley(x: ArrayLike<number>, o: number, d: number): number {
  let s2 = 0
  let sc = 0
  for (let i = 0; i < d; i++) {
    const v = x[o + i]
    s2 += v * v
    sc += Math.cos(2 * Math.PI * v)
  }
  return 20 * Math.exp(-0.2 * Math.sqrt(s2 / d)) + Math.exp(sc / d) - 20 - Math.E
}

/** −Rosenbrock: −Σ_{i<d} [100·(x_{i+1} − x_i²)² + (1 − x_i)²]. */
export function negRosenbrock(x: ArrayLike<number>, o: number, d: number): number {
  let s = 0
  for (let i = 0; i + 1 < d; i++) {
    const a = x[o + i]
    const b = x[o + i + 1]
    s += 100 * (b - a * a) ** 2 + (1 - a) ** 2
  }
  return -s
}

export function oracle(task: TaskName): (x: ArrayLike<number>, o: number, d: number) => number {
  if (task === 'ackley') return negAckley
  if (task === 'rosenbrock') return negRosenbrock
  return styblinskiTang
}
