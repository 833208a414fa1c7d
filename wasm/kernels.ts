// Our WebAssembly SIMD kernels, compiled by AssemblyScript (`npm run build:wasm`,
// scripts/build-wasm.mjs) into src/engine/backend/simd/kernels-wasm.ts. They run on
// tfjs-backend-wasm's own memory (imported, so tensors are read and written in place), each call
// on one thread; the kernels over a batch take an image or row range, so that helper threads can
// split a batch (src/engine/backend/simd/helpers.ts).
//
// Why: tfjs 4.22's WASM kernels spend much of a small network's training step on work that is not
// arithmetic: the filter gradient re-packs the output gradient as an XNNPACK "filter" on every
// call, the input gradient of a one-channel layer (on every attack step) becomes a depthwise
// convolution plus a sum over channels, every matrix product with a new operand builds an XNNPACK
// operator first (docs/benchmarks.md, "Against PyTorch on the CPU path"). Written directly, each
// is a short SIMD loop. The forward convolution and pooling are ours so that they split over our
// threads: XNNPACK's own pool then keeps one thread (two pools oversubscribe a small machine).
//
// Method: the two gradients of a convolution (Dumoulin and Visin 2016, "A guide to convolution
// arithmetic for deep learning", arXiv 1603.07285), stride 1, dilation 1, NHWC:
//   input grad   dx[b,i,j,c] = Σ_{p,q,o} W[p,q,c,o] · dy[b, i+pt−p, j+pl−q, o]
//   filter grad  dW[p,q,c,o] = Σ_{b,i,j} x[b, i+p−pt, j+q−pl, c] · dy[b,i,j,o]
// with x and dy outside their images read as 0. Shapes: x [B, H, W, Cin], W [kh, kw, Cin, Cout],
// dy [B, oh, ow, Cout]. float32; the sums run in float32 in an order of our own, so results
// differ from other backends by rounding only.
//
// Every pointer is a byte offset into the memory; scratch regions are the caller's (sizes in
// src/engine/backend/kernels/simd-overrides.ts). No allocation, no traps on valid shapes.

@inline
function hsum(a: v128): f32 {
  return (
    f32x4.extract_lane(a, 0) +
    f32x4.extract_lane(a, 1) +
    f32x4.extract_lane(a, 2) +
    f32x4.extract_lane(a, 3)
  );
}

// the lanes [0, n) set (n ≤ 0: none; n ≥ 4: all)
@inline
function laneMask(n: i32): v128 {
  return n >= 4
    ? i32x4.splat(-1)
    : n == 3
      ? i32x4(-1, -1, -1, 0)
      : n == 2
        ? i32x4(-1, -1, 0, 0)
        : n == 1
          ? i32x4(-1, 0, 0, 0)
          : i32x4.splat(0);
}

// The filter rearranged for inputGrad: wf[p][ci][q'·c + o] = W[p][kw−1−q'][ci][o], each row
// zero-padded to L4 = roundup4(kw·c) floats. wf holds kh·cin·L4 floats.
export function flipFilter(w: usize, wf: usize, kh: i32, kw: i32, cin: i32, c: i32): void {
  const L4 = (kw * c + 3) & ~3;
  memory.fill(wf, 0, (<usize>(kh * cin * L4)) << 2);
  for (let p = 0; p < kh; p++)
    for (let ci = 0; ci < cin; ci++)
      for (let q = 0; q < kw; q++)
        memory.copy(
          wf + ((<usize>((p * cin + ci) * L4 + (kw - 1 - q) * c)) << 2),
          w + ((<usize>(((p * kw + q) * cin + ci) * c)) << 2),
          (<usize>c) << 2,
        );
}

// Input gradient, any number of input channels, wf from flipFilter. For one dx pixel and filter
// row p, the kw·c products are one contiguous run of a dy row (zero-padded by kw−1 pixels each
// side) against one row of wf: a dot product of length kw·c. Four dx pixels at a time (four
// independent sums). scratch (floats): oh·(ow + 2kw + 2)·c + 4.
export function inputGrad(
  dy: usize, wf: usize, dx: usize, scratch: usize, nb: i32,
  h: i32, wd: i32, cin: i32, oh: i32, ow: i32, c: i32, kh: i32, kw: i32, pt: i32, pl: i32,
): void {
  const rowLen = (ow + 2 * kw + 2) * c; // floats per padded dy row
  const L4 = (kw * c + 3) & ~3;
  const mask = laneMask(kw * c - (L4 - 4)); // the last vector's lanes inside the run
  const pix = (<usize>c) << 2;
  memory.fill(scratch, 0, (<usize>(oh * rowLen + 4)) << 2);
  for (let b = 0; b < nb; b++) {
    for (let r = 0; r < oh; r++)
      memory.copy(
        scratch + ((<usize>(r * rowLen + (kw - 1) * c)) << 2),
        dy + ((<usize>((b * oh + r) * ow * c)) << 2),
        (<usize>(ow * c)) << 2,
      );
    const img = dx + ((<usize>(b * h * wd * cin)) << 2);
    for (let i = 0; i < h; i++) {
      let lo = i + pt - oh + 1; // filter rows p with 0 ≤ i+pt−p < oh
      if (lo < 0) lo = 0;
      let hi = i + pt + 1;
      if (hi > kh) hi = kh;
      for (let j = 0; j < wd; j += 4) {
        const run = scratch + ((<usize>((j + pl) * c)) << 2); // padded column j+pl ↔ dy column j+pl−(kw−1)
        for (let ci = 0; ci < cin; ci++) {
          let a0 = f32x4.splat(0);
          let a1 = a0;
          let a2 = a0;
          let a3 = a0;
          for (let p = lo; p < hi; p++) {
            let s = run + ((<usize>((i + pt - p) * rowLen)) << 2);
            let q = wf + ((<usize>((p * cin + ci) * L4)) << 2);
            for (let k = 4; k < L4; k += 4) {
              const wv = v128.load(q);
              a0 = f32x4.add(a0, f32x4.mul(v128.load(s), wv));
              a1 = f32x4.add(a1, f32x4.mul(v128.load(s + pix), wv));
              a2 = f32x4.add(a2, f32x4.mul(v128.load(s + 2 * pix), wv));
              a3 = f32x4.add(a3, f32x4.mul(v128.load(s + 3 * pix), wv));
              s += 16;
              q += 16;
            }
            // the last vector: lanes past the run read the next pixel, masked to exact zeros
            const wv = v128.load(q);
            a0 = f32x4.add(a0, f32x4.mul(v128.and(v128.load(s), mask), wv));
            a1 = f32x4.add(a1, f32x4.mul(v128.and(v128.load(s + pix), mask), wv));
            a2 = f32x4.add(a2, f32x4.mul(v128.and(v128.load(s + 2 * pix), mask), wv));
            a3 = f32x4.add(a3, f32x4.mul(v128.and(v128.load(s + 3 * pix), mask), wv));
          }
          const o = img + ((<usize>((i * wd + j) * cin + ci)) << 2);
          const step = (<usize>cin) << 2;
          store<f32>(o, hsum(a0));
          if (j + 1 < wd) store<f32>(o + step, hsum(a1));
          if (j + 2 < wd) store<f32>(o + 2 * step, hsum(a2));
          if (j + 3 < wd) store<f32>(o + 3 * step, hsum(a3));
        }
      }
    }
  }
}

