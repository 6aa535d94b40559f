/**
 * The gemm micro-kernel in WebAssembly SIMD128, emitted byte by byte from this file through the
 * shared emitter (wasm-emit.ts: its primitives and opcode table; the module layout, with shared
 * function types, is assembled here): there is no compiled artefact to keep in sync, and the
 * module is the same on every machine.
 *
 * The kernel is the packed 4×4 register block of dense.ts's `gemmPacked` with two f64 lanes per
 * vector: for one KC-deep panel it walks every (4-row strip of op(A)) × (4-column strip of op(B))
 * pair and accumulates C_block += Σ_p a_p ⊗ b_p in eight f64x2 registers. Each lane performs the
 * same IEEE multiplies and adds in the same order as the scalar kernel (wasm has no fused
 * multiply-add without relaxed-SIMD), over the same panel depth, so the two paths give
 * bit-identical results and a study's numbers do not depend on which one ran.
 *
 * References: WebAssembly Core Specification 2.0, §5 (binary format) and the SIMD opcode table.
 */

import {
  BLOCK,
  br,
  brIf,
  Code,
  ELSE,
  END,
  extractLane,
  F64,
  F64_ADD,
  F64_CONST_0,
  F64_DIV,
  F64_EQ,
  F64_GT,
  F64_LE,
  F64_LT,
  F64_NE,
  F64_LOAD,
  F64_MUL,
  F64_STORE,
  F64_SQRT,
  F64_SUB,
  f64Const,
  f64Load,
  f64Store,
  F64X2_ADD,
  F64X2_DIV,
  F64X2_MUL,
  F64X2_SPLAT,
  F64X2_SUB,
  funcType,
  get,
  I32,
  I32_ADD,
  I32_AND,
  I32_EQZ,
  I32_GE_U,
  I32_GT_U,
  I32_LT_U,
  I32_MUL,
  I32_OR,
  I32_SHL,
  I32_SHR_U,
  I32_SUB,
  i32Const,
  IF,
  LOOP,
  memarg,
  RETURN,
  MODULE_HEADER,
  section,
  set,
  setWasmSimdEnabled,
  str,
  tee,
  uleb,
  V128,
  V128_CONST_0,
  V128_LOAD,
  V128_LOAD64_SPLAT,
  V128_STORE,
  vec,
  wasmSimdEnabled,
  type FuncSpec,
  type WasmApi,
  type WasmMemory,
} from './wasm-emit'

// Parameters (all i32): a, b, c (byte addresses), mb, nb (strip counts), kc (panel depth), ldc (doubles).
const P_A = 0
const P_B = 1
const P_C = 2
const P_MB = 3
const P_NB = 4
const P_KC = 5
const P_LDC = 6
// i32 locals.
const L_IB = 7
const L_JB = 8
const L_AP = 9
const L_BP = 10
const L_AEND = 11
const L_CP = 12
const L_LDCB = 13
const L_STRIP = 14
const L_ASTRIP = 15
/**
 * Rows per register block (MR × 4 block of C in 2·MR f64x2 accumulators). Measured on V8 11
 * (x64): MR = 4 runs a 256³ product in 1.9 ms, MR = 6 in 3.5 ms and MR = 8 in 6.4 ms — V8 keeps
 * wasm locals in the 16 xmm registers only, and 2·MR + 3 > 16 spills.
 */
export const MR = 4
// v128 locals: 2·MR accumulators, two B vectors, one splatted A value.
const L_ACC = 16
const L_B0 = L_ACC + 2 * MR
const L_B1 = L_B0 + 1
const L_AV = L_B0 + 2

/** Body of panel(a, b, c, mb, nb, kc, ldc). */
function panelBody(): number[] {
  const { bytes: code, emit } = new Code()
  // stripBytes = kc·32 (4 doubles per p); ldcBytes = ldc·8.
  emit(get(P_KC), i32Const(5), [I32_SHL], set(L_STRIP))
  emit(get(P_KC), i32Const(8 * MR), [I32_MUL], set(L_ASTRIP))
  emit(get(P_LDC), i32Const(3), [I32_SHL], set(L_LDCB))
  emit(i32Const(0), set(L_IB))
  emit(BLOCK, LOOP)
  emit(get(L_IB), get(P_MB), [I32_GE_U], brIf(1))
  emit(i32Const(0), set(L_JB))
  emit(BLOCK, LOOP)
  emit(get(L_JB), get(P_NB), [I32_GE_U], brIf(1))
  for (let r = 0; r < 2 * MR; r++) emit(V128_CONST_0, set(L_ACC + r))
  // ap = a + ib·strip; aend = ap + strip; bp = b + jb·strip.
  emit(get(P_A), get(L_IB), get(L_ASTRIP), [I32_MUL, I32_ADD], set(L_AP))
  emit(get(L_AP), get(L_ASTRIP), [I32_ADD], set(L_AEND))
  emit(get(P_B), get(L_JB), get(L_STRIP), [I32_MUL, I32_ADD], set(L_BP))
  emit(BLOCK, LOOP)
  emit(get(L_AP), get(L_AEND), [I32_GE_U], brIf(1))
  emit(get(L_BP), V128_LOAD, memarg(0), set(L_B0))
  emit(get(L_BP), V128_LOAD, memarg(16), set(L_B1))
  for (let r = 0; r < MR; r++) {
    emit(get(L_AP), V128_LOAD64_SPLAT, memarg(8 * r), set(L_AV))
    for (let h = 0; h < 2; h++) {
      const acc = L_ACC + 2 * r + h
      emit(get(acc), get(L_AV), get(h === 0 ? L_B0 : L_B1), F64X2_MUL, F64X2_ADD, set(acc))
    }
  }
  emit(get(L_AP), i32Const(8 * MR), [I32_ADD], set(L_AP))
  emit(get(L_BP), i32Const(32), [I32_ADD], set(L_BP))
  emit(br(0), [END, END])
  // cp = c + ib·4·ldcBytes + jb·32; then C rows r += acc.
  emit(get(P_C), get(L_IB), get(L_LDCB), [I32_MUL], i32Const(MR), [I32_MUL, I32_ADD])
  emit(get(L_JB), i32Const(5), [I32_SHL, I32_ADD], set(L_CP))
  for (let r = 0; r < MR; r++) {
    for (let h = 0; h < 2; h++) {
      emit(get(L_CP), get(L_CP), V128_LOAD, memarg(16 * h), get(L_ACC + 2 * r + h), F64X2_ADD, V128_STORE, memarg(16 * h))
    }
    if (r < MR - 1) emit(get(L_CP), get(L_LDCB), [I32_ADD], set(L_CP))
  }
  emit(get(L_JB), i32Const(1), [I32_ADD], set(L_JB))
  emit(br(0), [END, END])
  emit(get(L_IB), i32Const(1), [I32_ADD], set(L_IB))
  emit(br(0), [END, END])
  emit([END])
  const locals = vec([
    [...uleb(9), I32],
    [...uleb(2 * MR + 3), V128],
  ])
  return [...locals, ...code]
}

// Opcodes the shared table lacks (WebAssembly Core Specification 2.0, §5.4.7).
const F64_ABS = 0x99
const F64_NEG = 0x9a
const F64_MAX = 0xa5
const I32_EQ = 0x46
const EPS = 2 ** -52

/**
 * Body of ql(w, rowBytes, n, d, e, st, negligible) → i32: linalg.ts `tridiagonalQL`'s main loop
 * (EISPACK tql2 via JAMA: implicit QL with Wilkinson shifts) on the tridiagonal (d, e) already
 * shifted there, with each Givens rotation applied, in f64x2 pairs, to rows i and i+1 of the
 * eigenvector matrix at w:
 *   row_{i+1} ← s·row_i + c·row_{i+1},   row_i ← c·row_i − s·row_{i+1},
 * one step late (after the next step's recurrence), so that its row updates overlap that step's
 * divide/square-root latency (n = 50: 0.167 → 0.129 ms per symEig against applying it at once).
 * Every scalar operation is the JavaScript loop's, in its order (hypot included, branch for
 * branch), and the rotations are elementwise, so the result is bit-identical to it. Returns n
 * when done; l when the search for a small subdiagonal ran past the end (only with NaN in the
 * matrix), for the JavaScript loop to resume at l; n + 1 + l when eigenvalue l did not converge.
 * Before returning it stores the running shift f and bound tst1 at st and st + 8. rowBytes must
 * be a multiple of 16.
 */
