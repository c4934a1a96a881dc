// Attention loops over KV cache rows in f32, f16 or q8_0 (see ck_attention.h), AVX2 + FMA +
// F16C (every ISA level >= 1 has them). The row formats are read in place: f16 through
// vcvtph2ps, q8_0 through vpmovsxbd + vcvtdq2ps with one multiply by the block scale, so a
// long context streams half (f16) or ~28% (q8_0) of the f32 bytes. Scores take 4 rows per
// pass with one combined reduction; the weighted sum keeps up to 64 outputs in registers
// across all rows.
#include "ck_attention.h"
#include "ckernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#pragma clang attribute push(__attribute__((target("arch=haswell"))), apply_to = function)

// Rows this many positions ahead are prefetched; the stride (kvDim elements) defeats the
// hardware prefetcher's small-stride window on wide rows.
#define CKA_AHEAD 8
#define CKA_Q8_BLOCK 34

static inline float cka_half(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

// [sum a, sum b, sum c, sum d].
static inline __m128 cka_hsum4(__m256 a, __m256 b, __m256 c, __m256 d) {
    const __m256 s = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    return _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
}

static inline float cka_hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// 8 elements at element offset i of an f32 / f16 row; 8 unscaled q8_0 values at byte p.
static inline __m256 cka_f32(const uint8_t *row, int i) { return _mm256_loadu_ps((const float *)row + i); }
static inline __m256 cka_f16(const uint8_t *row, int i) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const uint16_t *)row + i)));
}
static inline __m256 cka_i8(const uint8_t *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}

static inline void cka_prefetch(const uint8_t *row, size_t bytes) {
    for (size_t b = 0; b < bytes; b += 64) _mm_prefetch((const char *)(row + b), _MM_HINT_T0);
}

// Scores for f32 and f16 rows (n % 8 == 0): two accumulators per row, 8 FMA chains in flight.
#define CKA_DOT_PLAIN(NAME, LOAD, ELEM_BYTES)                                                              \
    static void NAME(const float *q, const uint8_t *k, size_t rb, int count, int n, float scale, float *out) { \
        const __m128 vs = _mm_set1_ps(scale);                                                             \
        const size_t head = (size_t)n * ELEM_BYTES;                                                       \
        int p = 0;                                                                                        \
        for (; p + 4 <= count; p += 4) {                                                                  \
            const uint8_t *r0 = k + (size_t)p * rb, *r1 = r0 + rb, *r2 = r1 + rb, *r3 = r2 + rb;           \
            if (p + 4 + CKA_AHEAD <= count)                                                               \
                for (int r = 0; r < 4; r++) cka_prefetch(r0 + (size_t)(CKA_AHEAD + r) * rb, head);       \
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0; \
            int i = 0;                                                                                    \
            for (; i + 16 <= n; i += 16) {                                                                \
                const __m256 qa = _mm256_loadu_ps(q + i), qb = _mm256_loadu_ps(q + i + 8);                \
                a0 = _mm256_fmadd_ps(qa, LOAD(r0, i), a0);                                                \
                a1 = _mm256_fmadd_ps(qa, LOAD(r1, i), a1);                                                \
                a2 = _mm256_fmadd_ps(qa, LOAD(r2, i), a2);                                                \
                a3 = _mm256_fmadd_ps(qa, LOAD(r3, i), a3);                                                \
                b0 = _mm256_fmadd_ps(qb, LOAD(r0, i + 8), b0);                                            \
                b1 = _mm256_fmadd_ps(qb, LOAD(r1, i + 8), b1);                                            \
                b2 = _mm256_fmadd_ps(qb, LOAD(r2, i + 8), b2);                                            \
                b3 = _mm256_fmadd_ps(qb, LOAD(r3, i + 8), b3);                                            \
            }                                                                                             \
            if (i < n) {                                                                                  \
                const __m256 qa = _mm256_loadu_ps(q + i);                                                 \
                a0 = _mm256_fmadd_ps(qa, LOAD(r0, i), a0);                                                \
                a1 = _mm256_fmadd_ps(qa, LOAD(r1, i), a1);                                                \
                a2 = _mm256_fmadd_ps(qa, LOAD(r2, i), a2);                                                \
                a3 = _mm256_fmadd_ps(qa, LOAD(r3, i), a3);                                                \
            }                                                                                             \
            const __m128 s = cka_hsum4(_mm256_add_ps(a0, b0), _mm256_add_ps(a1, b1), _mm256_add_ps(a2, b2), \
                                       _mm256_add_ps(a3, b3));                                            \
            _mm_storeu_ps(out + p, _mm_mul_ps(s, vs));                                                    \
        }                                                                                                 \
        for (; p < count; p++) {                                                                          \
            const uint8_t *r = k + (size_t)p * rb;                                                        \
            __m256 a = _mm256_setzero_ps();                                                               \
            for (int i = 0; i < n; i += 8) a = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), LOAD(r, i), a);   \
            out[p] = cka_hsum(a) * scale;                                                                 \
        }                                                                                                 \
    }