// lanes [0, n) of the floats at p, the rest 0 (n in 1..4)
@inline
function loadLanes(p: usize, n: i32): v128 {
  if (n == 4) return v128.load(p);
  if (n == 2) return v128.load64_zero(p);
  if (n == 1) return v128.load32_zero(p);
  return v128.load32_lane(p, v128.load64_zero(p), 2, 8);
}

// store lanes [0, n) of v at p (n in 1..4)
@inline
function storeLanes(p: usize, v: v128, n: i32): void {
  if (n == 4) v128.store(p, v);
  else if (n == 2) v128.store64_lane(p, v, 0);
  else if (n == 1) v128.store32_lane(p, v, 0);
  else {
    v128.store64_lane(p, v, 0);
    v128.store32_lane(p, v, 2, 8);
  }
}

// Max-pooling gradient, 2×2 windows with stride 2 tiling x [B, H, W, C] exactly (H, W even, no
// padding): each window's four dx entries are written, dy at the window's arg-max and 0 at the
// others. The arg-max rule of src/engine/backend/kernels/max-pool-grad.ts (tfjs-backend-cpu's):
// the first strictly greater value from −∞, row by row; NaN never wins; a window without a
// comparable value routes nothing. dy's bits are copied through the winner masks (exact for −0,
// ±∞ and NaN gradients). Vectorized over channels, four at a time.
export function pool2x2Grad(x: usize, dy: usize, dx: usize, nb: i32, h: i32, w: i32, c: i32): void {
  const ninf = f32x4.splat(-Infinity);
  const pix = (<usize>c) << 2; // bytes to the right neighbour
  const row = (<usize>(w * c)) << 2; // bytes to the row below
  let g = dy;
  for (let b = 0; b < nb; b++) {
    for (let r = 0; r < h; r += 2) {
      const base = (<usize>((b * h + r) * w * c)) << 2;
      for (let col = 0; col < w; col += 2) {
        const at = base + ((<usize>(col * c)) << 2);
        for (let d = 0; d < c; d += 4) {
          const n = c - d < 4 ? c - d : 4;
          const o = at + ((<usize>d) << 2);
          let v0 = loadLanes(x + o, n);
          let v1 = loadLanes(x + o + pix, n);
          let v2 = loadLanes(x + o + row, n);
          let v3 = loadLanes(x + o + row + pix, n);
          // NaN never wins: read it as −∞
          v0 = v128.bitselect(v0, ninf, f32x4.gt(v0, ninf));
          v1 = v128.bitselect(v1, ninf, f32x4.gt(v1, ninf));
          v2 = v128.bitselect(v2, ninf, f32x4.gt(v2, ninf));
          v3 = v128.bitselect(v3, ninf, f32x4.gt(v3, ninf));
          // a later entry must beat every earlier one strictly, an earlier one tie every later one
          const w0 = v128.and(
            v128.and(f32x4.gt(v0, ninf), f32x4.ge(v0, v1)),
            v128.and(f32x4.ge(v0, v2), f32x4.ge(v0, v3)),
          );
          const w1 = v128.and(f32x4.gt(v1, v0), v128.and(f32x4.ge(v1, v2), f32x4.ge(v1, v3)));
          const w2 = v128.and(f32x4.gt(v2, v0), v128.and(f32x4.gt(v2, v1), f32x4.ge(v2, v3)));
          const w3 = v128.and(f32x4.gt(v3, v0), v128.and(f32x4.gt(v3, v1), f32x4.gt(v3, v2)));
          const gv = loadLanes(g + ((<usize>d) << 2), n);
          storeLanes(dx + o, v128.and(w0, gv), n);
          storeLanes(dx + o + pix, v128.and(w1, gv), n);
          storeLanes(dx + o + row, v128.and(w2, gv), n);
          storeLanes(dx + o + row + pix, v128.and(w3, gv), n);
        }
        g += pix;
      }
    }
  }
}

