/**
 * The spec's baselines for the adversarial variant: FGSM and PGD adversarial training of the
 * non-convex network. Each GD step first replaces every training input by its adversarial
 * example in the ℓ∞ ball of radius ε on (x₁, x₂) against the current network, then takes the GD
 * step of ReluNetworkGd at those inputs (Madry et al. 2018's min-max training; FGSM after
 * Goodfellow et al. 2015):
 *   FGSM: δ = ε sign ∇_δ ℓ(0);   PGD: K steps δ ← Π_ε(δ + α sign ∇_δ ℓ(δ)), α = 2.5ε/K, from δ = 0,
 * with ℓ(δ) = ½(f(x + δ) − y)² and ∇_δ ℓ = (f − y) ∇ₓf.
 */
import { ReluNetworkGd } from './gd'
import { inputGradient, output, type ReluNet } from './network'
import type { XorData } from './problem'

export type Attack = 'none' | 'fgsm' | 'pgd'

const clip = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v)

/** Write the adversarial inputs for every point of `clean` into `adv.X` (bias column untouched). */
export function perturbInputs(net: ReluNet, clean: XorData, adv: XorData, eps: number, attack: Attack, steps: number): void {
  const { n, X, y } = clean
  const g = new Float64Array(2)
  for (let k = 0; k < n; k++) {
    const x1 = X[3 * k], x2 = X[3 * k + 1]
    let d1 = 0
    let d2 = 0
    if (attack !== 'none' && eps > 0) {
      const K = attack === 'fgsm' ? 1 : steps
      const alpha = attack === 'fgsm' ? eps : (2.5 * eps) / steps
      for (let t = 0; t < K; t++) {
        const r = output(net, x1 + d1, x2 + d2) - y[k]
        inputGradient(net, x1 + d1, x2 + d2, g)
        d1 = clip(d1 + alpha * Math.sign(r * g[0]), -eps, eps)
        d2 = clip(d2 + alpha * Math.sign(r * g[1]), -eps, eps)
      }
    }
    adv.X[3 * k] = x1 + d1
    adv.X[3 * k + 1] = x2 + d2
  }
}

/** GD whose every step is taken at the adversarial inputs of the current network. */
export class AdversarialGd {
  readonly adv: XorData
  readonly net: ReluNetworkGd
  readonly view: ReluNet

  constructor(
    readonly clean: XorData,
    m: number,
    beta: number,
    U0: Float64Array,
    a0: Float64Array,
    readonly eps: number,
    readonly attack: Attack,
    readonly steps: number,
  ) {
    this.adv = { ...clean, X: clean.X.slice() }
    this.net = new ReluNetworkGd(this.adv, m, beta, U0, a0)
    this.view = { m, U: this.net.U, a: this.net.a }
  }

  /** One adversarial-training step; returns the objective at the adversarial inputs before it. */
  step(lr: number): number {
    perturbInputs(this.view, this.clean, this.adv, this.eps, this.attack, this.steps)
    return this.net.step(lr)
  }

  /** The objective at the current adversarial inputs (the training loss it minimises). */
  objective(): number {
    perturbInputs(this.view, this.clean, this.adv, this.eps, this.attack, this.steps)
    return this.net.objectiveAndGradient().objective
  }
}