CKA_DOT_PLAIN(cka_dot_f32, cka_f32, 4)
CKA_DOT_PLAIN(cka_dot_f16, cka_f16, 2)

// Weighted sum for f32 and f16 rows (n % 8 == 0): 64 outputs (8 registers) per pass over the rows.
#define CKA_AXPY_PLAIN(NAME, LOAD)                                                                        \
    static void NAME(const float *w, const uint8_t *v, size_t rb, int count, int n, float *out) {        \
        int i = 0;                                                                                        \
        for (; i + 64 <= n; i += 64) {                                                                    \
            __m256 a[8];                                                                                  \
            for (int j = 0; j < 8; j++) a[j] = _mm256_loadu_ps(out + i + 8 * j);                          \
            for (int p = 0; p < count; p++) {                                                             \
                const __m256 wp = _mm256_set1_ps(w[p]);                                                   \
                const uint8_t *r = v + (size_t)p * rb;                                                    \
                for (int j = 0; j < 8; j++) a[j] = _mm256_fmadd_ps(wp, LOAD(r, i + 8 * j), a[j]);         \
            }                                                                                             \
            for (int j = 0; j < 8; j++) _mm256_storeu_ps(out + i + 8 * j, a[j]);                          \
        }                                                                                                 \
        for (; i < n; i += 8) {                                                                           \
            __m256 a = _mm256_loadu_ps(out + i);                                                          \
            for (int p = 0; p < count; p++)                                                               \
                a = _mm256_fmadd_ps(_mm256_set1_ps(w[p]), LOAD(v + (size_t)p * rb, i), a);                \
            _mm256_storeu_ps(out + i, a);                                                                 \
        }                                                                                                 \
    }

CKA_AXPY_PLAIN(cka_axpy_f32, cka_f32)
CKA_AXPY_PLAIN(cka_axpy_f16, cka_f16)

// Dot of one q8_0 block (32 values at b: half d, 32 int8) with q[0..<32], accumulated into acc.
static inline __m256 cka_q8_block_dot(const float *q, const uint8_t *b, __m256 acc) {
    __m256 s = _mm256_mul_ps(_mm256_loadu_ps(q), cka_i8(b + 2));
    s = _mm256_fmadd_ps(_mm256_loadu_ps(q + 8), cka_i8(b + 10), s);
    s = _mm256_fmadd_ps(_mm256_loadu_ps(q + 16), cka_i8(b + 18), s);
    s = _mm256_fmadd_ps(_mm256_loadu_ps(q + 24), cka_i8(b + 26), s);
    return _mm256_fmadd_ps(s, _mm256_set1_ps(cka_half(b)), acc);
}