// Max pooling, 2×2 windows with stride 2 tiling x [B, H, W, C] exactly (H, W even, no padding),
// into y [B, H/2, W/2, C]: tfjs-backend-cpu's rule, the rule pool2x2Grad routes by: from −∞, the
// first strictly greater value, row by row; NaN never wins (a window of NaNs gives −∞). Bit for
// bit the CPU backend (−0 included). Four channels at a time.
export function pool2x2(x: usize, y: usize, nb: i32, h: i32, w: i32, c: i32): void {
  const ninf = f32x4.splat(-Infinity);
  const pix = (<usize>c) << 2;
  const row = (<usize>(w * c)) << 2;
  let g = y;
  for (let b = 0; b < nb; b++) {
    for (let r = 0; r < h; r += 2) {
      const base = x + ((<usize>((b * h + r) * w * c)) << 2);
      for (let col = 0; col < w; col += 2) {
        const at = base + ((<usize>(col * c)) << 2);
        for (let d = 0; d < c; d += 4) {
          const n = c - d < 4 ? c - d : 4;
          const o = at + ((<usize>d) << 2);
          let m = ninf;
          let v = loadLanes(o, n);
          m = v128.bitselect(v, m, f32x4.gt(v, m));
          v = loadLanes(o + pix, n);
          m = v128.bitselect(v, m, f32x4.gt(v, m));
          v = loadLanes(o + row, n);
          m = v128.bitselect(v, m, f32x4.gt(v, m));
          v = loadLanes(o + row + pix, n);
          m = v128.bitselect(v, m, f32x4.gt(v, m));
          storeLanes(g + ((<usize>d) << 2), m, n);
        }
        g += pix;
      }
    }
  }
}

// y[j] = Σ_i x[i·c + j]: the sum of x [rows, c] over its rows (a bias gradient: dz summed over
// every axis but the channels). Four channels at a time, four rows at a time (four independent
// sums, added pairwise at the end).
export function colSum(x: usize, y: usize, rows: i32, c: i32): void {
  const stride = (<usize>c) << 2;
  const zero = f32x4.splat(0);
  for (let d = 0; d < c; d += 4) {
    const n = c - d < 4 ? c - d : 4;
    let a0 = zero;
    let a1 = zero;
    let a2 = zero;
    let a3 = zero;
    let p = x + ((<usize>d) << 2);
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      a0 = f32x4.add(a0, loadLanes(p, n));
      a1 = f32x4.add(a1, loadLanes(p + stride, n));
      a2 = f32x4.add(a2, loadLanes(p + 2 * stride, n));
      a3 = f32x4.add(a3, loadLanes(p + 3 * stride, n));
      p += 4 * stride;
    }
    for (; r < rows; r++) {
      a0 = f32x4.add(a0, loadLanes(p, n));
      p += stride;
    }
    storeLanes(y + ((<usize>d) << 2), f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), n);
  }
}

// dz = dy · step(y): the gradient through a ReLU, given its output y, in one pass (tfjs runs
// Step then Multiply). step(y) is 1 where y > 0, NaN where y is NaN, else 0, so dz equals tfjs's
// mul(dy, step(y)) bit for bit (−0 where dy < 0 and y ≤ 0, NaN through).
export function reluGrad(dy: usize, y: usize, dz: usize, n: i32): void {
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  const nan = f32x4.splat(NaN);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (<usize>i) << 2;
    const yv = v128.load(y + o);
    const s = v128.bitselect(one, v128.bitselect(zero, nan, f32x4.eq(yv, yv)), f32x4.gt(yv, zero));
    v128.store(dz + o, f32x4.mul(v128.load(dy + o), s));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const yv = load<f32>(y + o);
    const s: f32 = yv > 0 ? 1 : yv == yv ? 0 : NaN;
    store<f32>(dz + o, load<f32>(dy + o) * s);
  }
}

// Softmax cross-entropy per row of logits z [b, k] with int32 labels y [b]:
// loss[i] = log Σ_j exp(z_ij − m_i) + m_i − z_{i,y_i}, m_i = max_j z_ij (a label outside [0, k)
// takes z_y = 0, as tfjs's oneHot does). NaN logits give NaN (f32.max propagates it).
@inline
function rowLogSumExp(z: usize, k: i32): f32 {
  let m: f32 = load<f32>(z);
  for (let j = 1; j < k; j++) m = Mathf.max(m, load<f32>(z + ((<usize>j) << 2)));
  let s: f32 = 0;
  for (let j = 0; j < k; j++) s += Mathf.exp(load<f32>(z + ((<usize>j) << 2)) - m);
  return Mathf.log(s) + m;
}

export function softmaxCE(z: usize, y: usize, loss: usize, b: i32, k: i32): void {
  for (let i = 0; i < b; i++) {
    const row = z + ((<usize>(i * k)) << 2);
    const label = load<i32>(y + ((<usize>i) << 2));
    const zy: f32 = label >= 0 && label < k ? load<f32>(row + ((<usize>label) << 2)) : 0;
    store<f32>(loss + ((<usize>i) << 2), rowLogSumExp(row, k) - zy);
  }
}

