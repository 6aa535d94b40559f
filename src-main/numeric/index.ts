/**
 * The numeric core for studies: import from here (`import { gemm, symEig, Rng } from '../../numeric'`).
 * Autodiff ops are a namespace (`ad.matmul`, `ad.tanh`, …) because their names (add, exp, log,
 * sum, mean, transpose) would clash with the dense kernels and statistics.
 */
export * from './dense'
export * from './linalg'
export * from './spectra'
export * from './qp'
export { Rng } from './rng'
export { mean, median, variance, std, quantile, quantiles, bootstrapCI, lineFit, semilogFit, loglogFit, compensatedSum, type Interval, type LineFit } from './stats'
export * as ad from './autodiff'
export { Tape, Tensor, valueAndGrad, hessianVectorProduct, hessianOperator, directionalDerivative, parameterCount, type Parameter, type ScalarFunction } from './autodiff'
export { setWasmSimdEnabled, wasmSimdAvailable } from './wasm-simd'
export { gemmSkipZeros, WasmArena } from './wasm-arena'