function qlBody(): number[] {
  const [W, ROW, N, D, E, ST, NEG] = [0, 1, 2, 3, 4, 5, 6]
  const [L, M, I, ITER, A0, A1, AEND, DL, DI] = [7, 8, 9, 10, 11, 12, 13, 14, 15]
  const [F, TST1, G, P, R, H, C, C2, C3, S, S2, EL1, DL1, X, Y, T, EI] = [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32]
  const [CV, SV, V, HV, V2, HV2] = [33, 34, 35, 36, 37, 38]
  const PI = 39 // the row of the pending rotation
  const { bytes: code, emit } = new Code()
  // address of entry `idx` of the array at `base`
  const at = (base: number, idx: number): number[] => [...get(base), ...get(idx), ...i32Const(3), I32_SHL, I32_ADD]
  // R = hypot(X, Y) for X = |a|, Y = |b| (linalg.ts `hypot`, branch for branch).
  const hypot = (): void => {
    emit(get(X), get(Y), [F64_GT], IF)
    emit(get(Y), get(X), [F64_DIV], set(T), get(X), f64Const(1), get(T), get(T), [F64_MUL, F64_ADD, F64_SQRT, F64_MUL], set(R))
    emit([ELSE], get(Y), F64_CONST_0, [F64_EQ], IF)
    emit(F64_CONST_0, set(R))
    emit([ELSE], get(X), get(Y), [F64_DIV], set(T), get(Y), f64Const(1), get(T), get(T), [F64_MUL, F64_ADD, F64_SQRT, F64_MUL], set(R))
    emit([END, END])
  }
  // Rotate rows PI and PI + 1 by (CV, SV): two f64x2 pairs per pass, then a last pair.
  const rotate = (): void => {
    emit(get(W), get(PI), get(ROW), [I32_MUL, I32_ADD], tee(A0), get(ROW), [I32_ADD], tee(A1), set(AEND))
    emit(BLOCK, LOOP)
    emit(get(A0), i32Const(32), [I32_ADD], get(AEND), [I32_GT_U], brIf(1))
    emit(get(A0), V128_LOAD, memarg(0), set(V), get(A1), V128_LOAD, memarg(0), set(HV))
    emit(get(A0), V128_LOAD, memarg(16), set(V2), get(A1), V128_LOAD, memarg(16), set(HV2))
    emit(get(A1), get(SV), get(V), F64X2_MUL, get(CV), get(HV), F64X2_MUL, F64X2_ADD, V128_STORE, memarg(0))
    emit(get(A0), get(CV), get(V), F64X2_MUL, get(SV), get(HV), F64X2_MUL, F64X2_SUB, V128_STORE, memarg(0))
    emit(get(A1), get(SV), get(V2), F64X2_MUL, get(CV), get(HV2), F64X2_MUL, F64X2_ADD, V128_STORE, memarg(16))
    emit(get(A0), get(CV), get(V2), F64X2_MUL, get(SV), get(HV2), F64X2_MUL, F64X2_SUB, V128_STORE, memarg(16))
    emit(get(A0), i32Const(32), [I32_ADD], set(A0), get(A1), i32Const(32), [I32_ADD], set(A1))
    emit(br(0), [END, END])
    emit(get(A0), get(AEND), [I32_LT_U], IF)
    emit(get(A0), V128_LOAD, memarg(0), set(V), get(A1), V128_LOAD, memarg(0), set(HV))
    emit(get(A1), get(SV), get(V), F64X2_MUL, get(CV), get(HV), F64X2_MUL, F64X2_ADD, V128_STORE, memarg(0))
    emit(get(A0), get(CV), get(V), F64X2_MUL, get(SV), get(HV), F64X2_MUL, F64X2_SUB, V128_STORE, memarg(0))
    emit([END])
  }
  const store = (): void => {
    emit(get(ST), get(F), f64Store(0), get(ST), get(TST1), f64Store(8))
  }
  emit(F64_CONST_0, set(F), F64_CONST_0, set(TST1), i32Const(0), set(L))
  emit(BLOCK, LOOP)
  emit(get(L), get(N), [I32_GE_U], brIf(1))
  emit(at(D, L), set(DL))
  // tst1 = max(tst1, |d[l]| + |e[l]|)
  emit(get(TST1), get(DL), f64Load(0), [F64_ABS], at(E, L), f64Load(0), [F64_ABS, F64_ADD, F64_MAX], set(TST1))
  // m = first index ≥ l with |e[m]| ≤ eps·tst1 or ≤ negligible
  emit(get(L), set(M))
  emit(BLOCK, LOOP)
  emit(get(M), get(N), [I32_GE_U], brIf(1))
  emit(at(E, M), f64Load(0), [F64_ABS], set(T))
  emit(get(T), f64Const(EPS), get(TST1), [F64_MUL, F64_LE], brIf(1))
  emit(get(T), get(NEG), [F64_LE], brIf(1))
  emit(get(M), i32Const(1), [I32_ADD], set(M))
  emit(br(0), [END, END])
  emit(get(M), get(N), [I32_EQ], IF)
  store()
  emit(get(L), [RETURN, END])
  emit(get(L), get(M), [I32_LT_U], IF)
  emit(i32Const(0), set(ITER))
  emit(LOOP)
  emit(get(ITER), i32Const(1), [I32_ADD], tee(ITER), i32Const(60), [I32_GT_U], IF)
  store()
  emit(get(N), i32Const(1), [I32_ADD], get(L), [I32_ADD, RETURN, END])
  // g = d[l]; p = (d[l+1] − g) / (2·e[l]); r = ±hypot(p, 1)
  emit(get(DL), f64Load(0), set(G))
  emit(get(DL), f64Load(8), get(G), [F64_SUB], f64Const(2), at(E, L), f64Load(0), [F64_MUL, F64_DIV], set(P))
  emit(get(P), [F64_ABS], set(X), f64Const(1), set(Y))
  hypot()
  emit(get(P), F64_CONST_0, [F64_LT], IF, get(R), [F64_NEG], set(R), [END])
  // d[l] = e[l] / (p + r); d[l+1] = e[l]·(p + r); dl1 = d[l+1]; h = g − d[l]
  emit(get(P), get(R), [F64_ADD], set(T))
  emit(get(DL), at(E, L), f64Load(0), get(T), [F64_DIV], f64Store(0))
  emit(get(DL), at(E, L), f64Load(0), get(T), [F64_MUL], tee(DL1), f64Store(8))
  emit(get(G), get(DL), f64Load(0), [F64_SUB], set(H))
  // d[i] −= h for i ≥ l + 2; f += h
  emit(get(L), i32Const(2), [I32_ADD], set(I))
  emit(BLOCK, LOOP)
  emit(get(I), get(N), [I32_GE_U], brIf(1))
  emit(at(D, I), set(DI), get(DI), get(DI), f64Load(0), get(H), [F64_SUB], f64Store(0))
  emit(get(I), i32Const(1), [I32_ADD], set(I))
  emit(br(0), [END, END])
  emit(get(F), get(H), [F64_ADD], set(F))
  emit(at(D, M), f64Load(0), set(P))
  emit(f64Const(1), set(C), f64Const(1), set(C2), f64Const(1), set(C3))
  emit(at(E, L), f64Load(8), set(EL1), F64_CONST_0, set(S), F64_CONST_0, set(S2))
  // the sweep, i = m − 1 down to l
  emit(get(M), i32Const(1), [I32_SUB], set(I))
  emit(BLOCK, LOOP)
  emit(get(C2), set(C3), get(C), set(C2), get(S), set(S2))
  emit(at(E, I), f64Load(0), set(EI))
  emit(get(C), get(EI), [F64_MUL], set(G), get(C), get(P), [F64_MUL], set(H))
  emit(get(P), [F64_ABS], set(X), get(EI), [F64_ABS], set(Y))
  hypot()
  emit(at(E, I), get(S), get(R), [F64_MUL], f64Store(8))
  emit(get(EI), get(R), [F64_DIV], set(S), get(P), get(R), [F64_DIV], set(C))
  emit(at(D, I), set(DI))
  emit(get(C), get(DI), f64Load(0), [F64_MUL], get(S), get(G), [F64_MUL, F64_SUB], set(P))
  emit(get(DI), get(H), get(S), get(C), get(G), [F64_MUL], get(S), get(DI), f64Load(0), [F64_MUL, F64_ADD, F64_MUL, F64_ADD], f64Store(8))
  // Rotation i is applied after the recurrence of step i − 1 has been issued, so the rows'
  // updates fill the pipeline while that step waits on its divides and square root; rotations
  // still run in tql2's order (i + 1 before i) and never feed back into the recurrence.
  emit(get(I), i32Const(1), [I32_ADD], get(M), [I32_LT_U], IF)
  rotate()
  emit([END])
  emit(get(C), F64X2_SPLAT, set(CV), get(S), F64X2_SPLAT, set(SV), get(I), set(PI))
  emit(get(I), get(L), [I32_EQ], brIf(1))
  emit(get(I), i32Const(1), [I32_SUB], set(I))
  emit(br(0), [END, END])
  rotate() // the sweep's last rotation, i = l
  // p = (−s·s2·c3·el1·e[l]) / dl1; e[l] = s·p; d[l] = c·p
  emit(get(S), [F64_NEG], get(S2), [F64_MUL], get(C3), [F64_MUL], get(EL1), [F64_MUL], at(E, L), f64Load(0), [F64_MUL], get(DL1), [F64_DIV], set(P))
  emit(at(E, L), get(S), get(P), [F64_MUL], f64Store(0))
  emit(get(DL), get(C), get(P), [F64_MUL], f64Store(0))
  emit(at(E, L), f64Load(0), [F64_ABS], set(T))
  emit(get(T), f64Const(EPS), get(TST1), [F64_MUL], [F64_GT], get(T), get(NEG), [F64_GT], [I32_AND], brIf(0))
  emit([END]) // the iteration loop
  emit([END]) // if m > l
  // d[l] += f; e[l] = 0
  emit(get(DL), get(DL), f64Load(0), get(F), [F64_ADD], f64Store(0))
  emit(at(E, L), F64_CONST_0, f64Store(0))
  emit(get(L), i32Const(1), [I32_ADD], set(L))
  emit(br(0), [END, END])
  store()
  emit(get(N), [END])
  const locals = vec([
    [...uleb(9), I32],
    [...uleb(17), F64],
    [...uleb(6), V128],
    [...uleb(1), I32],
  ])
  return [...locals, ...code]
}

/**
 * Body of tred2(w, rowBytes, n, d, e): linalg.ts `tridiagonalise` with vectors, whole, on the
 * working matrix at w (n×n, rows of rowBytes) and d, e (n entries each): the Householder
 * reduction, its symv four rows at a time and then one (every row's dot product and every e[k]
 * get the same additions in the same order as in the JavaScript loops), the rank-2 update (a call
 * of `rank2`) and the back-accumulation (a call of `accumulate` per step, its scaled row in d).
 * Bit-identical to the JavaScript function.
 */