// Its gradient: dz_ij = dloss_i · (softmax(z_i)_j − [j = y_i]).
export function softmaxCEGrad(z: usize, y: usize, dloss: usize, dz: usize, b: i32, k: i32): void {
  for (let i = 0; i < b; i++) {
    const row = z + ((<usize>(i * k)) << 2);
    const out = dz + ((<usize>(i * k)) << 2);
    const label = load<i32>(y + ((<usize>i) << 2));
    const lse = rowLogSumExp(row, k);
    const g = load<f32>(dloss + ((<usize>i) << 2));
    for (let j = 0; j < k; j++) {
      const p = Mathf.exp(load<f32>(row + ((<usize>j) << 2)) - lse);
      store<f32>(out + ((<usize>j) << 2), g * (j == label ? p - 1 : p));
    }
  }
}

// One SGD step of one parameter (src/engine/train/optimizers.ts, PyTorch's torch.optim.SGD with
// dampening 0), with the composition's float32 operations in its order, so the result is bit for
// bit tfjs's (each op rounds once; WebAssembly never fuses a multiply-add):
//   g ← grad·mask;  g ← g + p·wd;  b ← (b·μ + g)·mask;  g ← g + b·μ (Nesterov) or b;
//   p ← (p − g·lr)·mask
// b, mask and bOut may be 0 (no momentum buffer / no mask); wd 0 skips the decay term.
export function sgdUpdate(
  p: usize, b: usize, g: usize, mask: usize, pOut: usize, bOut: usize, n: i32,
  lr: f32, mu: f32, wd: f32, nesterov: i32,
): void {
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 2;
    const pv = load<f32>(p + o);
    const m: f32 = mask ? load<f32>(mask + o) : 1;
    let gv = load<f32>(g + o);
    if (mask) gv = gv * m;
    if (wd != 0) gv = gv + pv * wd;
    if (b) {
      let bv = load<f32>(b + o) * mu + gv;
      if (mask) bv = bv * m;
      store<f32>(bOut + o, bv);
      gv = nesterov ? gv + bv * mu : bv;
    }
    let pn = pv - gv * lr;
    if (mask) pn = pn * m;
    store<f32>(pOut + o, pn);
  }
}

// 1 when all n floats at p are finite, else 0 (x·0 is 0 for finite x and NaN for ±∞ and NaN).
export function allFinite(p: usize, n: i32): i32 {
  const zero = f32x4.splat(0);
  let acc = zero;
  let i = 0;
  for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(p + ((<usize>i) << 2)), zero));
  let s: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; i < n; i++) s += load<f32>(p + ((<usize>i) << 2)) * 0;
  return s == s ? 1 : 0;
}

// Matrix product C [m, n] = op(A)·op(B) (+ bias [n]) (then ReLU), float32, row-major:
//   op(A)[i, l] = A[i·k + l] (A [m, k]) or A[l·m + i] (transA: A [k, m]);
//   op(B)[l, j] = B[l·n + j] (B [k, n]) or B[j·k + l] (transB: B [n, k], first transposed into
//   scratch: k·n floats).
// Why ours: tfjs-backend-wasm builds an XNNPACK operator for every new right-hand operand, packing
// it (~50-190 µs a product in a LeNet step, where every weight and every output gradient is new),
// and its transposed products go through an explicit Transpose kernel. Here nothing is packed.
// Tiles of 4 rows × 8 columns: per l, two vectors of op(B)'s row l and four broadcasts of
// op(A)[i.., l], eight independent sums; sums in l order, so results differ from XNNPACK's by
// rounding only. relu: max(z, 0) with NaN kept (f32x4.max propagates it).
@inline
function gemmTile(
  a0: usize, a1: usize, a2: usize, a3: usize, sak: usize, bp: usize, ldb: usize, kk: i32,
  c0: usize, c1: usize, c2: usize, c3: usize, rows: i32, nc: i32, bias: usize, relu: i32,
  full: i32,
): void {
  let s00 = f32x4.splat(0);
  let s01 = s00;
  let s10 = s00;
  let s11 = s00;
  let s20 = s00;
  let s21 = s00;
  let s30 = s00;
  let s31 = s00;
  if (nc == 8 || full) {
    // (full: B's rows hold 8 readable floats, zero past nc: a packed panel)
    for (let l = 0; l < kk; l++) {
      const b0 = v128.load(bp);
      const b1 = v128.load(bp, 16);
      let x = v128.load32_splat(a0);
      s00 = f32x4.add(s00, f32x4.mul(x, b0));
      s01 = f32x4.add(s01, f32x4.mul(x, b1));
      x = v128.load32_splat(a1);
      s10 = f32x4.add(s10, f32x4.mul(x, b0));
      s11 = f32x4.add(s11, f32x4.mul(x, b1));
      x = v128.load32_splat(a2);
      s20 = f32x4.add(s20, f32x4.mul(x, b0));
      s21 = f32x4.add(s21, f32x4.mul(x, b1));
      x = v128.load32_splat(a3);
      s30 = f32x4.add(s30, f32x4.mul(x, b0));
      s31 = f32x4.add(s31, f32x4.mul(x, b1));
      a0 += sak;
      a1 += sak;
      a2 += sak;
      a3 += sak;
      bp += ldb;
    }
  } else {
    // the same loop with partial loads of B, kept apart (loop unswitching by hand: with the branch
    // inside one loop, filterGrad's equivalent ran 1.33 ms against 1.17 ms on conv2 at batch 64)
    const n0 = nc < 4 ? nc : 4;
    const n1 = nc - 4;
    for (let l = 0; l < kk; l++) {
      const b0 = loadLanes(bp, n0);
      const b1 = n1 > 0 ? loadLanes(bp + 16, n1) : f32x4.splat(0);
      let x = v128.load32_splat(a0);
      s00 = f32x4.add(s00, f32x4.mul(x, b0));
      s01 = f32x4.add(s01, f32x4.mul(x, b1));
      x = v128.load32_splat(a1);
      s10 = f32x4.add(s10, f32x4.mul(x, b0));
      s11 = f32x4.add(s11, f32x4.mul(x, b1));
      x = v128.load32_splat(a2);
      s20 = f32x4.add(s20, f32x4.mul(x, b0));
      s21 = f32x4.add(s21, f32x4.mul(x, b1));
      x = v128.load32_splat(a3);
      s30 = f32x4.add(s30, f32x4.mul(x, b0));
      s31 = f32x4.add(s31, f32x4.mul(x, b1));
      a0 += sak;
      a1 += sak;
      a2 += sak;
      a3 += sak;
      bp += ldb;
    }
  }
  gemmStore(c0, s00, s01, nc, bias, relu);
  if (rows > 1) gemmStore(c1, s10, s11, nc, bias, relu);
  if (rows > 2) gemmStore(c2, s20, s21, nc, bias, relu);
  if (rows > 3) gemmStore(c3, s30, s31, nc, bias, relu);
}

