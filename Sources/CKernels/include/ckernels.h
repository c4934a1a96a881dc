#ifndef KVSERVE_CKERNELS_H
#define KVSERVE_CKERNELS_H
#include <stddef.h>
#include <stdint.h>

// Hot quantized dot products for kvserve's Kernels module (see shared kernel-notes.md).
// One copy of each kernel per x86 ISA level, chosen at run time; when none applies
// (ck_isa() == 0) the Swift side uses its portable dequantize-and-dot path.

// Activations quantized to 8 bits in blocks of 32: x[i] ~= d * qs[i], s = d * sum(qs).
// The s term turns the weight's offset (Q4_1 min, Q4_0's -8) into one multiply per block.
typedef struct {
    float d;
    float s;
    int8_t qs[32];
} ck_q8_block;

// Weight formats (ggml type numbers) handled by ck_matmul.
enum {
    CK_F32 = 0, CK_F16 = 1, CK_Q4_0 = 2, CK_Q4_1 = 3, CK_Q5_0 = 6, CK_Q5_1 = 7, CK_Q8_0 = 8,
    CK_Q4_K = 12, CK_Q5_K = 13, CK_Q6_K = 14
};

// Selected ISA level: 0 none (use the Swift path), 1 AVX2+FMA+F16C, 2 AVX-VNNI,
// 3 AVX512-VNNI (256-bit ops), 4 Sapphire Rapids tuning.
int ck_isa(void);
const char *ck_isa_name(void);
// Caps the ISA level (tests, benchmarks): uses the highest supported level <= level; returns it.
int ck_set_isa(int level);

// x: [nb * 32] floats -> nb blocks.
void ck_quantize_q8(const float *x, ck_q8_block *out, int nb);

// Y[t][r] = dot(W row r, X row t) for rows r in [r0, r1) and tokens t in [0, ntok).
// W: rows of row_bytes bytes each (blocks of `fmt`); cols = number of elements per row.
// For quantized fmt, xq is [ntok][cols/32] activation blocks (K-quants too: 8 per super-block); for F32/F16, xf is [ntok][cols].
// y[t * ldy + r]. Returns 0 when this fmt/ISA has no kernel (caller falls back).
int ck_matmul(int fmt, const void *w, size_t row_bytes, int cols,
              const ck_q8_block *xq, const float *xf, int ntok,
              float *y, size_t ldy, int r0, int r1);

// 1 when ck_matmul has a kernel for fmt at the current ISA level, else 0.
int ck_has_kernel(int fmt);

// Attention over one head: out[p] = scale * dot(q, k + p*stride) for p < count (n floats each);
// and out[i] += sum_p w[p] * v[p*stride + i] for i < n. Return 0 when no SIMD variant applies.
int ck_dot_rows(const float *q, const float *k, size_t stride, int count, int n, float scale, float *out);
int ck_axpy_rows(const float *w, const float *v, size_t stride, int count, int n, float *out);

// Per-token float kernels; each returns 0 when no SIMD variant applies (Swift falls back).
// x = softmax(x) in place (max-subtracted), n > 0.
int ck_softmax(float *x, int n);
// gate[i] = silu(gate[i]) * up[i].
int ck_swiglu(float *gate, const float *up, int n);
// gate[i] = gelu_tanh(gate[i]) * up[i], gelu_tanh(v) = 0.5 v (1 + tanh(sqrt(2/pi) (v + 0.044715 v^3))).
int ck_geglu_tanh(float *gate, const float *up, int n);
// out = x / sqrt(mean(x^2) + eps) * weight (sum of squares in double); out may alias x.
int ck_rms_norm(const float *x, const float *weight, int n, float eps, float *out);

// Reads bytes at p once (for the memory-bandwidth probe); the result only keeps the loads alive.
uint64_t ck_stream_read(const void *p, size_t bytes);

// Spin-wait hint for the thread pool.
static inline void ck_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