function tred2Body(accumulateIndex: number, rank2Index: number): number[] {
  const [W, ROW, N, D, E] = [0, 1, 2, 3, 4]
  const [I, J, K, J2, LAST, IM1, I1] = [5, 6, 7, 8, 9, 10, 11]
  const RB = [12, 13, 14, 15]
  const [SCALE, H, F, G, HH, DK] = [16, 17, 18, 19, 20, 21]
  const FS = [22, 23, 24, 25]
  const GS = [26, 27, 28, 29]
  const AS = [30, 31, 32, 33]
  const PB = 34 // a byte offset
  const CALL = 0x10
  const { bytes: code, emit } = new Code()
  // byte address of entry idx of the array at base; of W[row][col]; of row `row`
  const at = (base: number, idx: number): number[] => [...get(base), ...get(idx), ...i32Const(3), I32_SHL, I32_ADD]
  const rowAt = (row: number): number[] => [...get(W), ...get(row), ...get(ROW), I32_MUL, I32_ADD]
  const wAt = (row: number, col: number): number[] => [...rowAt(row), ...get(col), ...i32Const(3), I32_SHL, I32_ADD]
  // for (v = from; v < to; v++) body()
  const forUp = (v: number, from: number[], to: number[], body: () => void): void => {
    emit(from, set(v))
    emit(BLOCK, LOOP)
    emit(get(v), to, [I32_GE_U], brIf(1))
    body()
    emit(get(v), i32Const(1), [I32_ADD], set(v))
    emit(br(0), [END, END])
  }
  // for the entries 0 … count−1 of elementwise work: pair(p) for byte offsets p = 0, 16, … while a
  // whole f64x2 pair fits, then one(p) for a last single entry (f64x2 lanes do exactly the
  // scalar operations, so this is the scalar loop's result)
  const elementwise = (count: number[], pair: () => void, one: () => void): void => {
    emit(i32Const(0), set(PB))
    emit(BLOCK, LOOP)
    emit(get(PB), i32Const(16), [I32_ADD], count, i32Const(3), [I32_SHL, I32_GT_U], brIf(1))
    pair()
    emit(get(PB), i32Const(16), [I32_ADD], set(PB))
    emit(br(0), [END, END])
    emit(get(PB), count, i32Const(3), [I32_SHL, I32_LT_U], IF)
    one()
    emit([END])
  }
  const vAt = (base: number): number[] => [...get(base), ...get(PB), I32_ADD]
  const zero = i32Const(0)
  emit(get(N), i32Const(1), [I32_SUB], set(LAST))
  // d[j] = W[j][n−1]
  forUp(J, zero, get(N), () => emit(at(D, J), wAt(J, LAST), f64Load(0), f64Store(0)))
  // for i = n−1 down to 1
  emit(get(LAST), set(I))
  emit(BLOCK, LOOP)
  emit(get(I), [I32_EQZ], brIf(1))
  emit(get(I), i32Const(1), [I32_SUB], set(IM1))
  emit(F64_CONST_0, set(SCALE), F64_CONST_0, set(H))
  forUp(K, zero, get(I), () => emit(get(SCALE), at(D, K), f64Load(0), [F64_ABS, F64_ADD], set(SCALE)))
  emit(get(SCALE), F64_CONST_0, [F64_EQ], IF)
  // e[i] = d[i−1]; d[j] = W[j][i−1], W[j][i] = 0, W[i][j] = 0
  emit(at(E, I), at(D, IM1), f64Load(0), f64Store(0))
  forUp(J, zero, get(I), () => {
    emit(at(D, J), wAt(J, IM1), f64Load(0), f64Store(0))
    emit(wAt(J, I), F64_CONST_0, f64Store(0))
    emit(wAt(I, J), F64_CONST_0, f64Store(0))
  })
  emit([ELSE])
  // d[k] /= scale; h += d[k]²
  elementwise(
    get(I),
    () => emit(vAt(D), vAt(D), V128_LOAD, memarg(0), get(SCALE), F64X2_SPLAT, F64X2_DIV, V128_STORE, memarg(0)),
    () => emit(vAt(D), vAt(D), f64Load(0), get(SCALE), [F64_DIV], f64Store(0)),
  )
  forUp(K, zero, get(I), () => emit(get(H), at(D, K), f64Load(0), at(D, K), f64Load(0), [F64_MUL, F64_ADD], set(H)))
  // f = d[i−1]; g = −sign(f)·√h; e[i] = scale·g; h −= f·g; d[i−1] = f − g
  emit(at(D, IM1), f64Load(0), set(F))
  emit(get(H), [F64_SQRT], set(G))
  emit(get(F), F64_CONST_0, [F64_GT], IF, get(G), [F64_NEG], set(G), [END])
  emit(at(E, I), get(SCALE), get(G), [F64_MUL], f64Store(0))
  emit(get(H), get(F), get(G), [F64_MUL, F64_SUB], set(H))
  emit(at(D, IM1), get(F), get(G), [F64_SUB], f64Store(0))
  forUp(J, zero, get(I), () => emit(at(E, J), F64_CONST_0, f64Store(0)))
  // symv, four rows j2 … j2+3 at a time while j2 + 3 < i
  emit(i32Const(0), set(J2))
  emit(BLOCK, LOOP)
  emit(get(J2), i32Const(3), [I32_ADD], get(I), [I32_GE_U], brIf(1))
  for (let r = 0; r < 4; r++) {
    emit(get(J2), i32Const(r), [I32_ADD], set(J))
    emit(at(D, J), f64Load(0), set(FS[r]))
    emit(wAt(I, J), get(FS[r]), f64Store(0))
    emit(rowAt(J), set(RB[r]))
  }
  // the head: at k = j2 + t, rows r < t add their terms, then row t starts from e[k]
  for (let t = 0; t < 4; t++) {
    emit(get(J2), i32Const(t), [I32_ADD], set(K))
    const wk = (r: number): number[] => [...get(RB[r]), ...get(K), ...i32Const(3), I32_SHL, I32_ADD, ...f64Load(0)]
    for (let r = 0; r < t; r++) {
      emit(get(GS[r]), wk(r), at(D, K), f64Load(0), [F64_MUL, F64_ADD], set(GS[r]))
      emit(at(E, K), at(E, K), f64Load(0), wk(r), get(FS[r]), [F64_MUL, F64_ADD], f64Store(0))
    }
    emit(at(E, K), f64Load(0), wk(t), get(FS[t]), [F64_MUL, F64_ADD], set(GS[t]))
  }
  // k = j2 + 4 … i − 1: all four rows
  forUp(K, [...get(J2), ...i32Const(4), I32_ADD], get(I), () => {
    for (let r = 0; r < 4; r++) emit(get(RB[r]), get(K), i32Const(3), [I32_SHL, I32_ADD], f64Load(0), set(AS[r]))
    emit(at(D, K), f64Load(0), set(DK))
    for (let r = 0; r < 4; r++) emit(get(GS[r]), get(AS[r]), get(DK), [F64_MUL, F64_ADD], set(GS[r]))
    emit(at(E, K), at(E, K), f64Load(0))
    for (let r = 0; r < 4; r++) emit(get(AS[r]), get(FS[r]), [F64_MUL, F64_ADD])
    emit(f64Store(0))
  })
  for (let r = 0; r < 4; r++) emit(get(J2), i32Const(r), [I32_ADD], set(J), at(E, J), get(GS[r]), f64Store(0))
  emit(get(J2), i32Const(4), [I32_ADD], set(J2))
  emit(br(0), [END, END])
  // the remaining rows one at a time
  forUp(J, get(J2), get(I), () => {
    emit(at(D, J), f64Load(0), set(F))
    emit(wAt(I, J), get(F), f64Store(0))
    emit(rowAt(J), set(RB[0]))
    emit(at(E, J), f64Load(0), wAt(J, J), f64Load(0), get(F), [F64_MUL, F64_ADD], set(G))
    forUp(K, [...get(J), ...i32Const(1), I32_ADD], get(I), () => {
      emit(get(RB[0]), get(K), i32Const(3), [I32_SHL, I32_ADD], f64Load(0), set(AS[0]))
      emit(get(G), get(AS[0]), at(D, K), f64Load(0), [F64_MUL, F64_ADD], set(G))
      emit(at(E, K), at(E, K), f64Load(0), get(AS[0]), get(F), [F64_MUL, F64_ADD], f64Store(0))
    })
    emit(at(E, J), get(G), f64Store(0))
  })
  // e[j] /= h; f = Σ e[j]·d[j]; hh = f / (h + h); e[j] −= hh·d[j]
  emit(F64_CONST_0, set(F))
  elementwise(
    get(I),
    () => emit(vAt(E), vAt(E), V128_LOAD, memarg(0), get(H), F64X2_SPLAT, F64X2_DIV, V128_STORE, memarg(0)),
    () => emit(vAt(E), vAt(E), f64Load(0), get(H), [F64_DIV], f64Store(0)),
  )
  forUp(J, zero, get(I), () => emit(get(F), at(E, J), f64Load(0), at(D, J), f64Load(0), [F64_MUL, F64_ADD], set(F)))
  emit(get(F), get(H), get(H), [F64_ADD, F64_DIV], set(HH))
  elementwise(
    get(I),
    () => emit(vAt(E), vAt(E), V128_LOAD, memarg(0), get(HH), F64X2_SPLAT, vAt(D), V128_LOAD, memarg(0), F64X2_MUL, F64X2_SUB, V128_STORE, memarg(0)),
    () => emit(vAt(E), vAt(E), f64Load(0), get(HH), vAt(D), f64Load(0), [F64_MUL, F64_SUB], f64Store(0)),
  )
  emit(get(W), get(ROW), get(I), get(D), get(E), [CALL], uleb(rank2Index))
  emit([END])
  // d[i] = h
  emit(at(D, I), get(H), f64Store(0))
  emit(get(I), i32Const(1), [I32_SUB], set(I))
  emit(br(0), [END, END])
  // accumulate the transformations
  forUp(I, zero, get(LAST), () => {
    emit(get(I), i32Const(1), [I32_ADD], set(I1))
    emit(wAt(I, LAST), wAt(I, I), f64Load(0), f64Store(0))
    emit(wAt(I, I), f64Const(1), f64Store(0))
    emit(at(D, I1), f64Load(0), set(H))
    emit(get(H), F64_CONST_0, [F64_NE], IF)
    emit(rowAt(I1), set(RB[0]))
    elementwise(
      get(I1),
      () => emit(vAt(D), vAt(RB[0]), V128_LOAD, memarg(0), get(H), F64X2_SPLAT, F64X2_DIV, V128_STORE, memarg(0)),
      () => emit(vAt(D), vAt(RB[0]), f64Load(0), get(H), [F64_DIV], f64Store(0)),
    )
    emit(get(W), get(ROW), get(I), get(D), [CALL], uleb(accumulateIndex))
    emit([END])
    forUp(K, zero, get(I1), () => emit(wAt(I1, K), F64_CONST_0, f64Store(0)))
  })
  // d[j] = W[j][n−1], W[j][n−1] = 0; W[n−1][n−1] = 1; e[0] = 0
  forUp(J, zero, get(N), () => {
    emit(at(D, J), wAt(J, LAST), f64Load(0), f64Store(0))
    emit(wAt(J, LAST), F64_CONST_0, f64Store(0))
  })
  emit(wAt(LAST, LAST), f64Const(1), f64Store(0))
  emit(get(E), F64_CONST_0, f64Store(0))
  emit([END])
  const locals = vec([
    [...uleb(11), I32],
    [...uleb(18), F64],
    [...uleb(1), I32],
  ])
  return [...locals, ...code]
}

/**
 * Body of accumulate(w, rowBytes, i, d): one step of tred2's back-accumulation on the rows of the
 * working matrix at w. For j = 0 … i: g = ⟨row_{i+1}, row_j⟩ over the first i + 1 entries, then
 * row_j[k] −= g·d[k] for k ≤ i. The dot product keeps `dotAt`'s four partial sums (lanes of two
 * f64x2 accumulators), its scalar tail into the first sum and its final (s0 + s1) + (s2 + s3), so
 * the result is bit-identical to the scalar code. Rows j go two at a time (independent sums, so
 * twice the adds in flight; no row reads another row j), then one.
 */