// columns [0, nc) of one row of a tile (nc ≤ 8), plus the bias, through the ReLU
@inline
function gemmStore(c: usize, v0: v128, v1: v128, nc: i32, bias: usize, relu: i32): void {
  const n0 = nc < 4 ? nc : 4;
  const n1 = nc - 4;
  if (bias) {
    v0 = f32x4.add(v0, loadLanes(bias, n0));
    if (n1 > 0) v1 = f32x4.add(v1, loadLanes(bias + 16, n1));
  }
  if (relu) {
    const zero = f32x4.splat(0);
    v0 = f32x4.max(v0, zero);
    v1 = f32x4.max(v1, zero);
  }
  storeLanes(c, v0, n0);
  if (n1 > 0) storeLanes(c + 16, v1, n1);
}

export function gemm(
  a: usize, b: usize, c: usize, bias: usize, scratch: usize, m: i32, k: i32, n: i32,
  transA: i32, transB: i32, relu: i32, panel: usize,
): void {
  if (transB) {
    transposeInto(b, scratch, n, k); // B [n, k] → scratch [k, n]
    b = scratch;
  }
  gemmRows(a, b, c, bias, panel, 0, m, m, k, n, transA, relu);
}

// Rows [i0, i0 + count) of gemm's C (count clamped to m), with B already [k, n] (no transB): one
// task of a product split over threads (src/engine/backend/simd/helpers.ts). panel (k·8 floats,
// or 0 for none): each 8-column block of B is first copied there as one contiguous [k, 8] panel
// (zero past n), so a tile's reads of B walk 32-byte rows instead of rows n floats apart; on
// large k that keeps B's block in cache (256×4096×512, one thread: 119 → 30 ms; XNNPACK 35). The sums
// are the same, in the same order: the same bits with or without.
export function gemmRows(
  a: usize, b: usize, c: usize, bias: usize, panel: usize, i0: i32, count: i32, m: i32, k: i32,
  n: i32, transA: i32, relu: i32,
): void {
  const sai: usize = transA ? 4 : (<usize>k) << 2; // bytes between rows of op(A)
  const sak: usize = transA ? (<usize>m) << 2 : 4; // bytes between columns of op(A)
  const ldb: usize = (<usize>n) << 2;
  const end = i0 + count < m ? i0 + count : m;
  if (panel) {
    for (let j = 0; j < n; j += 8) {
      const nc = n - j < 8 ? n - j : 8;
      packPanel(b + ((<usize>j) << 2), panel, k, ldb, nc);
      for (let i = i0; i < end; i += 4) {
        const rows = end - i < 4 ? end - i : 4;
        const a0 = a + (<usize>i) * sai;
        const a1 = rows > 1 ? a0 + sai : a0;
        const a2 = rows > 2 ? a0 + 2 * sai : a0;
        const a3 = rows > 3 ? a0 + 3 * sai : a0;
        const cj = c + ((<usize>(i * n + j)) << 2);
        gemmTile(
          a0, a1, a2, a3, sak, panel, 32, k,
          cj, cj + ldb, cj + 2 * ldb, cj + 3 * ldb, rows, nc,
          bias ? bias + ((<usize>j) << 2) : 0, relu, 1,
        );
      }
    }
    return;
  }
  for (let i = i0; i < end; i += 4) {
    const rows = end - i < 4 ? end - i : 4;
    // rows past m read row i again (their sums are not stored)
    const a0 = a + (<usize>i) * sai;
    const a1 = rows > 1 ? a0 + sai : a0;
    const a2 = rows > 2 ? a0 + 2 * sai : a0;
    const a3 = rows > 3 ? a0 + 3 * sai : a0;
    const c0 = c + ((<usize>(i * n)) << 2);
    for (let j = 0; j < n; j += 8) {
      const nc = n - j < 8 ? n - j : 8;
      const cj = c0 + ((<usize>j) << 2);
      gemmTile(
        a0, a1, a2, a3, sak, b + ((<usize>j) << 2), ldb, k,
        cj, cj + ldb, cj + 2 * ldb, cj + 3 * ldb, rows, nc,
        bias ? bias + ((<usize>j) << 2) : 0, relu, 0,
      );
    }
  }
}

