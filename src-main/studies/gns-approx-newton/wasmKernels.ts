/**
 * The dense kernels of one iteration of Algorithm 1 on the softmax problem, in WebAssembly
 * SIMD128, each instance with its own memory so that its operands stay resident between calls:
 *
 * - `matvec` and `rows`: ⟨a_i, x⟩ for every row (lanes over pairs of rows of a column-major copy of
 *   As), Σ_i π_i a_i and the π-scaled rows (lanes over pairs of columns), each entry summed in the
 *   JavaScript loops' order.
 * - `gram`: the Hessian's Gram product H = WᵀA (W, A stored k×n, row-major). A (the shifted data
 *   rows, plus the gradient row of the exact Hessian) is copied in once per objective and W (the
 *   π-scaled rows) is written in place each call, so nothing is packed or copied per product; only
 *   the upper triangle is computed (4×4 blocks, the diagonal blocks whole) and each off-diagonal
 *   block is stored transposed as well. Each entry is
 *   Σ_p W[p, i]·A[p, j] summed from 0 in increasing p, the same operations in the same order as
 *   the numeric core's packed gemm (one panel while k ≤ 256): the same bits.
 * - `chol`: the Cholesky factor of H + λB, column-major, in place: cholesky.ts's `choleskyInto`
 *   (two columns at a time, each entry's sum over k in increasing order) with the lanes over pairs
 *   of rows, so every entry is the same sequence of IEEE operations: the same bits.
 *
 * wasm SIMD has no fused multiply-add (without relaxed SIMD), so each lane rounds exactly as the
 * scalar code does. Where WebAssembly SIMD is unavailable (or refused, e.g. by a content security
 * policy, or switched off with the numeric core's setWasmSimdEnabled or setWasmKernelsEnabled
 * below) `create` returns null and the callers run the JavaScript paths, with the same results.
 * The module is emitted byte by byte here through the numeric core's shared emitter
 * (numeric/wasm-emit.ts; WebAssembly Core Specification 2.0, §5 binary format, and the SIMD
 * opcode table): no compiled artefact.
 */

import {
  BLOCK,
  br,
  brIf,
  Code,
  ELSE,
  END,
  F64,
  F64_CONST_0,
  F64_DIV,
  F64_EQ,
  F64_GT,
  F64_MUL,
  F64_NE,
  F64_SQRT,
  F64_SUB,
  f64Const,
  f64Load,
  f64Store,
  F64X2_ADD,
  F64X2_MUL,
  F64X2_SPLAT,
  F64X2_SUB,
  get,
  I32,
  I32_ADD,
  I32_EQZ,
  I32_GE_U,
  I32_GT_U,
  I32_LT_U,
  I32_MUL,
  I32_SHL,
  I32_SUB,
  i32Const,
  IF,
  instantiate,
  LOOP,
  RETURN,
  set,
  shuffleLane,
  V128,
  V128_CONST_0,
  v128Load,
  v128Load64Splat,
  v128Store,
  type FuncSpec,
} from '../../numeric/wasm-emit'

/**
 * gram(w, a, c, k, nb): for 4×4 blocks (ib ≤ jb < nb) of C (row stride 4·nb doubles),
 * C[4ib + r][4jb + h] = Σ_{p<k} W[p][4ib + r]·A[p][4jb + h], W and A with the same row stride;
 * w, a, c are byte addresses.
 */