function accumulateBody(): number[] {
  const [W, ROW, I, D] = [0, 1, 2, 3]
  const [J, XR, P, LENB, END4, END2] = [4, 5, 6, 7, 8, 9]
  const YR = [10, 11]
  const [S0, S1, S2, S3] = [12, 13, 14, 15]
  const G = [16, 17]
  const ACC01 = [18, 19]
  const ACC23 = [20, 21]
  const GV = [22, 23]
  const [XV, DV] = [24, 25]
  const { bytes: code, emit } = new Code()
  // lenBytes = (i+1)·8; end4 = ((i+1) >> 2)·32; end2 = ((i+1) >> 1)·16; xr = w + (i+1)·rowBytes.
  emit(get(I), i32Const(1), [I32_ADD], i32Const(3), [I32_SHL], set(LENB))
  emit(get(I), i32Const(1), [I32_ADD], i32Const(2), [I32_SHR_U], i32Const(5), [I32_SHL], set(END4))
  emit(get(I), i32Const(1), [I32_ADD], i32Const(1), [I32_SHR_U], i32Const(4), [I32_SHL], set(END2))
  emit(get(W), get(I), i32Const(1), [I32_ADD], get(ROW), [I32_MUL, I32_ADD], set(XR))
  emit(i32Const(0), set(J))
  // rows = rows j, j+1, … handled per pass: two while j + 1 ≤ i (sharing the loads of row i+1
  // and of d, each row's sums and updates its own, as one row at a time), then one.
  for (const rows of [2, 1]) {
    emit(BLOCK, LOOP)
    emit(get(J), i32Const(rows - 1), [I32_ADD], get(I), [I32_GT_U], brIf(1))
    for (let r = 0; r < rows; r++) {
      emit(get(W), get(J), i32Const(r), [I32_ADD], get(ROW), [I32_MUL, I32_ADD], set(YR[r]))
      emit(V128_CONST_0, set(ACC01[r]), V128_CONST_0, set(ACC23[r]))
    }
    emit(i32Const(0), set(P))
    emit(BLOCK, LOOP)
    emit(get(P), get(END4), [I32_GE_U], brIf(1))
    for (const off of [0, 16]) {
      const acc = off === 0 ? ACC01 : ACC23
      emit(get(XR), get(P), [I32_ADD], V128_LOAD, memarg(off), set(XV))
      for (let r = 0; r < rows; r++) emit(get(acc[r]), get(XV), get(YR[r]), get(P), [I32_ADD], V128_LOAD, memarg(off), F64X2_MUL, F64X2_ADD, set(acc[r]))
    }
    emit(get(P), i32Const(32), [I32_ADD], set(P))
    emit(br(0), [END, END])
    for (let r = 0; r < rows; r++) {
      // dotAt's four partial sums, its scalar tail into the first, then (s0 + s1) + (s2 + s3)
      emit(get(ACC01[r]), extractLane(0), set(S0), get(ACC01[r]), extractLane(1), set(S1))
      emit(get(ACC23[r]), extractLane(0), set(S2), get(ACC23[r]), extractLane(1), set(S3))
      emit(get(END4), set(P))
      emit(BLOCK, LOOP)
      emit(get(P), get(LENB), [I32_GE_U], brIf(1))
      emit(get(S0), get(XR), get(P), [I32_ADD, F64_LOAD], memarg(0), get(YR[r]), get(P), [I32_ADD, F64_LOAD], memarg(0), [F64_MUL, F64_ADD], set(S0))
      emit(get(P), i32Const(8), [I32_ADD], set(P))
      emit(br(0), [END, END])
      emit(get(S0), get(S1), [F64_ADD], get(S2), get(S3), [F64_ADD, F64_ADD], set(G[r]))
      emit(get(G[r]), F64X2_SPLAT, set(GV[r]))
    }
    // row_j[k] −= g_j·d[k], k ≤ i
    emit(i32Const(0), set(P))
    emit(BLOCK, LOOP)
    emit(get(P), get(END2), [I32_GE_U], brIf(1))
    emit(get(D), get(P), [I32_ADD], V128_LOAD, memarg(0), set(DV))
    for (let r = 0; r < rows; r++) emit(get(YR[r]), get(P), [I32_ADD], get(YR[r]), get(P), [I32_ADD], V128_LOAD, memarg(0), get(GV[r]), get(DV), F64X2_MUL, F64X2_SUB, V128_STORE, memarg(0))
    emit(get(P), i32Const(16), [I32_ADD], set(P))
    emit(br(0), [END, END])
    emit(BLOCK, LOOP)
    emit(get(P), get(LENB), [I32_GE_U], brIf(1))
    for (let r = 0; r < rows; r++) emit(get(YR[r]), get(P), [I32_ADD], get(YR[r]), get(P), [I32_ADD, F64_LOAD], memarg(0), get(G[r]), get(D), get(P), [I32_ADD, F64_LOAD], memarg(0), [F64_MUL, F64_SUB, F64_STORE], memarg(0))
    emit(get(P), i32Const(8), [I32_ADD], set(P))
    emit(br(0), [END, END])
    emit(get(J), i32Const(rows), [I32_ADD], set(J))
    emit(br(0), [END, END])
  }
  emit([END])
  const locals = vec([
    [...uleb(8), I32],
    [...uleb(6), F64],
    [...uleb(10), V128],
  ])
  return [...locals, ...code]
}

/**
 * Body of rank2(w, rowBytes, i, d, e): the symmetric rank-2 update that ends one step of tred2's
 * reduction, on the rows of the working matrix at w. For j = 0 … i−1, with f = d[j], g = e[j]:
 *   row_j[k] −= f·e[k] + g·d[k]  for j ≤ k < i,   then d[j] = row_j[i−1] and row_j[i] = 0.
 * Elementwise (no sums across k), so the f64x2 lanes give exactly the scalar results.
 */
function rank2Body(): number[] {
  const [W, ROW, I, D, E] = [0, 1, 2, 3, 4]
  const [J, YR, P, IEND] = [5, 6, 7, 8]
  const [F, G] = [9, 10]
  const [FV, GV] = [11, 12]
  const { bytes: code, emit } = new Code()
  emit(get(I), i32Const(3), [I32_SHL], set(IEND))
  emit(i32Const(0), set(J))
  emit(BLOCK, LOOP)
  emit(get(J), get(I), [I32_GE_U], brIf(1))
  emit(get(W), get(J), get(ROW), [I32_MUL, I32_ADD], set(YR))
  emit(get(D), get(J), i32Const(3), [I32_SHL, I32_ADD], f64Load(0), set(F))
  emit(get(E), get(J), i32Const(3), [I32_SHL, I32_ADD], f64Load(0), set(G))
  emit(get(F), F64X2_SPLAT, set(FV), get(G), F64X2_SPLAT, set(GV))
  emit(get(J), i32Const(3), [I32_SHL], set(P))
  // Pairs while p + 16 ≤ end.
  emit(BLOCK, LOOP)
  emit(get(P), i32Const(16), [I32_ADD], get(IEND), [I32_GT_U], brIf(1))
  emit(get(YR), get(P), [I32_ADD])
  emit(get(YR), get(P), [I32_ADD], V128_LOAD, memarg(0))
  emit(get(FV), get(E), get(P), [I32_ADD], V128_LOAD, memarg(0), F64X2_MUL)
  emit(get(GV), get(D), get(P), [I32_ADD], V128_LOAD, memarg(0), F64X2_MUL, F64X2_ADD)
  emit(F64X2_SUB, V128_STORE, memarg(0))
  emit(get(P), i32Const(16), [I32_ADD], set(P))
  emit(br(0), [END, END])
  // A last single entry.
  emit(BLOCK)
  emit(get(P), get(IEND), [I32_GE_U], brIf(0))
  emit(get(YR), get(P), [I32_ADD])
  emit(get(YR), get(P), [I32_ADD], f64Load(0))
  emit(get(F), get(E), get(P), [I32_ADD], f64Load(0), [F64_MUL])
  emit(get(G), get(D), get(P), [I32_ADD], f64Load(0), [F64_MUL, F64_ADD])
  emit([F64_SUB, F64_STORE], memarg(0))
  emit([END])
  // d[j] = row_j[i−1]; row_j[i] = 0.
  emit(get(D), get(J), i32Const(3), [I32_SHL, I32_ADD], get(YR), get(IEND), [I32_ADD], i32Const(8), [I32_SUB], f64Load(0), [F64_STORE], memarg(0))
  emit(get(YR), get(IEND), [I32_ADD], F64_CONST_0, [F64_STORE], memarg(0))
  emit(get(J), i32Const(1), [I32_ADD], set(J))
  emit(br(0), [END, END])
  emit([END])
  const locals = vec([
    [...uleb(4), I32],
    [...uleb(2), F64],
    [...uleb(2), V128],
  ])
  return [...locals, ...code]
}

/**
 * Body of gemvN(a, x, y, m, n, alpha): y[i] = y[i] + alpha·(s0 + s1) for each row i of the m×n
 * matrix at a, where s0 sums A[i][j]·x[j] over even j and s1 over odd j, each in increasing j
 * (dense.ts `gemv`'s two running sums per row). A row's pair (j, j+1) is one f64x2 product, so
 * lane 0 carries s0 and lane 1 s1; an odd n's last term joins s0 after the loop, as in the scalar
 * code. Four rows per pass share each load of x. Bit-identical to the scalar gemv.
 */
function gemvNBody(): number[] {
  const [A, X, Y, M, N, ALPHA] = [0, 1, 2, 3, 4, 5]
  const [I, R0, J, NB2, ROWB, RP] = [6, 7, 8, 9, 10, 11]
  const [S0] = [12]
  const [XV, ACC] = [13, 14] // ACC … ACC + 3
  const { bytes: code, emit } = new Code()
  emit(get(N), i32Const(3), [I32_SHL], set(ROWB))
  emit(get(N), i32Const(1), [I32_SHR_U], i32Const(4), [I32_SHL], set(NB2))
  emit(i32Const(0), set(I), get(A), set(R0))
  // rows = rows per pass: 4 while i + 4 ≤ m, then 1.
  for (const rows of [4, 1]) {
    emit(BLOCK, LOOP)
    emit(get(I), i32Const(rows), [I32_ADD], get(M), [I32_GT_U], brIf(1))
    for (let r = 0; r < rows; r++) emit(V128_CONST_0, set(ACC + r))
    emit(i32Const(0), set(J))
    emit(BLOCK, LOOP)
    emit(get(J), get(NB2), [I32_GE_U], brIf(1))
    emit(get(X), get(J), [I32_ADD], V128_LOAD, memarg(0), set(XV))
    emit(get(R0), get(J), [I32_ADD], set(RP))
    for (let r = 0; r < rows; r++) {
      if (r > 0) emit(get(RP), get(ROWB), [I32_ADD], set(RP))
      emit(get(ACC + r), get(RP), V128_LOAD, memarg(0), get(XV), F64X2_MUL, F64X2_ADD, set(ACC + r))
    }
    emit(get(J), i32Const(16), [I32_ADD], set(J))
    emit(br(0), [END, END])
    // Per row: s0 = lane 0 (+ the odd tail), y[i + r] += alpha·(s0 + lane 1).
    emit(get(R0), set(RP))
    for (let r = 0; r < rows; r++) {
      emit(get(ACC + r), extractLane(0), set(S0))
      emit(get(N), i32Const(1), [I32_AND], IF)
      emit(get(S0), get(RP), get(NB2), [I32_ADD, F64_LOAD], memarg(0), get(X), get(NB2), [I32_ADD, F64_LOAD], memarg(0), [F64_MUL, F64_ADD], set(S0))
      emit([END])
      const yAddr = [...get(Y), ...get(I), ...i32Const(r), I32_ADD, ...i32Const(3), I32_SHL, I32_ADD]
      emit(yAddr, yAddr, [F64_LOAD], memarg(0), get(ALPHA), get(S0), get(ACC + r), extractLane(1), [F64_ADD, F64_MUL, F64_ADD, F64_STORE], memarg(0))
      emit(get(RP), get(ROWB), [I32_ADD], set(RP))
    }
    emit(get(RP), set(R0))
    emit(get(I), i32Const(rows), [I32_ADD], set(I))
    emit(br(0), [END, END])
  }
  emit([END])
  const locals = vec([
    [...uleb(6), I32],
    [...uleb(1), F64],
    [...uleb(5), V128],
  ])
  return [...locals, ...code]
}

/**
 * Body of gemvT(a, x, y, m, n, alpha): y += alpha·Aᵀx for the m×n matrix at a, in dense.ts
 * `gemv`'s saxpy order: rows in groups of four with x_i = alpha·x[i]; when all four x_i are
 * nonzero, y[j] = y[j] + x_0·A[i][j] + x_1·A[i+1][j] + x_2·A[i+2][j] + x_3·A[i+3][j] (left to
 * right), otherwise each row with x_i ≠ 0 on its own, y[j] += x_i·A[i][j]; leftover rows one at
 * a time, zeros skipped. Lanes are neighbouring columns j, j+1 (elementwise in j): bit-identical.
 */