static void cka_dot_q8_0(const float *q, const uint8_t *k, size_t rb, int count, int n, float scale, float *out) {
    const __m128 vs = _mm_set1_ps(scale);
    const int nb = n / 32;
    const size_t head = (size_t)nb * CKA_Q8_BLOCK;
    int p = 0;
    for (; p + 4 <= count; p += 4) {
        const uint8_t *r0 = k + (size_t)p * rb, *r1 = r0 + rb, *r2 = r1 + rb, *r3 = r2 + rb;
        if (p + 4 + CKA_AHEAD <= count)
            for (int r = 0; r < 4; r++) cka_prefetch(r0 + (size_t)(CKA_AHEAD + r) * rb, head);
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++) {
            const size_t o = (size_t)b * CKA_Q8_BLOCK;
            const float *qb = q + 32 * b;
            a0 = cka_q8_block_dot(qb, r0 + o, a0);
            a1 = cka_q8_block_dot(qb, r1 + o, a1);
            a2 = cka_q8_block_dot(qb, r2 + o, a2);
            a3 = cka_q8_block_dot(qb, r3 + o, a3);
        }
        _mm_storeu_ps(out + p, _mm_mul_ps(cka_hsum4(a0, a1, a2, a3), vs));
    }
    for (; p < count; p++) {
        const uint8_t *r = k + (size_t)p * rb;
        __m256 a = _mm256_setzero_ps();
        for (int b = 0; b < nb; b++) a = cka_q8_block_dot(q + 32 * b, r + (size_t)b * CKA_Q8_BLOCK, a);
        out[p] = cka_hsum(a) * scale;
    }
}

// out += c * (the 32 unscaled values of the block at b), c = w[p] * d.
static inline void cka_q8_block_axpy(__m256 c, const uint8_t *b, __m256 *a) {
    a[0] = _mm256_fmadd_ps(c, cka_i8(b + 2), a[0]);
    a[1] = _mm256_fmadd_ps(c, cka_i8(b + 10), a[1]);
    a[2] = _mm256_fmadd_ps(c, cka_i8(b + 18), a[2]);
    a[3] = _mm256_fmadd_ps(c, cka_i8(b + 26), a[3]);
}

static void cka_axpy_q8_0(const float *w, const uint8_t *v, size_t rb, int count, int n, float *out) {
    int i = 0;
    for (; i + 64 <= n; i += 64) {
        const size_t o = (size_t)(i / 32) * CKA_Q8_BLOCK;
        __m256 a[8];
        for (int j = 0; j < 8; j++) a[j] = _mm256_loadu_ps(out + i + 8 * j);
        for (int p = 0; p < count; p++) {
            const uint8_t *b = v + (size_t)p * rb + o;
            cka_q8_block_axpy(_mm256_set1_ps(w[p] * cka_half(b)), b, a);
            cka_q8_block_axpy(_mm256_set1_ps(w[p] * cka_half(b + CKA_Q8_BLOCK)), b + CKA_Q8_BLOCK, a + 4);
        }
        for (int j = 0; j < 8; j++) _mm256_storeu_ps(out + i + 8 * j, a[j]);
    }
    if (i < n) {  // one block left
        const size_t o = (size_t)(i / 32) * CKA_Q8_BLOCK;
        __m256 a[4];
        for (int j = 0; j < 4; j++) a[j] = _mm256_loadu_ps(out + i + 8 * j);
        for (int p = 0; p < count; p++) {
            const uint8_t *b = v + (size_t)p * rb + o;
            cka_q8_block_axpy(_mm256_set1_ps(w[p] * cka_half(b)), b, a);
        }
        for (int j = 0; j < 4; j++) _mm256_storeu_ps(out + i + 8 * j, a[j]);
    }
}