function gramBody(): FuncSpec {
  const [W, A, C, K, NB] = [0, 1, 2, 3, 4]
  const [IB, JB, P, WP, AP, ROWB, CP] = [5, 6, 7, 8, 9, 10, 11]
  const ACC = 12 // ACC … ACC + 7: the 4×4 block as eight f64x2 (row r, half h at ACC + 2r + h)
  const [A0, A1, S] = [20, 21, 22]
  const { bytes: code, emit } = new Code()
  emit(get(NB), i32Const(5), [I32_SHL], set(ROWB))
  emit(i32Const(0), set(IB))
  emit(BLOCK, LOOP)
  emit(get(IB), get(NB), [I32_GE_U], brIf(1))
  emit(get(IB), set(JB))
  emit(BLOCK, LOOP)
  emit(get(JB), get(NB), [I32_GE_U], brIf(1))
  for (let q = 0; q < 8; q++) emit(V128_CONST_0, set(ACC + q))
  emit(get(W), get(IB), i32Const(5), [I32_SHL, I32_ADD], set(WP))
  emit(get(A), get(JB), i32Const(5), [I32_SHL, I32_ADD], set(AP))
  emit(get(K), set(P))
  emit(BLOCK, LOOP)
  emit(get(P), [I32_EQZ], brIf(1))
  emit(get(AP), v128Load(0), set(A0), get(AP), v128Load(16), set(A1))
  for (let r = 0; r < 4; r++) {
    emit(get(WP), v128Load64Splat(8 * r), set(S))
    emit(get(ACC + 2 * r), get(S), get(A0), F64X2_MUL, F64X2_ADD, set(ACC + 2 * r))
    emit(get(ACC + 2 * r + 1), get(S), get(A1), F64X2_MUL, F64X2_ADD, set(ACC + 2 * r + 1))
  }
  emit(get(WP), get(ROWB), [I32_ADD], set(WP))
  emit(get(AP), get(ROWB), [I32_ADD], set(AP))
  emit(get(P), i32Const(1), [I32_SUB], set(P))
  emit(br(0), [END, END])
  // cp = c + 4·ib·rowBytes + 32·jb
  emit(get(C), get(JB), i32Const(5), [I32_SHL, I32_ADD], set(CP))
  emit(get(CP), get(IB), get(ROWB), [I32_MUL], i32Const(2), [I32_SHL, I32_ADD], set(CP))
  for (let r = 0; r < 4; r++) {
    emit(get(CP), get(ACC + 2 * r), v128Store(0), get(CP), get(ACC + 2 * r + 1), v128Store(16))
    emit(get(CP), get(ROWB), [I32_ADD], set(CP))
  }
  // off the diagonal, the transposed block too (at block (jb, ib)): row h of it is column h of
  // the block, lanes picked from pairs of accumulators
  emit(get(JB), get(IB), [I32_GT_U], IF)
  emit(get(C), get(IB), i32Const(5), [I32_SHL, I32_ADD], get(JB), get(ROWB), [I32_MUL], i32Const(2), [I32_SHL, I32_ADD], set(CP))
  for (let h = 0; h < 4; h++) {
    const half = h >> 1 // accumulators of columns 0-1 or 2-3
    const lane = h & 1
    for (let q = 0; q < 2; q++) {
      // rows 2q and 2q + 1 of the block, lane `lane` of their half
      emit(get(CP), get(ACC + 2 * (2 * q) + half), get(ACC + 2 * (2 * q + 1) + half), shuffleLane(lane), v128Store(16 * q))
    }
    emit(get(CP), get(ROWB), [I32_ADD], set(CP))
  }
  emit([END])
  emit(get(JB), i32Const(1), [I32_ADD], set(JB))
  emit(br(0), [END, END])
  emit(get(IB), i32Const(1), [I32_ADD], set(IB))
  emit(br(0), [END, END])
  return { name: 'gram', params: [I32, I32, I32, I32, I32], results: [], locals: [[7, I32], [11, V128]], code }
}

/**
 * matvec(at, x, s, n, mb): s[4ib..4ib + 3] = Σ_{j<n} AT[j][4ib..4ib + 3]·x[j] for ib < mb, AT with
 * row stride 4·mb doubles (the data rows as columns, so four rows' entries j are contiguous); each
 * sum from 0 in increasing j, as the JavaScript ⟨a_i, x⟩.
 */