function gemvTBody(): number[] {
  const [A, X, Y, M, N, ALPHA] = [0, 1, 2, 3, 4, 5]
  const [I, R0, J, NB2, ROWB, RP] = [6, 7, 8, 9, 10, 11]
  const XS = 12 // XS … XS + 3 (f64)
  const XV = 16 // XV … XV + 3 (v128)
  const YV0 = 20
  const { bytes: code, emit } = new Code()
  /** y[j] = y[j] + Σ_r xs_r·row_r[j] over `rows` rows from the pointer in R0 (rows ROWB apart). */
  const emitRows = (rows: number, xs: number[]) => {
    for (let r = 0; r < rows; r++) emit(get(xs[r]), F64X2_SPLAT, set(XV + r))
    emit(i32Const(0), set(J))
    emit(BLOCK, LOOP)
    emit(get(J), get(NB2), [I32_GE_U], brIf(1))
    emit(get(Y), get(J), [I32_ADD], get(Y), get(J), [I32_ADD], V128_LOAD, memarg(0), set(YV0))
    emit(get(R0), get(J), [I32_ADD], set(RP))
    emit(get(YV0))
    for (let r = 0; r < rows; r++) {
      if (r > 0) emit(get(RP), get(ROWB), [I32_ADD], set(RP))
      emit(get(XV + r), get(RP), V128_LOAD, memarg(0), F64X2_MUL, F64X2_ADD)
    }
    emit(V128_STORE, memarg(0))
    emit(get(J), i32Const(16), [I32_ADD], set(J))
    emit(br(0), [END, END])
    // An odd n's last column.
    emit(get(N), i32Const(1), [I32_AND], IF)
    emit(get(Y), get(NB2), [I32_ADD], get(Y), get(NB2), [I32_ADD, F64_LOAD], memarg(0))
    emit(get(R0), get(NB2), [I32_ADD], set(RP))
    for (let r = 0; r < rows; r++) {
      if (r > 0) emit(get(RP), get(ROWB), [I32_ADD], set(RP))
      emit(get(xs[r]), get(RP), [F64_LOAD], memarg(0), [F64_MUL, F64_ADD])
    }
    emit([F64_STORE], memarg(0), [END])
  }
  const loadX = (r: number) => [...get(ALPHA), ...get(X), ...get(I), ...i32Const(r), I32_ADD, ...i32Const(3), I32_SHL, I32_ADD, F64_LOAD, ...memarg(0), F64_MUL]
  const isZero = (l: number) => [...get(l), ...F64_CONST_0, F64_EQ]
  emit(get(N), i32Const(3), [I32_SHL], set(ROWB))
  emit(get(N), i32Const(1), [I32_SHR_U], i32Const(4), [I32_SHL], set(NB2))
  emit(i32Const(0), set(I), get(A), set(R0))
  // Groups of four rows.
  emit(BLOCK, LOOP)
  emit(get(I), i32Const(4), [I32_ADD], get(M), [I32_GT_U], brIf(1))
  for (let r = 0; r < 4; r++) emit(loadX(r), set(XS + r))
  emit(isZero(XS), isZero(XS + 1), [I32_OR], isZero(XS + 2), [I32_OR], isZero(XS + 3), [I32_OR], IF)
  for (let r = 0; r < 4; r++) {
    emit(isZero(XS + r), [I32_EQZ], IF)
    emitRows(1, [XS + r])
    emit([END])
    emit(get(R0), get(ROWB), [I32_ADD], set(R0))
  }
  emit([ELSE])
  emitRows(4, [XS, XS + 1, XS + 2, XS + 3])
  emit(get(R0), get(ROWB), i32Const(2), [I32_SHL, I32_ADD], set(R0))
  emit([END])
  emit(get(I), i32Const(4), [I32_ADD], set(I))
  emit(br(0), [END, END])
  // Leftover rows.
  emit(BLOCK, LOOP)
  emit(get(I), get(M), [I32_GE_U], brIf(1))
  emit(loadX(0), set(XS))
  emit(isZero(XS), [I32_EQZ], IF)
  emitRows(1, [XS])
  emit([END])
  emit(get(R0), get(ROWB), [I32_ADD], set(R0))
  emit(get(I), i32Const(1), [I32_ADD], set(I))
  emit(br(0), [END, END])
  emit([END])
  const locals = vec([
    [...uleb(6), I32],
    [...uleb(4), F64],
    [...uleb(5), V128],
  ])
  return [...locals, ...code]
}

/**
 * Body of the operand-in-place panel kernel, `panelS` (rows = false) or `panelR` (rows = true):
 * panelX(a, b, c, mb, nb, kc, ldc, aRow, aStep, aStrip, bStep, bStrip, store). The same 4×4
 * register block and the same operations, in the same order, as `panel`, but op(A) and op(B)
 * are read where they lie: op(A)[4·ib + r][p] at a + ib·aStrip + p·aStep + r·8 (panelS: a
 * packed strip, or Aᵀ stored row-major) or + r·aRow (panelR: A stored row-major, four row
 * pointers); op(B)[p][4·jb + q] at b + jb·bStrip + p·bStep + q·8 (a packed strip, or B stored
 * row-major). Strips past the matrix edge read neighbouring memory into padding lanes of C only.
 * store ≠ 0 writes C = acc instead of C += acc (the first panel of a product into zeroed C:
 * 0 + acc = acc exactly, since acc, a sum started from +0, is never −0).
 */
function panelStridedBody(rows: boolean): number[] {
  const [PA, PB, PC, PMB, PNB, PKC, PLDC, AROW, ASTEP, ASTRIP, BSTEP, BSTRIP, STORE] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
  const [IB, JB, AP, BP, CP, LDCB, P, R2, R3] = [13, 14, 15, 16, 17, 18, 19, 20, 21]
  const ACC = 22
  const B0 = ACC + 8
  const B1 = B0 + 1
  const AV = B0 + 2
  const { bytes: code, emit } = new Code()
  emit(get(PLDC), i32Const(3), [I32_SHL], set(LDCB))
  emit(get(AROW), i32Const(1), [I32_SHL], set(R2))
  emit(get(R2), get(AROW), [I32_ADD], set(R3))
  emit(i32Const(0), set(IB))
  emit(BLOCK, LOOP)
  emit(get(IB), get(PMB), [I32_GE_U], brIf(1))
  emit(i32Const(0), set(JB))
  emit(BLOCK, LOOP)
  emit(get(JB), get(PNB), [I32_GE_U], brIf(1))
  for (let r = 0; r < 8; r++) emit(V128_CONST_0, set(ACC + r))
  emit(get(PA), get(IB), get(ASTRIP), [I32_MUL, I32_ADD], set(AP))
  emit(get(PB), get(JB), get(BSTRIP), [I32_MUL, I32_ADD], set(BP))
  emit(get(PKC), set(P))
  // for p = kc … 1 (kc ≥ 1)
  emit(LOOP)
  emit(get(BP), V128_LOAD, memarg(0), set(B0))
  emit(get(BP), V128_LOAD, memarg(16), set(B1))
  for (let r = 0; r < 4; r++) {
    if (!rows) emit(get(AP), V128_LOAD64_SPLAT, memarg(8 * r), set(AV))
    else if (r === 0) emit(get(AP), V128_LOAD64_SPLAT, memarg(0), set(AV))
    else emit(get(AP), get(r === 1 ? AROW : r === 2 ? R2 : R3), [I32_ADD], V128_LOAD64_SPLAT, memarg(0), set(AV))
    for (let h = 0; h < 2; h++) {
      const acc = ACC + 2 * r + h
      emit(get(acc), get(AV), get(h === 0 ? B0 : B1), F64X2_MUL, F64X2_ADD, set(acc))
    }
  }
  emit(get(AP), get(ASTEP), [I32_ADD], set(AP))
  emit(get(BP), get(BSTEP), [I32_ADD], set(BP))
  emit(get(P), i32Const(1), [I32_SUB], set(P))
  emit(get(P), brIf(0), [END])
  // cp = c + ib·4·ldcBytes + jb·32
  emit(get(PC), get(IB), get(LDCB), [I32_MUL], i32Const(2), [I32_SHL, I32_ADD], get(JB), i32Const(5), [I32_SHL, I32_ADD], set(CP))
  emit(get(STORE), IF)
  for (let r = 0; r < 4; r++) {
    for (let h = 0; h < 2; h++) emit(get(CP), get(ACC + 2 * r + h), V128_STORE, memarg(16 * h))
    if (r < 3) emit(get(CP), get(LDCB), [I32_ADD], set(CP))
  }
  emit([ELSE])
  for (let r = 0; r < 4; r++) {
    for (let h = 0; h < 2; h++) emit(get(CP), get(CP), V128_LOAD, memarg(16 * h), get(ACC + 2 * r + h), F64X2_ADD, V128_STORE, memarg(16 * h))
    if (r < 3) emit(get(CP), get(LDCB), [I32_ADD], set(CP))
  }
  emit([END])
  emit(get(JB), i32Const(1), [I32_ADD], set(JB))
  emit(br(0), [END, END])
  emit(get(IB), i32Const(1), [I32_ADD], set(IB))
  emit(br(0), [END, END])
  emit([END])
  const locals = vec([
    [...uleb(9), I32],
    [...uleb(11), V128],
  ])
  return [...locals, ...code]
}

/**
 * A body of this module (its local declarations, code and final `end`) as a function of another
 * module: wasm-arena.ts runs these kernels on matrices that already live in its memory. The same
 * bodies, so the same bits.
 */
function specFromBody(name: string, params: number[], body: number[], localDecls: [number, number][]): FuncSpec {
  const declBytes = vec(localDecls.map(([count, t]) => [...uleb(count), t])).length
  if (body[body.length - 1] !== END) throw new Error(`specFromBody: ${name}'s body does not end with end`)
  return { name, params, results: [], locals: localDecls, code: body.slice(declBytes, -1) }
}

/** The operand-in-place panel kernel, `panelR` (rows = true) or `panelS`, for another module. */
export function panelStridedSpec(rows: boolean): FuncSpec {
  return specFromBody(rows ? 'panelR' : 'panelS', new Array<number>(13).fill(I32), panelStridedBody(rows), [[9, I32], [11, V128]])
}

/** `gemvN` and `gemvT` (a, x, y, m, n, alpha), for another module. */
export function gemvSpecs(): FuncSpec[] {
  const params = [I32, I32, I32, I32, I32, F64]
  return [
    specFromBody('gemvN', params, gemvNBody(), [[6, I32], [1, F64], [5, V128]]),
    specFromBody('gemvT', params, gemvTBody(), [[6, I32], [4, F64], [5, V128]]),
  ]
}

/** Body of scale(p, count, alpha): x ← alpha·x for the count doubles at p (elementwise f64x2). */
function scaleBody(): number[] {
  const [PP, COUNT, ALPHA] = [0, 1, 2]
  const [PEND, AV] = [3, 4]
  const { bytes: code, emit } = new Code()
  emit(get(ALPHA), F64X2_SPLAT, set(AV))
  emit(get(PP), get(COUNT), i32Const(1), [I32_SHR_U], i32Const(4), [I32_SHL, I32_ADD], set(PEND))
  emit(BLOCK, LOOP)
  emit(get(PP), get(PEND), [I32_GE_U], brIf(1))
  emit(get(PP), get(AV), get(PP), V128_LOAD, memarg(0), F64X2_MUL, V128_STORE, memarg(0))
  emit(get(PP), i32Const(16), [I32_ADD], set(PP))
  emit(br(0), [END, END])
  emit(get(COUNT), i32Const(1), [I32_AND], IF)
  emit(get(PP), get(ALPHA), get(PP), [F64_LOAD], memarg(0), [F64_MUL, F64_STORE], memarg(0))
  emit([END])
  emit([END])
  const locals = vec([
    [...uleb(1), I32],
    [...uleb(1), V128],
  ])
  return [...locals, ...code]
}