// columns [0, nc) of B's k rows (ldb bytes apart) into panel [k, 8], zero past nc
function packPanel(b: usize, panel: usize, k: i32, ldb: usize, nc: i32): void {
  if (nc == 8) {
    for (let l = 0; l < k; l++) {
      v128.store(panel, v128.load(b));
      v128.store(panel, v128.load(b, 16), 16);
      b += ldb;
      panel += 32;
    }
    return;
  }
  memory.fill(panel, 0, (<usize>k) << 5);
  for (let l = 0; l < k; l++) {
    memory.copy(panel, b, (<usize>nc) << 2);
    b += ldb;
    panel += 32;
  }
}

// Filter gradient of a stride-1 convolution, any number of channels, added into dw
// [kh, kw, cin, c] (zeroed by the caller). For filter row p, the kw·cin entries dW[p, :, :, o]
// multiply one contiguous run of the zero-padded image row i+p, xp[b, i+p, j : j+kw, :], so
//   dW[p] as [kw·cin, c] = Σ_{b,i,j} xp[b, i+p, j : j+kw, :] ⊗ dy[b, i, j, :]
// is a product with the pixels as its sum axis (an implicit GEMM: nothing is unfolded). Tiles of
// 5 rows (kw·cin entries) × 8 output channels: per pixel, two vectors of dy and five broadcasts of
// xp, ten independent sums, kept in registers over one image's pixels and then added into dw.
// Each image is first copied into xp [hp, wp, cin] (zero borders: x outside the image reads 0,
// so 0·∞ gives NaN as in a padded convolution). scratch (floats): hp·wp·cin, hp = oh+kh−1,
// wp = ow+kw−1.
export function filterGrad(
  x: usize, dy: usize, dw: usize, scratch: usize, nb: i32,
  h: i32, wd: i32, cin: i32, oh: i32, ow: i32, c: i32, kh: i32, kw: i32, pt: i32, pl: i32,
): void {
  const hp = oh + kh - 1;
  const wp = ow + kw - 1;
  const mm = kw * cin; // rows of one filter row's product
  const pix = (<usize>cin) << 2; // bytes between neighbouring pixels of xp
  const dyPix = (<usize>c) << 2;
  const zero = f32x4.splat(0);
  for (let b = 0; b < nb; b++) {
    padInto(x + ((<usize>(b * h * wd * cin)) << 2), scratch, h, wd, cin, hp, wp, pt, pl);
    const dyb = dy + ((<usize>(b * oh * ow * c)) << 2);
    for (let p = 0; p < kh; p++) {
      for (let m0 = 0; m0 < mm; m0 += 5) {
        const rows = mm - m0 < 5 ? mm - m0 : 5;
        // rows past mm read row m0 again (their sums are not stored)
        const o1: usize = rows > 1 ? 4 : 0;
        const o2: usize = rows > 2 ? 8 : 0;
        const o3: usize = rows > 3 ? 12 : 0;
        const o4: usize = rows > 4 ? 16 : 0;
        for (let n0 = 0; n0 < c; n0 += 8) {
          const nc = c - n0 < 8 ? c - n0 : 8;
          const nA = nc < 4 ? nc : 4;
          const nB = nc - 4;
          let s00 = zero;
          let s01 = zero;
          let s10 = zero;
          let s11 = zero;
          let s20 = zero;
          let s21 = zero;
          let s30 = zero;
          let s31 = zero;
          let s40 = zero;
          let s41 = zero;
          for (let i = 0; i < oh; i++) {
            let a = scratch + ((<usize>(((i + p) * wp) * cin + m0)) << 2);
            let g = dyb + ((<usize>(i * ow * c + n0)) << 2);
            const end = g + (<usize>ow) * dyPix;
            if (nc == 8) {
              while (g < end) {
                const b0 = v128.load(g);
                const b1 = v128.load(g, 16);
                let v = v128.load32_splat(a);
                s00 = f32x4.add(s00, f32x4.mul(v, b0));
                s01 = f32x4.add(s01, f32x4.mul(v, b1));
                v = v128.load32_splat(a + o1);
                s10 = f32x4.add(s10, f32x4.mul(v, b0));
                s11 = f32x4.add(s11, f32x4.mul(v, b1));
                v = v128.load32_splat(a + o2);
                s20 = f32x4.add(s20, f32x4.mul(v, b0));
                s21 = f32x4.add(s21, f32x4.mul(v, b1));
                v = v128.load32_splat(a + o3);
                s30 = f32x4.add(s30, f32x4.mul(v, b0));
                s31 = f32x4.add(s31, f32x4.mul(v, b1));
                v = v128.load32_splat(a + o4);
                s40 = f32x4.add(s40, f32x4.mul(v, b0));
                s41 = f32x4.add(s41, f32x4.mul(v, b1));
                a += pix;
                g += dyPix;
              }
            } else {
              // the same loop with partial loads of dy (unswitched by hand, as in gemmTile)
              while (g < end) {
                const b0 = loadLanes(g, nA);
                const b1 = nB > 0 ? loadLanes(g + 16, nB) : zero;
                let v = v128.load32_splat(a);
                s00 = f32x4.add(s00, f32x4.mul(v, b0));
                s01 = f32x4.add(s01, f32x4.mul(v, b1));
                v = v128.load32_splat(a + o1);
                s10 = f32x4.add(s10, f32x4.mul(v, b0));
                s11 = f32x4.add(s11, f32x4.mul(v, b1));
                v = v128.load32_splat(a + o2);
                s20 = f32x4.add(s20, f32x4.mul(v, b0));
                s21 = f32x4.add(s21, f32x4.mul(v, b1));
                v = v128.load32_splat(a + o3);
                s30 = f32x4.add(s30, f32x4.mul(v, b0));
                s31 = f32x4.add(s31, f32x4.mul(v, b1));
                v = v128.load32_splat(a + o4);
                s40 = f32x4.add(s40, f32x4.mul(v, b0));
                s41 = f32x4.add(s41, f32x4.mul(v, b1));
                a += pix;
                g += dyPix;
              }
            }
          }
          const out = dw + ((<usize>((p * mm + m0) * c + n0)) << 2);
          const row = (<usize>c) << 2;
          addLanes(out, s00, s01, nA, nB);
          if (rows > 1) addLanes(out + row, s10, s11, nA, nB);
          if (rows > 2) addLanes(out + 2 * row, s20, s21, nA, nB);
          if (rows > 3) addLanes(out + 3 * row, s30, s31, nA, nB);
          if (rows > 4) addLanes(out + 4 * row, s40, s41, nA, nB);
        }
      }
    }
  }
}