function matvecBody(): FuncSpec {
  const [AT, X, S, N, MB] = [0, 1, 2, 3, 4]
  const [IB, J, P, XP, ROWB] = [5, 6, 7, 8, 9]
  const [A0, A1, XV] = [10, 11, 12]
  const { bytes: code, emit } = new Code()
  emit(get(MB), i32Const(5), [I32_SHL], set(ROWB))
  emit(i32Const(0), set(IB))
  emit(BLOCK, LOOP)
  emit(get(IB), get(MB), [I32_GE_U], brIf(1))
  emit(V128_CONST_0, set(A0), V128_CONST_0, set(A1))
  emit(get(AT), get(IB), i32Const(5), [I32_SHL, I32_ADD], set(P), get(X), set(XP))
  emit(i32Const(0), set(J))
  emit(BLOCK, LOOP)
  emit(get(J), get(N), [I32_GE_U], brIf(1))
  emit(get(XP), v128Load64Splat(0), set(XV))
  emit(get(A0), get(P), v128Load(0), get(XV), F64X2_MUL, F64X2_ADD, set(A0))
  emit(get(A1), get(P), v128Load(16), get(XV), F64X2_MUL, F64X2_ADD, set(A1))
  emit(get(P), get(ROWB), [I32_ADD], set(P), get(XP), i32Const(8), [I32_ADD], set(XP))
  emit(get(J), i32Const(1), [I32_ADD], set(J))
  emit(br(0), [END, END])
  emit(get(S), get(IB), i32Const(5), [I32_SHL, I32_ADD], set(P))
  emit(get(P), get(A0), v128Store(0), get(P), get(A1), v128Store(16))
  emit(get(IB), i32Const(1), [I32_ADD], set(IB))
  emit(br(0), [END, END])
  return { name: 'matvec', params: [I32, I32, I32, I32, I32], results: [], locals: [[5, I32], [3, V128]], code }
}

/**
 * rows(w, a, pi, m, nb, c): with scale c ≠ 0 (`scaleRows`), W[r][·] = c·(π_r·A[r][·]) for r < m;
 * with c = 0 (`gradient`), w[·] = Σ_{r<m} π_r·A[r][·] (from 0, rows in increasing order, as the
 * JavaScript Σ_i π_i a_i when no π_i is 0). Rows have 4·nb doubles.
 */
function rowsBody(): FuncSpec {
  const [W, A, PI, M, NB, CS] = [0, 1, 2, 3, 4, 5]
  const [JB, R, P, PP, ROWB, WP] = [6, 7, 8, 9, 10, 11]
  const [V0, V1, SV, CV] = [12, 13, 14, 15]
  const { bytes: code, emit } = new Code()
  emit(get(NB), i32Const(5), [I32_SHL], set(ROWB))
  emit(get(CS), F64X2_SPLAT, set(CV))
  emit(i32Const(0), set(JB))
  emit(BLOCK, LOOP)
  emit(get(JB), get(NB), [I32_GE_U], brIf(1))
  emit(V128_CONST_0, set(V0), V128_CONST_0, set(V1))
  emit(get(A), get(JB), i32Const(5), [I32_SHL, I32_ADD], set(P), get(W), get(JB), i32Const(5), [I32_SHL, I32_ADD], set(WP), get(PI), set(PP))
  emit(i32Const(0), set(R))
  emit(BLOCK, LOOP)
  emit(get(R), get(M), [I32_GE_U], brIf(1))
  emit(get(PP), v128Load64Splat(0), set(SV))
  emit(get(CS), F64_CONST_0, [F64_NE], IF) // if c ≠ 0
  emit(get(WP), get(CV), get(SV), get(P), v128Load(0), F64X2_MUL, F64X2_MUL, v128Store(0))
  emit(get(WP), get(CV), get(SV), get(P), v128Load(16), F64X2_MUL, F64X2_MUL, v128Store(16))
  emit([ELSE])
  emit(get(V0), get(SV), get(P), v128Load(0), F64X2_MUL, F64X2_ADD, set(V0))
  emit(get(V1), get(SV), get(P), v128Load(16), F64X2_MUL, F64X2_ADD, set(V1))
  emit([END])
  emit(get(P), get(ROWB), [I32_ADD], set(P), get(WP), get(ROWB), [I32_ADD], set(WP), get(PP), i32Const(8), [I32_ADD], set(PP))
  emit(get(R), i32Const(1), [I32_ADD], set(R))
  emit(br(0), [END, END])
  emit(get(CS), F64_CONST_0, [F64_EQ], IF) // if c = 0: store the sums at w
  emit(get(W), get(JB), i32Const(5), [I32_SHL, I32_ADD], set(WP))
  emit(get(WP), get(V0), v128Store(0), get(WP), get(V1), v128Store(16))
  emit([END])
  emit(get(JB), i32Const(1), [I32_ADD], set(JB))
  emit(br(0), [END, END])
  return { name: 'rows', params: [I32, I32, I32, I32, I32, F64], results: [], locals: [[6, I32], [4, V128]], code }
}

/**
 * chol(c, n, stride) → −1, or the column whose pivot is not positive: factors in place the
 * column-major lower triangle at byte address c (entry (i, j) at c + 8·(j·stride + i)), which holds
 * M on entry and L on exit. stride ≥ n + 3: rows are taken four at a time, and the lanes past row
 * n − 1 compute on padding that no real entry reads.
 */