/**
 * Body of direct(a, b, c, mb, nb, k, aRow, aStep, ldb, ldc, alpha): dense.ts's direct loops for
 * small products, C[i][j] += (alpha·op(A)[i][p])·B[p][j] for p = 0 … k−1 in order, skipping the
 * terms whose alpha·op(A)[i][p] is 0 (as the reference BLAS does), each entry accumulated on top
 * of C itself. op(A)[4·ib + r][p] is at a + ib·4·aRow + r·aRow + p·aStep, B[p][4·jb + q] at
 * b + p·ldb + 4·jb·8 + q·8, C (ldc bytes per row) starts at c. A 4×4 block of C lives in eight
 * f64x2 registers across the whole depth; lanes are neighbouring columns, so each entry gets the
 * scalar loop's operations in its order: bit-identical. Blocks past the matrix edge work on
 * padding only.
 */
function directBody(): number[] {
  const [PA, PB, PC, PMB, PNB, PK, AROW, ASTEP, LDB, LDC, ALPHA] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  const [IB, JB, AP, BP, CP, P, R2, R3] = [11, 12, 13, 14, 15, 16, 17, 18]
  const X = 19
  const ACC = 20
  const B0 = ACC + 8
  const B1 = B0 + 1
  const AV = B0 + 2
  const { bytes: code, emit } = new Code()
  emit(get(AROW), i32Const(1), [I32_SHL], set(R2))
  emit(get(R2), get(AROW), [I32_ADD], set(R3))
  emit(i32Const(0), set(IB))
  emit(BLOCK, LOOP)
  emit(get(IB), get(PMB), [I32_GE_U], brIf(1))
  emit(i32Const(0), set(JB))
  emit(BLOCK, LOOP)
  emit(get(JB), get(PNB), [I32_GE_U], brIf(1))
  // cp = c + ib·4·ldc + jb·32: load the block.
  emit(get(PC), get(IB), get(LDC), [I32_MUL], i32Const(2), [I32_SHL, I32_ADD], get(JB), i32Const(5), [I32_SHL, I32_ADD], set(CP))
  for (let r = 0; r < 4; r++) {
    for (let h = 0; h < 2; h++) emit(get(CP), get(LDC), i32Const(r), [I32_MUL, I32_ADD], V128_LOAD, memarg(16 * h), set(ACC + 2 * r + h))
  }
  emit(get(PA), get(IB), get(AROW), [I32_MUL], i32Const(2), [I32_SHL, I32_ADD], set(AP))
  emit(get(PB), get(JB), i32Const(5), [I32_SHL, I32_ADD], set(BP))
  emit(get(PK), set(P))
  emit(LOOP)
  emit(get(BP), V128_LOAD, memarg(0), set(B0))
  emit(get(BP), V128_LOAD, memarg(16), set(B1))
  for (let r = 0; r < 4; r++) {
    const addr = r === 0 ? get(AP) : [...get(AP), ...get(r === 1 ? AROW : r === 2 ? R2 : R3), I32_ADD]
    emit(get(ALPHA), addr, [F64_LOAD], memarg(0), [F64_MUL], set(X))
    emit(get(X), [...F64_CONST_0, F64_EQ, I32_EQZ], IF)
    emit(get(X), F64X2_SPLAT, set(AV))
    for (let h = 0; h < 2; h++) {
      const acc = ACC + 2 * r + h
      emit(get(acc), get(AV), get(h === 0 ? B0 : B1), F64X2_MUL, F64X2_ADD, set(acc))
    }
    emit([END])
  }
  emit(get(AP), get(ASTEP), [I32_ADD], set(AP))
  emit(get(BP), get(LDB), [I32_ADD], set(BP))
  emit(get(P), i32Const(1), [I32_SUB], set(P))
  emit(get(P), brIf(0), [END])
  for (let r = 0; r < 4; r++) {
    for (let h = 0; h < 2; h++) emit(get(CP), get(LDC), i32Const(r), [I32_MUL, I32_ADD], get(ACC + 2 * r + h), V128_STORE, memarg(16 * h))
  }
  emit(get(JB), i32Const(1), [I32_ADD], set(JB))
  emit(br(0), [END, END])
  emit(get(IB), i32Const(1), [I32_ADD], set(IB))
  emit(br(0), [END, END])
  emit([END])
  const locals = vec([
    [...uleb(8), I32],
    [...uleb(1), F64],
    [...uleb(11), V128],
  ])
  return [...locals, ...code]
}

/**
 * Body of directNT(a, b, c, mb, nb, k, ldc, alpha): dense.ts's direct A·Bᵀ for small products,
 * C[i][j] += alpha·dotAt(row i of A, row j of B, k) with A m×k and B n×k stored row-major (k·8
 * bytes per row) and C ldc bytes per row, in 2×2 blocks (mb, nb count block rows and columns).
 * Each entry keeps `dotAt`'s four partial sums as the lanes of two f64x2 accumulators (p mod 4),
 * its scalar tail into the first sum and its (s0 + s1) + (s2 + s3): bit-identical.
 */
function directNTBody(): number[] {
  const [PA, PB, PC, PMB, PNB, PK, LDC, ALPHA] = [0, 1, 2, 3, 4, 5, 6, 7]
  const [IB, JB, A0, B0P, LDA, Q, END4, ENDK, T] = [8, 9, 10, 11, 12, 13, 14, 15, 16]
  const S = 17
  const ACC = 18 // 8: entry e = 2·ri + cj, lo at ACC + 2e, hi at ACC + 2e + 1
  const BV = ACC + 8 // 4: B rows j, j+1, halves lo/hi
  const AVV = BV + 4
  const { bytes: code, emit } = new Code()
  emit(get(PK), i32Const(3), [I32_SHL], set(LDA))
  emit(get(PK), i32Const(2), [I32_SHR_U], i32Const(5), [I32_SHL], set(END4))
  emit(get(PK), i32Const(3), [I32_SHL], set(ENDK))
  emit(i32Const(0), set(IB))
  emit(BLOCK, LOOP)
  emit(get(IB), get(PMB), [I32_GE_U], brIf(1))
  emit(i32Const(0), set(JB))
  emit(BLOCK, LOOP)
  emit(get(JB), get(PNB), [I32_GE_U], brIf(1))
  for (let e = 0; e < 8; e++) emit(V128_CONST_0, set(ACC + e))
  emit(get(PA), get(IB), get(LDA), [I32_MUL], i32Const(1), [I32_SHL, I32_ADD], set(A0))
  emit(get(PB), get(JB), get(LDA), [I32_MUL], i32Const(1), [I32_SHL, I32_ADD], set(B0P))
  emit(i32Const(0), set(Q))
  emit(BLOCK, LOOP)
  emit(get(Q), get(END4), [I32_GE_U], brIf(1))
  for (let cj = 0; cj < 2; cj++) {
    for (let h = 0; h < 2; h++) {
      emit(get(B0P), get(Q), [I32_ADD])
      if (cj === 1) emit(get(LDA), [I32_ADD])
      emit(V128_LOAD, memarg(16 * h), set(BV + 2 * cj + h))
    }
  }
  for (let ri = 0; ri < 2; ri++) {
    for (let h = 0; h < 2; h++) {
      emit(get(A0), get(Q), [I32_ADD])
      if (ri === 1) emit(get(LDA), [I32_ADD])
      emit(V128_LOAD, memarg(16 * h), set(AVV))
      for (let cj = 0; cj < 2; cj++) {
        const acc = ACC + 2 * (2 * ri + cj) + h
        emit(get(acc), get(AVV), get(BV + 2 * cj + h), F64X2_MUL, F64X2_ADD, set(acc))
      }
    }
  }
  emit(get(Q), i32Const(32), [I32_ADD], set(Q))
  emit(br(0), [END, END])
  for (let ri = 0; ri < 2; ri++) {
    for (let cj = 0; cj < 2; cj++) {
      const e = 2 * ri + cj
      const rowA = ri === 0 ? get(A0) : [...get(A0), ...get(LDA), I32_ADD]
      const rowB = cj === 0 ? get(B0P) : [...get(B0P), ...get(LDA), I32_ADD]
      emit(get(ACC + 2 * e), extractLane(0), set(S))
      emit(get(END4), set(T))
      emit(BLOCK, LOOP)
      emit(get(T), get(ENDK), [I32_GE_U], brIf(1))
      emit(get(S), rowA, get(T), [I32_ADD, F64_LOAD], memarg(0), rowB, get(T), [I32_ADD, F64_LOAD], memarg(0), [F64_MUL, F64_ADD], set(S))
      emit(get(T), i32Const(8), [I32_ADD], set(T))
      emit(br(0), [END, END])
      // c[(2ib + ri)·ldc + (2jb + cj)·8] += alpha·((s0 + s1) + (s2 + s3))
      const cAddr = [...get(PC), ...get(IB), ...i32Const(1), I32_SHL, ...i32Const(ri), I32_ADD, ...get(LDC), I32_MUL, I32_ADD, ...get(JB), ...i32Const(1), I32_SHL, ...i32Const(cj), I32_ADD, ...i32Const(3), I32_SHL, I32_ADD]
      emit(cAddr, cAddr, [F64_LOAD], memarg(0), get(ALPHA))
      emit(get(S), get(ACC + 2 * e), extractLane(1), [F64_ADD], get(ACC + 2 * e + 1), extractLane(0), get(ACC + 2 * e + 1), extractLane(1), [F64_ADD, F64_ADD])
      emit([F64_MUL, F64_ADD, F64_STORE], memarg(0))
    }
  }
  emit(get(JB), i32Const(1), [I32_ADD], set(JB))
  emit(br(0), [END, END])
  emit(get(IB), i32Const(1), [I32_ADD], set(IB))
  emit(br(0), [END, END])
  emit([END])
  const locals = vec([
    [...uleb(9), I32],
    [...uleb(1), F64],
    [...uleb(13), V128],
  ])
  return [...locals, ...code]
}