// x[0..<32] -> one q8_0 block: d = max|x| / 127, qs = round-half-even(x / d) (as ggml's AVX2
// quantizer; its scalar reference rounds halves away from zero), d stored as a half.
static void cka_quantize_q8_0(const float *x, uint8_t *b) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
    const __m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
    const __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1)),
                                   _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)));
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_movehdup_ps(h));
    const float d = _mm_cvtss_f32(h) / 127.0f;
    const __m256 id = _mm256_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
    const uint16_t dh = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
    memcpy(b, &dh, 2);
    const __m256i i0 = _mm256_cvtps_epi32(_mm256_mul_ps(v0, id)), i1 = _mm256_cvtps_epi32(_mm256_mul_ps(v1, id));
    const __m256i i2 = _mm256_cvtps_epi32(_mm256_mul_ps(v2, id)), i3 = _mm256_cvtps_epi32(_mm256_mul_ps(v3, id));
    // packs work within 128-bit lanes; the permute puts the 4-byte groups back in order.
    const __m256i packed = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3));
    const __m256i ordered = _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256((__m256i *)(b + 2), ordered);
}

static int cka_ready(int fmt, int n) {
    if (ck_isa() == 0 || n <= 0) return 0;
    switch (fmt) {
    case CK_KV_F32: case CK_KV_F16: return n % 8 == 0;
    case CK_KV_Q8_0: return n % 32 == 0;
    default: return 0;
    }
}