function cholBody(): FuncSpec {
  const [C, N, ST] = [0, 1, 2]
  const [J, K, I, CJ, CJ1, P, Q, STB] = [3, 4, 5, 6, 7, 8, 9, 10]
  const [D, INV, LJ1J, INV1, T] = [11, 12, 13, 14, 15]
  const [A0, A1, B0, B1, X0, X1, U, V] = [16, 17, 18, 19, 20, 21, 22, 23]
  const { bytes: code, emit } = new Code()
  /** byte address of column `col` (a local) plus 8·(row local + extra) */
  const addr = (base: number, row: number, extra = 0) => [...get(base), ...get(row), ...i32Const(3), I32_SHL, I32_ADD, ...(extra ? [...i32Const(8 * extra), I32_ADD] : [])]
  /** D ← D − Σ_{K < limit} x_K·y_K with x at P, y at Q, both stepping by STB (P = Q: a sum of squares) */
  const dotDown = (acc: number, limit: number[], square: boolean) => {
    emit(i32Const(0), set(K))
    emit(BLOCK, LOOP)
    emit(get(K), limit, [I32_GE_U], brIf(1))
    if (square) emit(get(P), f64Load(0), set(T), get(acc), get(T), get(T), [F64_MUL, F64_SUB], set(acc))
    else emit(get(acc), get(P), f64Load(0), get(Q), f64Load(0), [F64_MUL, F64_SUB], set(acc))
    emit(get(P), get(STB), [I32_ADD], set(P), get(Q), get(STB), [I32_ADD], set(Q))
    emit(get(K), i32Const(1), [I32_ADD], set(K))
    emit(br(0), [END, END])
  }
  /** if !(D > 0) return col */
  const checkPivot = (col: number[]) => emit(get(D), F64_CONST_0, [F64_GT, I32_EQZ], IF, col, [RETURN, END])
  emit(get(ST), i32Const(3), [I32_SHL], set(STB))
  emit(i32Const(0), set(J))
  emit(BLOCK, LOOP)
  emit(get(J), i32Const(1), [I32_ADD], get(N), [I32_GE_U], brIf(1))
  emit(get(C), get(J), get(STB), [I32_MUL, I32_ADD], set(CJ))
  emit(get(CJ), get(STB), [I32_ADD], set(CJ1))
  // pivot j: D = M[j, j] − Σ_{k<j} L[j, k]²
  emit(addr(CJ, J), f64Load(0), set(D))
  emit(addr(C, J), set(P), get(P), set(Q))
  dotDown(D, get(J), true)
  checkPivot(get(J))
  emit(addr(CJ, J), get(D), [F64_SQRT], set(D), get(D), f64Store(0))
  emit(f64Const(1), get(D), [F64_DIV], set(INV))
  // L[j + 1, j] = (M[j + 1, j] − Σ_{k<j} L[j + 1, k]·L[j, k])·inv
  emit(addr(CJ, J, 1), f64Load(0), set(T))
  emit(addr(C, J, 1), set(P), addr(C, J), set(Q))
  dotDown(T, get(J), false)
  emit(get(T), get(INV), [F64_MUL], set(LJ1J))
  emit(addr(CJ, J, 1), get(LJ1J), f64Store(0))
  // pivot j + 1: D = M[j + 1, j + 1] − Σ_{k≤j} L[j + 1, k]²
  emit(addr(CJ1, J, 1), f64Load(0), set(D))
  emit(addr(C, J, 1), set(P), get(P), set(Q))
  dotDown(D, [...get(J), ...i32Const(1), I32_ADD], true)
  checkPivot([...get(J), ...i32Const(1), I32_ADD])
  emit(addr(CJ1, J, 1), get(D), [F64_SQRT], set(D), get(D), f64Store(0))
  emit(f64Const(1), get(D), [F64_DIV], set(INV1))
  // rows i ≥ j + 2, four at a time (two f64x2 per column)
  emit(get(J), i32Const(2), [I32_ADD], set(I))
  emit(BLOCK, LOOP)
  emit(get(I), get(N), [I32_GE_U], brIf(1))
  emit(addr(CJ, I), v128Load(0), set(A0), addr(CJ, I), v128Load(16), set(A1))
  emit(addr(CJ1, I), v128Load(0), set(B0), addr(CJ1, I), v128Load(16), set(B1))
  emit(addr(C, I), set(P), addr(C, J), set(Q))
  emit(i32Const(0), set(K))
  emit(BLOCK, LOOP)
  emit(get(K), get(J), [I32_GE_U], brIf(1))
  emit(get(P), v128Load(0), set(X0), get(P), v128Load(16), set(X1))
  emit(get(Q), v128Load64Splat(0), set(U), get(Q), v128Load64Splat(8), set(V))
  emit(get(A0), get(X0), get(U), F64X2_MUL, F64X2_SUB, set(A0))
  emit(get(A1), get(X1), get(U), F64X2_MUL, F64X2_SUB, set(A1))
  emit(get(B0), get(X0), get(V), F64X2_MUL, F64X2_SUB, set(B0))
  emit(get(B1), get(X1), get(V), F64X2_MUL, F64X2_SUB, set(B1))
  emit(get(P), get(STB), [I32_ADD], set(P), get(Q), get(STB), [I32_ADD], set(Q))
  emit(get(K), i32Const(1), [I32_ADD], set(K))
  emit(br(0), [END, END])
  // column j: a·inv; column j + 1: (b − L[i, j]·L[j + 1, j])·inv1
  emit(get(INV), F64X2_SPLAT, set(U), get(A0), get(U), F64X2_MUL, set(A0), get(A1), get(U), F64X2_MUL, set(A1))
  emit(addr(CJ, I), get(A0), v128Store(0), addr(CJ, I), get(A1), v128Store(16))
  emit(get(LJ1J), F64X2_SPLAT, set(U), get(INV1), F64X2_SPLAT, set(V))
  emit(get(B0), get(A0), get(U), F64X2_MUL, F64X2_SUB, get(V), F64X2_MUL, set(B0))
  emit(get(B1), get(A1), get(U), F64X2_MUL, F64X2_SUB, get(V), F64X2_MUL, set(B1))
  emit(addr(CJ1, I), get(B0), v128Store(0), addr(CJ1, I), get(B1), v128Store(16))
  emit(get(I), i32Const(4), [I32_ADD], set(I))
  emit(br(0), [END, END])
  emit(get(J), i32Const(2), [I32_ADD], set(J))
  emit(br(0), [END, END])
  // n odd: the last pivot alone
  emit(get(J), get(N), [I32_LT_U], IF) // if J < N
  emit(get(C), get(J), get(STB), [I32_MUL, I32_ADD], set(CJ))
  emit(addr(CJ, J), f64Load(0), set(D))
  emit(addr(C, J), set(P), get(P), set(Q))
  dotDown(D, get(J), true)
  checkPivot(get(J))
  emit(addr(CJ, J), get(D), [F64_SQRT], f64Store(0))
  emit([END])
  emit(i32Const(0), i32Const(1), [I32_SUB])
  return { name: 'chol', params: [I32, I32, I32], results: [I32], locals: [[8, I32], [5, F64], [8, V128]], code }
}