/** The complete module: one exported memory and the functions `panel`, `ql`, `accumulate`, `rank2`, `gemvN`, `gemvT`, `panelS`, `panelR`, `scale`, `direct`, `directNT` and `tred2`. */
export function gemmModuleBytes(): Uint8Array {
  const i32s = (count: number) => new Array<number>(count).fill(I32)
  const type = section(1, vec([
    funcType(i32s(7), []),
    funcType(i32s(5), []),
    funcType(i32s(4), []),
    funcType([...i32s(5), F64], []),
    funcType(i32s(13), []),
    funcType([I32, I32, F64], []),
    funcType([...i32s(10), F64], []),
    funcType([...i32s(7), F64], []),
    funcType([...i32s(6), F64], [I32]),
  ]))
  const func = section(3, vec([uleb(0), uleb(8), uleb(2), uleb(1), uleb(3), uleb(3), uleb(4), uleb(4), uleb(5), uleb(6), uleb(7), uleb(1)]))
  const memory = section(5, vec([[0x00, ...uleb(1)]]))
  const exports = section(7, vec([
    [...str('memory'), 0x02, ...uleb(0)],
    [...str('panel'), 0x00, ...uleb(0)],
    [...str('ql'), 0x00, ...uleb(1)],
    [...str('accumulate'), 0x00, ...uleb(2)],
    [...str('rank2'), 0x00, ...uleb(3)],
    [...str('gemvN'), 0x00, ...uleb(4)],
    [...str('gemvT'), 0x00, ...uleb(5)],
    [...str('panelS'), 0x00, ...uleb(6)],
    [...str('panelR'), 0x00, ...uleb(7)],
    [...str('scale'), 0x00, ...uleb(8)],
    [...str('direct'), 0x00, ...uleb(9)],
    [...str('directNT'), 0x00, ...uleb(10)],
    [...str('tred2'), 0x00, ...uleb(11)],
  ]))
  const body = panelBody()
  const rot = qlBody()
  const acc = accumulateBody()
  const r2 = rank2Body()
  const gn = gemvNBody()
  const gt = gemvTBody()
  const ps = panelStridedBody(false)
  const pr = panelStridedBody(true)
  const sc = scaleBody()
  const di = directBody()
  const dn = directNTBody()
  const t2 = tred2Body(2, 3)
  const code = section(10, vec([
    [...uleb(body.length), ...body],
    [...uleb(rot.length), ...rot],
    [...uleb(acc.length), ...acc],
    [...uleb(r2.length), ...r2],
    [...uleb(gn.length), ...gn],
    [...uleb(gt.length), ...gt],
    [...uleb(ps.length), ...ps],
    [...uleb(pr.length), ...pr],
    [...uleb(sc.length), ...sc],
    [...uleb(di.length), ...di],
    [...uleb(dn.length), ...dn],
    [...uleb(t2.length), ...t2],
  ]))
  return Uint8Array.from([...MODULE_HEADER, ...type, ...func, ...memory, ...exports, ...code])
}

// ---- the driver -------------------------------------------------------------------------------

function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly
}

/** Whether this runtime accepts the emitted module (WebAssembly with SIMD128). */
export function wasmSimdAvailable(): boolean {
  const api = wasmApi()
  return api !== undefined && api.validate(gemmModuleBytes())
}

type PanelStrided = (a: number, b: number, c: number, mb: number, nb: number, kc: number, ldc: number, aRow: number, aStep: number, aStrip: number, bStep: number, bStrip: number, store: number) => void

interface Kernel {
  memory: WasmMemory
  panel: (a: number, b: number, c: number, mb: number, nb: number, kc: number, ldc: number) => void
  ql: (w: number, rowBytes: number, n: number, d: number, e: number, st: number, negligible: number) => number
  accumulate: (w: number, rowBytes: number, i: number, d: number) => void
  rank2: (w: number, rowBytes: number, i: number, d: number, e: number) => void
  tred2: (w: number, rowBytes: number, n: number, d: number, e: number) => void
  gemvN: (a: number, x: number, y: number, m: number, n: number, alpha: number) => void
  gemvT: (a: number, x: number, y: number, m: number, n: number, alpha: number) => void
  panelS: PanelStrided
  panelR: PanelStrided
  scale: (p: number, count: number, alpha: number) => void
  direct: (a: number, b: number, c: number, mb: number, nb: number, k: number, aRow: number, aStep: number, ldb: number, ldc: number, alpha: number) => void
  directNT: (a: number, b: number, c: number, mb: number, nb: number, k: number, ldc: number, alpha: number) => void
  f64: Float64Array
}

let kernel: Kernel | null | undefined
/** The switch lives in wasm-emit.ts (it governs the studies' modules too); re-exported for the core's callers. */
export { setWasmSimdEnabled }

/**
 * Ensure the wasm memory holds at least `doubles` float64 values and return the current view,
 * or null when it cannot grow that far (over 2 GiB, or the engine refuses): callers then take
 * the scalar path. The memory only grows; it is sized by the largest problem seen.
 */
export function wasmScratch(kern: Kernel, doubles: number): Float64Array | null {
  const needBytes = doubles * 8
  if (needBytes > 2 ** 31) return null
  if (kern.memory.buffer.byteLength < needBytes) {
    try {
      kern.memory.grow(Math.ceil((needBytes - kern.memory.buffer.byteLength) / 65536))
    } catch {
      return null
    }
    kern.f64 = new Float64Array(kern.memory.buffer)
  }
  return kern.f64
}

/** The instantiated kernel, or null where WebAssembly SIMD is unavailable or switched off. */
export function wasmSimdKernel(): Kernel | null {
  if (!wasmSimdEnabled()) return null
  if (kernel !== undefined) return kernel
  kernel = null
  try {
    const api = wasmApi()
    if (!api || !wasmSimdAvailable()) return null
    const instance = new api.Instance(new api.Module(gemmModuleBytes()), {})
    const memory = instance.exports.memory as WasmMemory
    kernel = {
      memory,
      panel: instance.exports.panel as Kernel['panel'],
      ql: instance.exports.ql as Kernel['ql'],
      accumulate: instance.exports.accumulate as Kernel['accumulate'],
      rank2: instance.exports.rank2 as Kernel['rank2'],
      tred2: instance.exports.tred2 as Kernel['tred2'],
      gemvN: instance.exports.gemvN as Kernel['gemvN'],
      gemvT: instance.exports.gemvT as Kernel['gemvT'],
      panelS: instance.exports.panelS as PanelStrided,
      panelR: instance.exports.panelR as PanelStrided,
      scale: instance.exports.scale as Kernel['scale'],
      direct: instance.exports.direct as Kernel['direct'],
      directNT: instance.exports.directNT as Kernel['directNT'],
      f64: new Float64Array(memory.buffer),
    }
  } catch {
    kernel = null
  }
  return kernel
}

/**
 * Panel depth shared with the JavaScript kernel in dense.ts: the same depth and the same
 * accumulation order make the two paths bit-identical.
 */
export const GEMM_PANEL_DEPTH = 256
const KC = GEMM_PANEL_DEPTH

/**
 * C[cOff + i·ldc + j] += alpha·Σ_p op(A)[i][p]·op(B)[p][j], with op(A)[i][p] = A[aOff + i·ars + p·acs]
 * and op(B)[p][j] = B[bOff + p·brs + j·bcs], through the wasm kernel. Returns false (and does
 * nothing) when the kernel is unavailable or the problem does not fit in 2 GiB of wasm memory.
 * `cIsZero` says the caller has just zeroed C's block (gemm with beta = 0): it is then not copied
 * in. The staging (packing, the copies of C) is written for V8's typed-array fast paths: at 256³
 * it took a fifth of the time before (0.34 of 2.1 ms), now about a sixteenth.
 */
/**
 * From this row length on, a strided C block (a trailing update in LU, Cholesky, QR) moves row by
 * row with native copies: 2–5× faster than an element loop at 64–224 doubles, slower below ~48.
 */
const ROW_COPY_MIN = 48

export function gemmWasm(
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: Float64Array,
  aOff: number,
  ars: number,
  acs: number,
  B: Float64Array,
  bOff: number,
  brs: number,
  bcs: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
  cIsZero = false,
): boolean {
  const kern = wasmSimdKernel()
  if (!kern) return false
  if (m * n * k <= GEMM_IN_PLACE_MAX && gemmInPlace(kern, m, n, k, alpha, A, aOff, ars, acs, B, bOff, brs, bcs, C, cOff, ldc, cIsZero)) return true
  const mb = Math.ceil(m / MR)
  const nb = (n + 3) >> 2
  const nPad = nb * 4
  const kc0 = Math.min(KC, k)
  // Layout (in doubles): C buffer (MR·mb × nPad), packed A (mb·kc·MR), packed B (nb·kc·4).
  const cLen = mb * MR * nPad
  const aBase = cLen
  const bBase = aBase + mb * kc0 * MR
  const total = bBase + nb * kc0 * 4
  const M = wasmScratch(kern, total)
  if (!M) return false
  // Start from C itself (not zero) so that C += acc happens per panel exactly as in dense.ts.
  // A contiguous C (ldc = n = nPad) moves with one native copy each way.
  const contiguous = nPad === n && ldc === n
  M.fill(0, 0, cLen)
  if (!cIsZero) {
    if (contiguous) M.set(C.subarray(cOff, cOff + m * n), 0)
    else if (n >= ROW_COPY_MIN) {
      for (let i = 0; i < m; i++) M.set(C.subarray(cOff + i * ldc, cOff + i * ldc + n), i * nPad)
    } else {
      for (let i = 0; i < m; i++) {
        const src = cOff + i * ldc
        const dst = i * nPad
        for (let j = 0; j < n; j++) M[dst + j] = C[src + j]
      }
    }
  }
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0)
    packStrips(M, aBase, A, aOff, ars, acs, m, mb, p0, kc, alpha)
    packStrips(M, bBase, B, bOff, bcs, brs, n, nb, p0, kc, 1)
    kern.panel(aBase * 8, bBase * 8, 0, mb, nb, kc, nPad)
  }
  if (contiguous) C.set(M.subarray(0, m * n), cOff)
  else if (n >= ROW_COPY_MIN) {
    for (let i = 0; i < m; i++) C.set(M.subarray(i * nPad, i * nPad + n), cOff + i * ldc)
  } else {
    for (let i = 0; i < m; i++) {
      const src = i * nPad
      const dst = cOff + i * ldc
      for (let j = 0; j < n; j++) C[dst + j] = M[src + j]
    }
  }
  return true
}

/**
 * Products up to this many multiply-adds (128³) may take `gemmInPlace`: measured 1.2–1.5× faster
 * than packing up to 64³ and about even at 128³, slower beyond (at 256³ and 512³ up to 1.3–1.4×,
 * where unpacked operands stride across pages instead of streaming from packed panels).
 */
const GEMM_IN_PLACE_DEFAULT = 1 << 21
let GEMM_IN_PLACE_MAX = GEMM_IN_PLACE_DEFAULT

/** For benches and tests: the size limit of `gemmInPlace` (0 switches it off; no argument restores the default). */
export function setGemmInPlaceMax(v = GEMM_IN_PLACE_DEFAULT): void {
  GEMM_IN_PLACE_MAX = v
}

/**
 * `gemmWasm` without packing, for contiguous operands: A (m×k, or k×m for op(A) = Aᵀ) and B
 * (k×n) are copied into wasm memory with one native copy each and read there by `panelR` /
 * `panelS`; a transposed B (n×k) is packed as before. alpha ≠ 1 scales the copy of A (the same
 * products alpha·a as packing). The panel loop, the depth KC and each entry's order are those of
 * the packed path: bit-identical. Returns false (nothing done) for strided operands.
 */