// out[0 : nA + nB] += (v0, v1) lanes
@inline
function addLanes(out: usize, v0: v128, v1: v128, nA: i32, nB: i32): void {
  storeLanes(out, f32x4.add(loadLanes(out, nA), v0), nA);
  if (nB > 0) storeLanes(out + 16, f32x4.add(loadLanes(out + 16, nB), v1), nB);
}

// W [rows, cols] → wt [cols, rows]
export function transposeInto(w: usize, wt: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < cols; o++)
      store<f32>(wt + ((<usize>(o * rows + r)) << 2), load<f32>(w + ((<usize>(r * cols + o)) << 2)));
}

// Input gradient of a stride-1 convolution with several input channels, per image as a product
// and a scatter (col2im): cols [oh·ow, kh·kw·cin] = dy_b [oh·ow, c] · wt (gemm; wt = Wᵀ
// [c, kh·kw·cin] from transposeInto), then dx[b, y+p−pt, x+q−pl, :] += cols[(y, x), (p, q, :)] for
// the (p, q) that land inside the image: for each pixel and filter row p, one contiguous run of
// (q, cin) floats added into one dx row. Every product is one the input gradient needs; a NaN or
// ∞ in dy reaches exactly the dx entries its pixel touches. cols (floats): oh·ow·kh·kw·cin.
export function inputGradCols(
  dy: usize, wt: usize, dx: usize, cols: usize, nb: i32,
  h: i32, wd: i32, cin: i32, oh: i32, ow: i32, c: i32, kh: i32, kw: i32, pt: i32, pl: i32,
): void {
  const kk = kh * kw * cin; // columns of cols
  const np = oh * ow;
  memory.fill(dx, 0, (<usize>(nb * h * wd * cin)) << 2);
  for (let b = 0; b < nb; b++) {
    gemm(dy + ((<usize>(b * np * c)) << 2), wt, cols, 0, 0, np, c, kk, 0, 0, 0, 0);
    const img = dx + ((<usize>(b * h * wd * cin)) << 2);
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        let qlo = pl - x;
        if (qlo < 0) qlo = 0;
        let qhi = wd + pl - x;
        if (qhi > kw) qhi = kw;
        if (qlo >= qhi) continue;
        const len = (qhi - qlo) * cin;
        const src0 = cols + ((<usize>((y * ow + x) * kk + qlo * cin)) << 2);
        const col = x + qlo - pl;
        for (let p = 0; p < kh; p++) {
          const rr = y + p - pt;
          if (rr < 0 || rr >= h) continue;
          let s = src0 + ((<usize>(p * kw * cin)) << 2);
          let d = img + ((<usize>((rr * wd + col) * cin)) << 2);
          let t = 0;
          for (; t + 4 <= len; t += 4) {
            v128.store(d, f32x4.add(v128.load(d), v128.load(s)));
            s += 16;
            d += 16;
          }
          for (; t < len; t++) {
            store<f32>(d, load<f32>(d) + load<f32>(s));
            s += 4;
            d += 4;
          }
        }
      }
    }
  }
}

// one image x [h, wd, cin] into xp [hp, wp, cin] with zero borders: xp[r+pt][col+pl] = x[r][col]
// (rows and columns past hp, wp dropped)
function padInto(x: usize, xp: usize, h: i32, wd: i32, cin: i32, hp: i32, wp: i32, pt: i32, pl: i32): void {
  memory.fill(xp, 0, (<usize>(hp * wp * cin)) << 2);
  let c0 = pl; // first padded column written
  let s0 = 0; // first image column read
  if (c0 < 0) {
    s0 = -c0;
    c0 = 0;
  }
  let cnt = wd - s0;
  if (c0 + cnt > wp) cnt = wp - c0;
  if (cnt <= 0) return;
  for (let r = 0; r < h; r++) {
    const rr = r + pt;
    if (rr < 0 || rr >= hp) continue;
    memory.copy(
      xp + ((<usize>((rr * wp + c0) * cin)) << 2),
      x + ((<usize>((r * wd + s0) * cin)) << 2),
      (<usize>(cnt * cin)) << 2,
    );
  }
}

// out[i] = ((0 + parts[0][i]) + parts[1][i]) + … + parts[rows−1][i] for i < n, in row order (the
// order in which filterGrad adds one image after another, so the sum is the same bits)
export function sumRows(parts: usize, out: usize, rows: i32, n: i32): void {
  const stride = (<usize>n) << 2;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let p = parts + ((<usize>i) << 2);
    let acc = f32x4.splat(0);
    for (let r = 0; r < rows; r++) {
      acc = f32x4.add(acc, v128.load(p));
      p += stride;
    }
    v128.store(out + ((<usize>i) << 2), acc);
  }
  for (; i < n; i++) {
    let p = parts + ((<usize>i) << 2);
    let acc: f32 = 0;
    for (let r = 0; r < rows; r++) {
      acc += load<f32>(p);
      p += stride;
    }
    store<f32>(out + ((<usize>i) << 2), acc);
  }
}