/** Off switch for tests: the JavaScript paths instead (the same bits). */
let enabled = true
export function setWasmKernelsEnabled(on: boolean): void {
  enabled = on
}

/**
 * An instance of the module (compiled once) over its own memory of at least `doubles` doubles, or
 * null where WebAssembly SIMD is unavailable or switched off (here, or for the whole numeric core).
 */
function kernels(doubles: number): { exports: Record<string, unknown>; buffer: ArrayBuffer } | null {
  if (!enabled) return null
  const inst = instantiate('gns-approx-newton/wasmKernels', () => [gramBody(), cholBody(), matvecBody(), rowsBody()], doubles)
  return inst ? { exports: inst.exports, buffer: inst.f64.buffer as ArrayBuffer } : null
}

/**
 * The softmax objective's kernels over its shifted data rows As (m×n), resident in the module's
 * memory both as rows (A, with one more row for the exact Hessian's gradient row) and as columns
 * (AT): ⟨a_i, x⟩ for all i, Σ_i π_i a_i, the π-scaled rows W and the Gram product WᵀA.
 */
export class WasmSoftmax {
  /** row strides: n and m rounded up to multiples of 4 (the padding stays zero) */
  readonly stride: number
  readonly mStride: number
  /** views of the module's memory: W and A (k = m + 1 rows of `stride`), x (n), π (m), ⟨a_i, x⟩ (m), Σπ_i a_i (n) */
  readonly W: Float64Array
  readonly A: Float64Array
  readonly x: Float64Array
  readonly pi: Float64Array
  readonly s: Float64Array
  readonly g: Float64Array
  private readonly C: Float64Array
  private readonly AT: Float64Array
  private readonly at: Record<'W' | 'A' | 'C' | 'AT' | 'x' | 'pi' | 's' | 'g', number>
  private readonly gram: (w: number, a: number, c: number, k: number, nb: number) => void
  private readonly matvec: (at: number, x: number, s: number, n: number, mb: number) => void
  private readonly rows: (w: number, a: number, pi: number, m: number, nb: number, c: number) => void