int ck_kv_store(int fmt, const float *x, void *row, int n) {
    if (!cka_ready(fmt, n)) return 0;
    uint8_t *r = (uint8_t *)row;
    switch (fmt) {
    case CK_KV_F32: memcpy(r, x, (size_t)n * 4); break;
    case CK_KV_F16:
        for (int i = 0; i < n; i += 8)
            _mm_storeu_si128((__m128i *)(r + 2 * i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
        break;
    default:
        for (int b = 0; b < n / 32; b++) cka_quantize_q8_0(x + 32 * b, r + (size_t)b * CKA_Q8_BLOCK);
    }
    return 1;
}

int ck_kv_load(int fmt, const void *row, float *x, int n) {
    if (!cka_ready(fmt, n)) return 0;
    const uint8_t *r = (const uint8_t *)row;
    switch (fmt) {
    case CK_KV_F32: memcpy(x, r, (size_t)n * 4); break;
    case CK_KV_F16:
        for (int i = 0; i < n; i += 8) _mm256_storeu_ps(x + i, cka_f16(r, i));
        break;
    default:
        for (int b = 0; b < n / 32; b++) {
            const uint8_t *blk = r + (size_t)b * CKA_Q8_BLOCK;
            const __m256 d = _mm256_set1_ps(cka_half(blk));
            for (int j = 0; j < 4; j++) _mm256_storeu_ps(x + 32 * b + 8 * j, _mm256_mul_ps(d, cka_i8(blk + 2 + 8 * j)));
        }
    }
    return 1;
}

int ck_kv_dot_rows(int fmt, const float *q, const void *k, size_t row_bytes, int count, int n, float scale,
                   float *out) {
    if (!cka_ready(fmt, n)) return 0;
    if (count <= 0) return 1;
    const uint8_t *r = (const uint8_t *)k;
    switch (fmt) {
    case CK_KV_F32: cka_dot_f32(q, r, row_bytes, count, n, scale, out); break;
    case CK_KV_F16: cka_dot_f16(q, r, row_bytes, count, n, scale, out); break;
    default: cka_dot_q8_0(q, r, row_bytes, count, n, scale, out);
    }
    return 1;
}

int ck_kv_axpy_rows(int fmt, const float *w, const void *v, size_t row_bytes, int count, int n, float *out) {
    if (!cka_ready(fmt, n)) return 0;
    if (count <= 0) return 1;
    const uint8_t *r = (const uint8_t *)v;
    switch (fmt) {
    case CK_KV_F32: cka_axpy_f32(w, r, row_bytes, count, n, out); break;
    case CK_KV_F16: cka_axpy_f16(w, r, row_bytes, count, n, out); break;
    default: cka_axpy_q8_0(w, r, row_bytes, count, n, out);
    }
    return 1;
}

// A grouped-query attention group: `heads` query heads read the same K (V) rows. One pass over
// the rows serves up to CKA_GROUP heads: each 8 elements of a row are loaded (and decoded) once
// and feed one FMA per head, where the per-head loops above load and decode every row once per
// head. Scores keep one accumulator per head and row (heads independent FMA chains); the
// weighted sum keeps 16 outputs of every head in registers over a tile of CKA_GTILE rows.
#define CKA_GROUP 8
#define CKA_GTILE 64
#define CKA_AI static inline __attribute__((always_inline))

// 8 elements at element offset i of a q8_0 row, scaled (n % 32 == 0, i % 8 == 0).
CKA_AI __m256 cka_q8(const uint8_t *row, int i) {
    const uint8_t *blk = row + (size_t)(i / 32) * CKA_Q8_BLOCK;
    return _mm256_mul_ps(_mm256_set1_ps(cka_half(blk)), cka_i8(blk + 2 + i % 32));
}

// out[j * os + p] = scale * dot(q + j * qs, row p) for j < H (H <= CKA_GROUP, a constant after
// inlining). Up to 4 heads, two accumulators per head (even and odd 8-element steps) keep 8
// FMA chains in flight. (Two rows per pass, sharing the query loads, measured slower: 2H
// accumulators spill.)
#define CKA_GDOT(NAME, LOAD)                                                                              \
    CKA_AI void NAME(const int H, const float *q, size_t qs, const uint8_t *k, size_t rb, int count, int n,  \
                     float scale, float *out, size_t os, size_t head_bytes) {                            \
        const __m256 zero = _mm256_setzero_ps();                                                          \
        for (int p = 0; p < count; p++) {                                                                 \
            const uint8_t *r = k + (size_t)p * rb;                                                        \
            if (p + CKA_AHEAD < count) cka_prefetch(r + (size_t)CKA_AHEAD * rb, head_bytes);             \
            __m256 a[CKA_GROUP], b[CKA_GROUP / 2];                                                        \
            for (int j = 0; j < H; j++) a[j] = zero;                                                      \
            for (int j = 0; j < H && H <= CKA_GROUP / 2; j++) b[j] = zero;                                \
            for (int i = 0; i < n; i += 16) {                                                             \
                const __m256 k0 = LOAD(r, i), k1 = LOAD(r, i + 8);                                        \
                for (int j = 0; j < H; j++) {                                                             \
                    const float *qj = q + (size_t)j * qs + i;                                             \
                    a[j] = _mm256_fmadd_ps(_mm256_loadu_ps(qj), k0, a[j]);                                \
                    if (H <= CKA_GROUP / 2) b[j] = _mm256_fmadd_ps(_mm256_loadu_ps(qj + 8), k1, b[j]);    \
                    else a[j] = _mm256_fmadd_ps(_mm256_loadu_ps(qj + 8), k1, a[j]);                       \
                }                                                                                         \
            }                                                                                             \
            for (int j = 0; j < H && H <= CKA_GROUP / 2; j++) a[j] = _mm256_add_ps(a[j], b[j]);           \
            for (int j = 0; j < H; j += 4) {                                                              \
                float s[4];                                                                               \
                _mm_storeu_ps(s, _mm_mul_ps(cka_hsum4(a[j], j + 1 < H ? a[j + 1] : zero, j + 2 < H ? a[j + 2] : zero, \
                                                      j + 3 < H ? a[j + 3] : zero), _mm_set1_ps(scale)));  \
                for (int t = 0; t < 4 && j + t < H; t++) out[(size_t)(j + t) * os + p] = s[t];            \
            }                                                                                             \
        }                                                                                                 \
    }

// out[j * os + i] += sum over p of w[j * ws + p] * row p element i, for j < H (H <= 7: 2H accumulators).
#define CKA_GAXPY(NAME, LOAD)                                                                             \
    CKA_AI void NAME(const int H, const float *w, size_t ws, const uint8_t *v, size_t rb, int count, int n,  \
                     float *out, size_t os, size_t head_bytes) {                                         \
        for (int p0 = 0; p0 < count; p0 += CKA_GTILE) {                                                   \
            const int m = count - p0 < CKA_GTILE ? count - p0 : CKA_GTILE;                                \
            for (int i = 0; i < n; i += 16) {                                                             \
                __m256 a[2 * (CKA_GROUP - 1)];                                                            \
                for (int j = 0; j < H; j++) {                                                             \
                    a[2 * j] = _mm256_loadu_ps(out + (size_t)j * os + i);                                 \
                    a[2 * j + 1] = _mm256_loadu_ps(out + (size_t)j * os + i + 8);                         \
                }                                                                                         \
                for (int p = p0; p < p0 + m; p++) {                                                       \
                    const uint8_t *r = v + (size_t)p * rb;                                                \
                    if (i == 0 && p + CKA_AHEAD < count) cka_prefetch(r + (size_t)CKA_AHEAD * rb, head_bytes); \
                    const __m256 v0 = LOAD(r, i), v1 = LOAD(r, i + 8);                                    \
                    for (int j = 0; j < H; j++) {                                                         \
                        const __m256 wj = _mm256_broadcast_ss(w + (size_t)j * ws + p);                    \
                        a[2 * j] = _mm256_fmadd_ps(wj, v0, a[2 * j]);                                     \
                        a[2 * j + 1] = _mm256_fmadd_ps(wj, v1, a[2 * j + 1]);                             \
                    }                                                                                     \
                }                                                                                         \
                for (int j = 0; j < H; j++) {                                                             \
                    _mm256_storeu_ps(out + (size_t)j * os + i, a[2 * j]);                                 \
                    _mm256_storeu_ps(out + (size_t)j * os + i + 8, a[2 * j + 1]);                         \
                }                                                                                         \
            }                                                                                             \
        }                                                                                                 \
    }

CKA_GDOT(cka_gdot_f32, cka_f32)
CKA_GDOT(cka_gdot_f16, cka_f16)
CKA_GDOT(cka_gdot_q8_0, cka_q8)
CKA_GAXPY(cka_gaxpy_f32, cka_f32)
CKA_GAXPY(cka_gaxpy_f16, cka_f16)
CKA_GAXPY(cka_gaxpy_q8_0, cka_q8)

// Bytes of one head's n elements of a row, for prefetching.
static size_t cka_head_bytes(int fmt, int n) {
    return fmt == CK_KV_F32 ? (size_t)n * 4 : fmt == CK_KV_F16 ? (size_t)n * 2 : (size_t)n / 32 * CKA_Q8_BLOCK;
}

// The group kernel for one format with H a compile-time constant (so a[] stays in registers).
#define CKA_GCASE(H, FN, ...)                                                                             \
    case H: FN(H, __VA_ARGS__); break;
#define CKA_GSWITCH(h, FN, ...)                                                                           \
    switch (h) {                                                                                          \
        CKA_GCASE(1, FN, __VA_ARGS__) CKA_GCASE(2, FN, __VA_ARGS__) CKA_GCASE(3, FN, __VA_ARGS__)         \
        CKA_GCASE(4, FN, __VA_ARGS__) CKA_GCASE(5, FN, __VA_ARGS__) CKA_GCASE(6, FN, __VA_ARGS__)         \
        CKA_GCASE(7, FN, __VA_ARGS__) default: FN(CKA_GROUP, __VA_ARGS__);                                \
    }

// Groups of fewer than 4 heads keep the per-head loops, which run 8 FMA chains per head.
int ck_kv_group_dot_rows(int fmt, const float *q, size_t q_stride, int heads, const void *k, size_t row_bytes,
                         int count, int n, float scale, float *out, size_t out_stride) {
    if (!cka_ready(fmt, n) || n % 16 != 0 || heads < 4) return 0;
    const uint8_t *r = (const uint8_t *)k;
    const size_t hb = cka_head_bytes(fmt, n);
    for (int j0 = 0; j0 < heads; j0 += CKA_GROUP) {
        const int h = heads - j0 < CKA_GROUP ? heads - j0 : CKA_GROUP;
        const float *qj = q + (size_t)j0 * q_stride;
        float *oj = out + (size_t)j0 * out_stride;
        switch (fmt) {
        case CK_KV_F32: CKA_GSWITCH(h, cka_gdot_f32, qj, q_stride, r, row_bytes, count, n, scale, oj, out_stride, hb) break;
        case CK_KV_F16: CKA_GSWITCH(h, cka_gdot_f16, qj, q_stride, r, row_bytes, count, n, scale, oj, out_stride, hb) break;
        default: CKA_GSWITCH(h, cka_gdot_q8_0, qj, q_stride, r, row_bytes, count, n, scale, oj, out_stride, hb)
        }
    }
    return 1;
}

int ck_kv_group_axpy_rows(int fmt, const float *w, size_t w_stride, int heads, const void *v, size_t row_bytes,
                          int count, int n, float *out, size_t out_stride) {
    if (!cka_ready(fmt, n) || n % 16 != 0 || heads < 4) return 0;
    const uint8_t *r = (const uint8_t *)v;
    const size_t hb = cka_head_bytes(fmt, n);
    for (int j0 = 0; j0 < heads; j0 += CKA_GROUP - 1) {
        const int h = heads - j0 < CKA_GROUP - 1 ? heads - j0 : CKA_GROUP - 1;
        const float *wj = w + (size_t)j0 * w_stride;
        float *oj = out + (size_t)j0 * out_stride;
        switch (fmt) {
        case CK_KV_F32: CKA_GSWITCH(h, cka_gaxpy_f32, wj, w_stride, r, row_bytes, count, n, oj, out_stride, hb) break;
        case CK_KV_F16: CKA_GSWITCH(h, cka_gaxpy_f16, wj, w_stride, r, row_bytes, count, n, oj, out_stride, hb) break;
        default: CKA_GSWITCH(h, cka_gaxpy_q8_0, wj, w_stride, r, row_bytes, count, n, oj, out_stride, hb)
        }
    }
    return 1;
}

#pragma clang attribute pop

#else  // no SIMD variant on this architecture: the Swift versions run

int ck_kv_store(int fmt, const float *x, void *row, int n) { (void)fmt; (void)x; (void)row; (void)n; return 0; }
int ck_kv_load(int fmt, const void *row, float *x, int n) { (void)fmt; (void)row; (void)x; (void)n; return 0; }
int ck_kv_dot_rows(int fmt, const float *q, const void *k, size_t row_bytes, int count, int n, float scale,
                   float *out) {
    (void)fmt; (void)q; (void)k; (void)row_bytes; (void)count; (void)n; (void)scale; (void)out;
    return 0;
}
int ck_kv_axpy_rows(int fmt, const float *w, const void *v, size_t row_bytes, int count, int n, float *out) {
    (void)fmt; (void)w; (void)v; (void)row_bytes; (void)count; (void)n; (void)out;
    return 0;
}
int ck_kv_group_dot_rows(int fmt, const float *q, size_t q_stride, int heads, const void *k, size_t row_bytes,
                         int count, int n, float scale, float *out, size_t out_stride) {
    (void)fmt; (void)q; (void)q_stride; (void)heads; (void)k; (void)row_bytes; (void)count; (void)n; (void)scale;
    (void)out; (void)out_stride;
    return 0;
}
int ck_kv_group_axpy_rows(int fmt, const float *w, size_t w_stride, int heads, const void *v, size_t row_bytes,
                          int count, int n, float *out, size_t out_stride) {
    (void)fmt; (void)w; (void)w_stride; (void)heads; (void)v; (void)row_bytes; (void)count; (void)n; (void)out;
    (void)out_stride;
    return 0;
}

#endif