// w [rows, c] → w8 [rows, c8] with columns [c, c8) zero (c8 = roundup8(c)), so that conv2d's tiles
// load whole vectors of the filter
export function padColumns(w: usize, w8: usize, rows: i32, c: i32, c8: i32): void {
  memory.fill(w8, 0, (<usize>(rows * c8)) << 2);
  for (let r = 0; r < rows; r++)
    memory.copy(w8 + ((<usize>(r * c8)) << 2), w + ((<usize>(r * c)) << 2), (<usize>c) << 2);
}

// Forward convolution, NHWC, any stride, dilation 1, (+ bias [c]) (then ReLU), into out
// [nb, oh, ow, c]. For output pixel (i, j) and filter row p, the kw·cin inputs it multiplies are
// one contiguous run of the zero-padded image, xp[i·sh + p, j·sw : j·sw + kw, :], and they meet
// the filter rows W[p] as [kw·cin, c]: out = Σ_p run · W[p] is an implicit product (nothing is
// unfolded). Tiles of 4 pixels of one output row × 8 output channels: per filter entry, two
// vectors of the filter (w8: W with its channels padded to c8, padColumns) and four broadcasts of
// the image, eight independent sums, added in (p, q, ci) order. Each image is first copied into
// xp [hp, wp, cin] (zero borders; scratch: hp·wp·cin floats, hp = (oh−1)·sh + kh, wp = (ow−1)·sw
// + kw). bias 0: none. relu: max(z, 0) with NaN kept.
export function conv2d(
  x: usize, w8: usize, bias: usize, out: usize, scratch: usize, nb: i32,
  h: i32, wd: i32, cin: i32, oh: i32, ow: i32, c: i32, kh: i32, kw: i32, pt: i32, pl: i32,
  sh: i32, sw: i32, relu: i32,
): void {
  const hp = (oh - 1) * sh + kh;
  const wp = (ow - 1) * sw + kw;
  const c8 = (c + 7) & ~7;
  const run = kw * cin; // filter entries per filter row
  const px: usize = (<usize>(sw * cin)) << 2; // bytes between neighbouring output pixels in xp
  const ldw: usize = (<usize>c8) << 2;
  const rowBytes: usize = (<usize>(wp * cin)) << 2;
  for (let b = 0; b < nb; b++) {
    padInto(x + ((<usize>(b * h * wd * cin)) << 2), scratch, h, wd, cin, hp, wp, pt, pl);
    const ob = out + ((<usize>(b * oh * ow * c)) << 2);
    for (let i = 0; i < oh; i++) {
      const rowStart = scratch + (<usize>(i * sh)) * rowBytes;
      for (let j = 0; j < ow; j += 4) {
        const rows = ow - j < 4 ? ow - j : 4;
        const a0 = rowStart + (<usize>j) * px;
        // pixels past ow read pixel j again (their sums are not stored)
        const o1: usize = rows > 1 ? px : 0;
        const o2: usize = rows > 2 ? 2 * px : 0;
        const o3: usize = rows > 3 ? 3 * px : 0;
        const c0 = ob + ((<usize>((i * ow + j) * c)) << 2);
        const cs: usize = (<usize>c) << 2;
        for (let n0 = 0; n0 < c; n0 += 8) {
          let s00 = f32x4.splat(0);
          let s01 = s00;
          let s10 = s00;
          let s11 = s00;
          let s20 = s00;
          let s21 = s00;
          let s30 = s00;
          let s31 = s00;
          for (let p = 0; p < kh; p++) {
            let a = a0 + (<usize>p) * rowBytes;
            let bp = w8 + ((<usize>(p * run * c8 + n0)) << 2);
            const end = a + ((<usize>run) << 2);
            while (a < end) {
              const b0 = v128.load(bp);
              const b1 = v128.load(bp, 16);
              let v = v128.load32_splat(a);
              s00 = f32x4.add(s00, f32x4.mul(v, b0));
              s01 = f32x4.add(s01, f32x4.mul(v, b1));
              v = v128.load32_splat(a + o1);
              s10 = f32x4.add(s10, f32x4.mul(v, b0));
              s11 = f32x4.add(s11, f32x4.mul(v, b1));
              v = v128.load32_splat(a + o2);
              s20 = f32x4.add(s20, f32x4.mul(v, b0));
              s21 = f32x4.add(s21, f32x4.mul(v, b1));
              v = v128.load32_splat(a + o3);
              s30 = f32x4.add(s30, f32x4.mul(v, b0));
              s31 = f32x4.add(s31, f32x4.mul(v, b1));
              a += 4;
              bp += ldw;
            }
          }
          const nc = c - n0 < 8 ? c - n0 : 8;
          const cn = c0 + ((<usize>n0) << 2);
          const bn = bias ? bias + ((<usize>n0) << 2) : 0;
          gemmStore(cn, s00, s01, nc, bn, relu);
          if (rows > 1) gemmStore(cn + cs, s10, s11, nc, bn, relu);
          if (rows > 2) gemmStore(cn + 2 * cs, s20, s21, nc, bn, relu);
          if (rows > 3) gemmStore(cn + 3 * cs, s30, s31, nc, bn, relu);
        }
      }
    }
  }
}