  /** Kernels for the m×n rows As, or null where wasm is unavailable or off. */
  static create(As: Float64Array, m: number, n: number): WasmSoftmax | null {
    const stride = 4 * Math.ceil(n / 4)
    const mStride = 4 * Math.ceil(m / 4)
    const sizes = { W: (m + 1) * stride, A: (m + 1) * stride, C: stride * stride, AT: n * mStride, x: stride, pi: mStride, s: mStride, g: stride }
    const at = {} as WasmSoftmax['at']
    let total = 0
    for (const [key, len] of Object.entries(sizes)) {
      at[key as keyof typeof sizes] = total
      total += len
    }
    const inst = kernels(total)
    return inst ? new WasmSoftmax(inst.exports, inst.buffer, As, m, n, stride, mStride, at, sizes) : null
  }

  private constructor(
    exports: Record<string, unknown>,
    buffer: ArrayBuffer,
    As: Float64Array,
    readonly m: number,
    readonly n: number,
    stride: number,
    mStride: number,
    at: WasmSoftmax['at'],
    sizes: Record<keyof WasmSoftmax['at'], number>,
  ) {
    this.stride = stride
    this.mStride = mStride
    this.at = at
    const view = (key: keyof WasmSoftmax['at']) => new Float64Array(buffer, at[key] * 8, sizes[key])
    this.W = view('W')
    this.A = view('A')
    this.C = view('C')
    this.AT = view('AT')
    this.x = view('x')
    this.pi = view('pi')
    this.s = view('s')
    this.g = view('g')
    this.gram = exports.gram as WasmSoftmax['gram']
    this.matvec = exports.matvec as WasmSoftmax['matvec']
    this.rows = exports.rows as WasmSoftmax['rows']
    for (let i = 0; i < m; i++) {
      this.A.set(As.subarray(i * n, i * n + n), i * stride)
      for (let j = 0; j < n; j++) this.AT[j * mStride + i] = As[i * n + j]
    }
  }

  /** s ← (⟨a_i, x⟩)_i for the x written into `this.x` */
  rowDots(): void {
    const b = (key: keyof WasmSoftmax['at']) => this.at[key] * 8
    this.matvec(b('AT'), b('x'), b('s'), this.n, this.mStride / 4)
  }

  /** g ← Σ_i π_i a_i for the π written into `this.pi` (callers skip this when some π_i is 0) */
  weightedRowSum(): void {
    const b = (key: keyof WasmSoftmax['at']) => this.at[key] * 8
    this.rows(b('g'), b('A'), b('pi'), this.m, this.stride / 4, 0)
  }

  /** W's first m rows ← c·(π_i·a_i) (c ≠ 0) */
  scaleRows(c: number): void {
    const b = (key: keyof WasmSoftmax['at']) => this.at[key] * 8
    this.rows(b('W'), b('A'), b('pi'), this.m, this.stride / 4, c)
  }

  /**
   * H (n×n) ← WᵀA over the first `rows` rows of W and A, its upper triangle computed and copied
   * onto the lower one (the kernel stores each off-diagonal block transposed as well): exactly
   * symmetric, as `mirrorUpper` leaves it.
   */
  symmetricProduct(rows: number, H: Float64Array): void {
    const { n, stride, C } = this
    this.gram(this.at.W * 8, this.at.A * 8, this.at.C * 8, rows, stride / 4)
    if (stride === n) H.set(C.subarray(0, n * n))
    else for (let i = 0; i < n; i++) H.set(C.subarray(i * stride, i * stride + n), i * n)
    // the diagonal blocks hold both triangles of the product: mirror their upper ones
    for (let d = 0; d < n; d += 4)
      for (let r = d + 1; r < Math.min(d + 4, n); r++) for (let h = d; h < r; h++) H[r * n + h] = H[h * n + r]
  }
}