function gemmInPlace(kern: Kernel, m: number, n: number, k: number, alpha: number, A: Float64Array, aOff: number, ars: number, acs: number, B: Float64Array, bOff: number, brs: number, bcs: number, C: Float64Array, cOff: number, ldc: number, cIsZero: boolean): boolean {
  const aRows = acs === 1 && ars === k
  const aCols = !aRows && ars === 1 && acs === m
  if (!aRows && !aCols) return false
  const bRows = bcs === 1 && brs === n
  if (!bRows && !(brs === 1 && bcs === k)) return false
  const mb = (m + 3) >> 2
  const nb = (n + 3) >> 2
  const nPad = nb * 4
  const kc0 = Math.min(KC, k)
  // Layout (doubles): C (4·mb × nPad); A with room for the rows or columns read past its edge; B likewise, or packed strips.
  const cLen = mb * 4 * nPad
  const aBase = cLen
  const bBase = aBase + (aRows ? mb * 4 * k : k * m + 4)
  const total = bBase + (bRows ? k * n + 4 : nb * kc0 * 4)
  const M = wasmScratch(kern, total)
  if (!M) return false
  M.set(A.subarray(aOff, aOff + m * k), aBase)
  if (alpha !== 1) kern.scale(aBase * 8, m * k, alpha)
  if (bRows) M.set(B.subarray(bOff, bOff + k * n), bBase)
  const contiguous = nPad === n && ldc === n
  if (!cIsZero) copyC(M, C, cOff, ldc, m, n, nPad, contiguous, true)
  const panel = aRows ? kern.panelR : kern.panelS
  const aStep = aRows ? 8 : m * 8
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0)
    if (!bRows) packStrips(M, bBase, B, bOff, bcs, brs, n, nb, p0, kc, 1)
    const bPtr = bRows ? (bBase + p0 * n) * 8 : bBase * 8
    panel(aBase * 8 + p0 * aStep, bPtr, 0, mb, nb, kc, nPad, k * 8, aStep, aRows ? 32 * k : 32, bRows ? n * 8 : 32, bRows ? 32 : kc * 32, cIsZero && p0 === 0 ? 1 : 0)
  }
  copyC(M, C, cOff, ldc, m, n, nPad, contiguous, false)
  return true
}

/** Move C's m×n block between the caller's array (leading dimension ldc) and the wasm buffer (nPad wide): in, or back out. */
function copyC(M: Float64Array, C: Float64Array, cOff: number, ldc: number, m: number, n: number, nPad: number, contiguous: boolean, into: boolean): void {
  if (contiguous) {
    if (into) M.set(C.subarray(cOff, cOff + m * n), 0)
    else C.set(M.subarray(0, m * n), cOff)
  } else if (n >= ROW_COPY_MIN) {
    for (let i = 0; i < m; i++) {
      if (into) M.set(C.subarray(cOff + i * ldc, cOff + i * ldc + n), i * nPad)
      else C.set(M.subarray(i * nPad, i * nPad + n), cOff + i * ldc)
    }
  } else if (into) {
    for (let i = 0; i < m; i++) for (let j = 0, s = cOff + i * ldc, d = i * nPad; j < n; j++) M[d + j] = C[s + j]
  } else {
    for (let i = 0; i < m; i++) for (let j = 0, s = i * nPad, d = cOff + i * ldc; j < n; j++) C[d + j] = M[s + j]
  }
}

/**
 * Pack scale·X[off + i·along + p·depth] for i < count (in strips of 4, zero-padded), p0 ≤ p < p0 + kc
 * into M at base, strip by strip, p-major: the layout both kernels read (op(A)'s rows with
 * along = ars, depth = acs; op(B)'s columns with along = bcs, depth = brs). MR = 4 = NR here.
 * Full strips read four streams at once; scale = 1 skips the multiply (1·x = x exactly).
 */
function packStrips(M: Float64Array, base: number, X: Float64Array, off: number, along: number, depth: number, count: number, strips: number, p0: number, kc: number, scale: number): void {
  let sb = 0
  if (along === 1 && scale === 1) {
    // Contiguous along the strips (op(B) = B, op(A) = Aᵀ): one pass down the panel per eight
    // strips reads 32 consecutive doubles per p instead of striding a whole row per strip
    // (5% of a 512³ gemm when packed strip by strip).
    const full = count >> 2
    for (; sb + 8 <= full; sb += 8) {
      const out = base + sb * kc * 4
      const src = off + sb * 4 + p0 * depth
      for (let p = 0; p < kc; p++) {
        const s = src + p * depth
        for (let g = 0, d = out + p * 4; g < 8; g++, d += kc * 4) {
          const sg = s + 4 * g
          M[d] = X[sg]
          M[d + 1] = X[sg + 1]
          M[d + 2] = X[sg + 2]
          M[d + 3] = X[sg + 3]
        }
      }
    }
  }
  for (; sb < strips; sb++) {
    const out = base + sb * kc * 4
    const i0 = sb * 4
    const s0 = off + i0 * along + p0 * depth
    if (i0 + 4 <= count) {
      const s1 = s0 + along
      const s2 = s1 + along
      const s3 = s2 + along
      if (scale === 1) {
        for (let p = 0, o = 0, d = out; p < kc; p++, o += depth, d += 4) {
          M[d] = X[s0 + o]
          M[d + 1] = X[s1 + o]
          M[d + 2] = X[s2 + o]
          M[d + 3] = X[s3 + o]
        }
      } else {
        for (let p = 0, o = 0, d = out; p < kc; p++, o += depth, d += 4) {
          M[d] = scale * X[s0 + o]
          M[d + 1] = scale * X[s1 + o]
          M[d + 2] = scale * X[s2 + o]
          M[d + 3] = scale * X[s3 + o]
        }
      }
    } else {
      for (let r = 0; r < 4; r++) {
        if (i0 + r < count) {
          const src = s0 + r * along
          for (let p = 0; p < kc; p++) M[out + p * 4 + r] = scale * X[src + p * depth]
        } else {
          for (let p = 0; p < kc; p++) M[out + p * 4 + r] = 0
        }
      }
    }
  }
}

/**
 * y += alpha·op(A)·x through the wasm kernels (y already scaled by beta), with A stored m×n:
 * op(A) = A for trans = false (x has n entries, y has m), Aᵀ for trans = true. The same
 * operations in the same order as dense.ts's scalar `gemv`, so bit-identical to it. x and y are
 * copied into wasm memory, A follows in blocks of rows (a multiple of four, about `chunk` doubles)
 * through one buffer that stays in cache, and y is copied back. Returns false (and does nothing)
 * when the kernel is unavailable.
 */
export function gemvWasm(trans: boolean, m: number, n: number, alpha: number, A: Float64Array, x: Float64Array, y: Float64Array, chunk = GEMV_CHUNK): boolean {
  const kern = wasmSimdKernel()
  if (!kern) return false
  const xlen = trans ? m : n
  const ylen = trans ? n : m
  const rows = m * n <= chunk ? m : Math.max(4, Math.floor(chunk / n) & ~3)
  const aBase = xlen + ylen
  const M = wasmScratch(kern, aBase + rows * n)
  if (!M) return false
  M.set(x.length === xlen ? x : x.subarray(0, xlen), 0)
  M.set(y.length === ylen ? y : y.subarray(0, ylen), xlen)
  for (let i0 = 0; i0 < m; i0 += rows) {
    const h = Math.min(rows, m - i0)
    M.set(h === m && A.length === m * n ? A : A.subarray(i0 * n, (i0 + h) * n), aBase)
    if (trans) kern.gemvT(aBase * 8, i0 * 8, xlen * 8, h, n, alpha)
    else kern.gemvN(aBase * 8, 0, (xlen + i0) * 8, h, n, alpha)
  }
  y.set(M.subarray(xlen, xlen + ylen))
  return true
}
/** Doubles of A per block in `gemvWasm` (see there). */
const GEMV_CHUNK = 4096

/**
 * dense.ts's direct loops for small products (C already scaled by beta) in wasm, bit-identical to
 * them: C += alpha·op(A)·op(B) with A stored m×k (k×m when transA), B stored k×n (n×k when
 * transB), C m×n, all contiguous. NN and TN accumulate alpha·op(A)[i][p]·B[p][j] into C in p order
 * (zero terms skipped); Aᵀ·Bᵀ accumulates (alpha·B[j][p])·A[p][i], which is the NN loop for Cᵀ =
 * B·A and runs as that; A·Bᵀ takes `dotAt`'s dot products. Returns false (nothing done) when the
 * kernel is unavailable.
 */
export function gemmDirectWasm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, A: Float64Array, B: Float64Array, C: Float64Array): boolean {
  const kern = wasmSimdKernel()
  if (!kern) return false
  if (transA && transB) {
    // Cᵀ (n×m) += (alpha·B)·A through the NN kernel, with C transposed on the way in and out.
    return directNN(kern, n, m, k, alpha, B, false, A, C, true)
  }
  if (!transB) return directNN(kern, m, n, k, alpha, A, transA, B, C, false)
  // A·Bᵀ: 2×2 blocks; rows of A and B past an odd edge read padding.
  const mb = (m + 1) >> 1
  const nb = (n + 1) >> 1
  const nPad = nb * 2
  const cLen = mb * 2 * nPad
  const aBase = cLen
  const bBase = aBase + mb * 2 * k
  const M = wasmScratch(kern, bBase + nb * 2 * k)
  if (!M) return false
  M.set(A.subarray(0, m * k), aBase)
  M.set(B.subarray(0, n * k), bBase)
  copyC(M, C, 0, n, m, n, nPad, nPad === n, true)
  kern.directNT(aBase * 8, bBase * 8, 0, mb, nb, k, nPad * 8, alpha)
  copyC(M, C, 0, n, m, n, nPad, nPad === n, false)
  return true
}

/**
 * The NN/TN direct kernel: P += alpha·op(X)·Y with P rows × cols, X stored rows×k (k×rows when xT),
 * Y k×cols. P is the caller's C, or with cT its transpose (C is then cols × rows).
 */
function directNN(kern: Kernel, rows: number, cols: number, k: number, alpha: number, X: Float64Array, xT: boolean, Y: Float64Array, C: Float64Array, cT: boolean): boolean {
  // One row (a vector-matrix product) reads Y once: copying a large Y costs more than SIMD saves
  // (1×2000·2000×2000: 13.6 ms in JavaScript, 16 ms here).
  if (rows === 1 && k * cols > 65536) return false
  const mb = (rows + 3) >> 2
  const nb = (cols + 3) >> 2
  const nPad = nb * 4
  const cLen = mb * 4 * nPad
  const aBase = cLen
  const bBase = aBase + (xT ? k * rows + 4 : mb * 4 * k)
  const M = wasmScratch(kern, bBase + k * cols + 4)
  if (!M) return false
  M.set(X.subarray(0, rows * k), aBase)
  M.set(Y.subarray(0, k * cols), bBase)
  if (cT) {
    // The kernel's C is the caller's Cᵀ: C[i][j] (caller m = cols, n = rows) sits at row j, column i.
    for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) M[j * nPad + i] = C[i * rows + j]
  } else copyC(M, C, 0, cols, rows, cols, nPad, nPad === cols, true)
  kern.direct(aBase * 8, bBase * 8, 0, mb, nb, k, xT ? 8 : k * 8, xT ? rows * 8 : 8, cols * 8, nPad * 8, alpha)
  if (cT) {
    for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) C[i * rows + j] = M[j * nPad + i]
  } else copyC(M, C, 0, cols, rows, cols, nPad, nPad === cols, false)
  return true
}