/**
 * The Cholesky factor of M + λB (n×n, lower triangles read) in the module's memory, column-major,
 * and the two triangular solves with it. `factor` and `solveInPlace` give the same bits as
 * cholesky.ts's choleskyInto(M, L, n, λ, B), forwardSolveInPlace and backSolveInPlace.
 */
export class WasmCholesky {
  /** column stride: n + 3 rounded up to an even count (see cholBody) */
  readonly stride: number
  /** L column-major: L[i, j] = Lc[j·stride + i] for i ≥ j */
  readonly Lc: Float64Array
  private readonly chol: (c: number, n: number, stride: number) => number

  static create(n: number): WasmCholesky | null {
    const stride = 2 * Math.ceil((n + 3) / 2)
    const inst = kernels(n * stride + 4)
    return inst ? new WasmCholesky(inst.exports, inst.buffer, n, stride) : null
  }

  private constructor(
    exports: Record<string, unknown>,
    buffer: ArrayBuffer,
    readonly n: number,
    stride: number,
  ) {
    this.stride = stride
    this.chol = exports.chol as WasmCholesky['chol']
    this.Lc = new Float64Array(buffer, 0, n * stride + 4)
  }

  /**
   * Factor M + λB (B null: M); false when a pivot is not positive, as choleskyInto. M and B must be
   * exactly symmetric (as Objective.hessian and Metric.B are): column j of the lower triangle is
   * read as row j of the upper one, contiguous.
   */
  factor(M: Float64Array, lambda: number, B: Float64Array | null): boolean {
    const { n, stride, Lc } = this
    for (let j = 0; j < n; j++) {
      const cj = j * stride - j * n
      if (B) for (let r = j * n + j; r < j * n + n; r++) Lc[cj + r] = M[r] + lambda * B[r]
      else for (let r = j * n + j; r < j * n + n; r++) Lc[cj + r] = M[r]
    }
    return this.chol(0, n, stride) < 0
  }

  /** x ← (L·Lᵀ)⁻¹x: forward then back substitution, each sum over k in increasing order. */
  solveInPlace(x: Float64Array): void {
    const { n, stride, Lc } = this
    // forward, four rows at a time: their sums over k < i side by side (the entries L[i..i+3, k]
    // are adjacent in a column), then the 4×4 triangle, each row's terms still in order of k
    let i = 0
    for (; i + 3 < n; i += 4) {
      let s0 = x[i]
      let s1 = x[i + 1]
      let s2 = x[i + 2]
      let s3 = x[i + 3]
      for (let k = 0; k < i; k++) {
        const c = k * stride + i
        const xk = x[k]
        s0 -= Lc[c] * xk
        s1 -= Lc[c + 1] * xk
        s2 -= Lc[c + 2] * xk
        s3 -= Lc[c + 3] * xk
      }
      const c0 = i * stride + i
      const c1 = c0 + stride
      const c2 = c1 + stride
      const y0 = s0 / Lc[c0]
      s1 -= Lc[c0 + 1] * y0
      const y1 = s1 / Lc[c1 + 1]
      s2 -= Lc[c0 + 2] * y0
      s2 -= Lc[c1 + 2] * y1
      const y2 = s2 / Lc[c2 + 2]
      s3 -= Lc[c0 + 3] * y0
      s3 -= Lc[c1 + 3] * y1
      s3 -= Lc[c2 + 3] * y2
      x[i] = y0
      x[i + 1] = y1
      x[i + 2] = y2
      x[i + 3] = s3 / Lc[c2 + stride + 3]
    }
    for (; i < n; i++) {
      let s = x[i]
      for (let k = 0; k < i; k++) s -= Lc[k * stride + i] * x[k]
      x[i] = s / Lc[i * stride + i]
    }
    for (let i = n - 1; i >= 0; i--) {
      const ci = i * stride
      let s = x[i]
      for (let k = i + 1; k < n; k++) s -= Lc[ci + k] * x[k]
      x[i] = s / Lc[ci + i]
    }
  }
}
