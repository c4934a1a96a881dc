// Kernel bodies shared by every x86 ISA variant. Each ck_<isa>.c defines CK_SUFFIX and
// CK_DPBUSD(u8, s8) (32 unsigned x signed byte products summed into 8 int32 lanes), opens a
// `#pragma clang attribute push(target("arch=..."))` region and includes this file, so the
// same source compiles to AVX2, AVX-VNNI and AVX512-VNNI code without -march flags.
#include <string.h>

#define CK_CAT2(a, b) a##_##b
#define CK_CAT(a, b) CK_CAT2(a, b)
#define CK_FN(n) CK_CAT(n, CK_SUFFIX)

static inline float CK_FN(hsum)(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline float CK_FN(half)(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

// 16 bytes of packed nibbles -> 32 bytes: low nibbles are elements 0-15, high 16-31 (ggml order).
static inline __m256i CK_FN(unpack4)(const uint8_t *qs) {
    const __m128i b = _mm_loadu_si128((const __m128i *)qs);
    const __m256i both = _mm256_set_m128i(_mm_srli_epi16(b, 4), b);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// Integer dot of one weight block with one activation block: 8 int32 partial sums.
// block_q4_1 = {half d, half m, u8 qs[16]}, block_q4_0 = {half d, u8 qs[16]},
// block_q8_0 = {half d, i8 qs[32]} (ggml-common.h).
static inline __m256i CK_FN(dot_q4_1)(const uint8_t *blk, __m256i xv) { return CK_DPBUSD(CK_FN(unpack4)(blk + 4), xv); }
static inline __m256i CK_FN(dot_q4_0)(const uint8_t *blk, __m256i xv) { return CK_DPBUSD(CK_FN(unpack4)(blk + 2), xv); }
static inline __m256i CK_FN(dot_q8_0)(const uint8_t *blk, __m256i xv) {
    // Signed x signed via |w| * (x with w's sign).
    const __m256i wv = _mm256_loadu_si256((const __m256i *)(blk + 2));
    return CK_DPBUSD(_mm256_sign_epi8(wv, wv), _mm256_sign_epi8(xv, wv));
}

static inline uint32_t CK_FN(load32)(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

// The first 4 bytes (two halves) of the same block in 4 rows -> [a0 a1 a2 a3 b0 b1 b2 b3] floats,
// where a is the half at byte 0 (d) and b the one at byte 2 (m for Q4_1).
static inline __m256 CK_FN(halves4)(const uint8_t *p0, const uint8_t *p1, const uint8_t *p2, const uint8_t *p3) {
    const __m128i raw = _mm_setr_epi32((int)CK_FN(load32)(p0), (int)CK_FN(load32)(p1),
                                       (int)CK_FN(load32)(p2), (int)CK_FN(load32)(p3));
    const __m128i order = _mm_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
    return _mm256_cvtph_ps(_mm_shuffle_epi8(raw, order));
}

// Four rows per pass share each activation block. Per block: the 4 integer dots are reduced
// with hadd to [r0 r1 r2 r3 | r0 r1 r2 r3] (low/high 128-bit halves), converted once, and
// scaled by [d0..d3 | d0..d3] * dx in one fma; the per-block constant term (Q4_1: m*s,
// Q4_0: -8*d*s) is a 4-lane fma. Prefetch runs one row group ahead: the next 4 rows are
// contiguous, so it walks them linearly, PFLINES lines per block (one core streams only
// ~13-15 GB/s; prefetching recovers 20-45%, kernel-notes.md). Prefetch never faults, so
// running past the matrix end is harmless.
#define CK_QROWS(NAME, BB, PFLINES, DOT, OFFSET)                                                \
    static void CK_FN(NAME)(const uint8_t *w, size_t rb, const ck_q8_block *x, int nb, int ntok, \
                            float *y, size_t ldy, int r0, int r1) {                             \
        for (int r = r0; r < r1; r += 4) {                                                      \
            const uint8_t *p0 = w + (size_t)r * rb;                                             \
            const uint8_t *p1 = w + (size_t)(r + 1 < r1 ? r + 1 : r1 - 1) * rb;                 \
            const uint8_t *p2 = w + (size_t)(r + 2 < r1 ? r + 2 : r1 - 1) * rb;                 \
            const uint8_t *p3 = w + (size_t)(r + 3 < r1 ? r + 3 : r1 - 1) * rb;                 \
            const uint8_t *pf = w + (size_t)(r + 4) * rb;                                       \
            for (int t = 0; t < ntok; t++) {                                                    \
                const ck_q8_block *xt = x + (size_t)t * nb;                                     \
                __m256 acc = _mm256_setzero_ps();                                               \
                __m128 off = _mm_setzero_ps();                                                  \
                for (int b = 0; b < nb; b++) {                                                  \
                    const size_t o = (size_t)b * BB;                                            \
                    for (int k = 0; k < PFLINES; k++)                                           \
                        _mm_prefetch((const char *)(pf + 4 * o + 64 * k), _MM_HINT_T0);         \
                    const __m256i xv = _mm256_loadu_si256((const __m256i *)xt[b].qs);           \
                    const __m256i h01 = _mm256_hadd_epi32(DOT(p0 + o, xv), DOT(p1 + o, xv));    \
                    const __m256i h23 = _mm256_hadd_epi32(DOT(p2 + o, xv), DOT(p3 + o, xv));    \
                    const __m256 dots = _mm256_cvtepi32_ps(_mm256_hadd_epi32(h01, h23));        \
                    const __m256 dm = CK_FN(halves4)(p0 + o, p1 + o, p2 + o, p3 + o);           \
                    const __m256 d8 = _mm256_permute2f128_ps(dm, dm, 0x00);                     \
                    acc = _mm256_fmadd_ps(dots, _mm256_mul_ps(d8, _mm256_set1_ps(xt[b].d)), acc); \
                    OFFSET(dm, xt[b].s);                                                        \
                }                                                                               \
                __m128 r4 = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1)); \
                r4 = _mm_add_ps(r4, off);                                                       \
                float *yt = y + (size_t)t * ldy + r;                                            \
                if (r + 4 <= r1) {                                                              \
                    _mm_storeu_ps(yt, r4);                                                      \
                } else {                                                                        \
                    float tmp[4];                                                               \
                    _mm_storeu_ps(tmp, r4);                                                     \
                    for (int k = 0; r + k < r1; k++) yt[k] = tmp[k];                            \
                }                                                                               \
            }                                                                                   \
        }                                                                                       \
    }

// Per-block constant terms: Q4_1 adds m*s (m is the high half of dm); Q4_0's "-8" adds -8*d*s.
#define CK_OFF_Q4_1(dm, sx) off = _mm_fmadd_ps(_mm256_extractf128_ps(dm, 1), _mm_set1_ps(sx), off)
#define CK_OFF_Q4_0(dm, sx) off = _mm_fmadd_ps(_mm256_castps256_ps128(dm), _mm_set1_ps(-8.0f * (sx)), off)
#define CK_OFF_NONE(dm, sx) (void)(sx)

// Prefetch lines per block step cover 4 rows x block bytes: 4x20=80 -> 2, 4x18=72 -> 2, 4x34=136 -> 3.
CK_QROWS(mm_q4_1, 20, 2, CK_FN(dot_q4_1), CK_OFF_Q4_1)
CK_QROWS(mm_q4_0, 18, 2, CK_FN(dot_q4_0), CK_OFF_Q4_0)
CK_QROWS(mm_q8_0, 34, 3, CK_FN(dot_q8_0), CK_OFF_NONE)

// Float weights (F32, or F16 widened with F16C) against f32 activations, 4 rows per pass.
#define CK_FROWS(NAME, ESZ, LOAD8, LOAD1)                                                       \
    static void CK_FN(NAME)(const uint8_t *w, size_t rb, int cols, const float *x, int ntok,    \
                            float *y, size_t ldy, int r0, int r1) {                             \
        for (int r = r0; r < r1; r += 4) {                                                      \
            const uint8_t *p[4];                                                                \
            for (int k = 0; k < 4; k++) p[k] = w + (size_t)(r + k < r1 ? r + k : r1 - 1) * rb;  \
            for (int t = 0; t < ntok; t++) {                                                    \
                const float *xt = x + (size_t)t * cols;                                         \
                __m256 a[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),   \
                               _mm256_setzero_ps()};                                            \
                int i = 0;                                                                      \
                for (; i + 8 <= cols; i += 8) {                                                 \
                    const __m256 xv = _mm256_loadu_ps(xt + i);                                  \
                    for (int k = 0; k < 4; k++)                                                 \
                        a[k] = _mm256_fmadd_ps(LOAD8(p[k] + (size_t)i * ESZ), xv, a[k]);        \
                }                                                                               \
                float *yt = y + (size_t)t * ldy;                                                \
                for (int k = 0; k < 4 && r + k < r1; k++) {                                     \
                    float s = CK_FN(hsum)(a[k]);                                                \
                    for (int j = i; j < cols; j++) s += LOAD1(p[k] + (size_t)j * ESZ) * xt[j];  \
                    yt[r + k] = s;                                                              \
                }                                                                               \
            }                                                                                   \
        }                                                                                       \
    }

static inline __m256 CK_FN(load8_f32)(const uint8_t *p) { return _mm256_loadu_ps((const float *)p); }
static inline float CK_FN(load1_f32)(const uint8_t *p) { float f; memcpy(&f, p, 4); return f; }
static inline __m256 CK_FN(load8_f16)(const uint8_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }

CK_FROWS(mm_f32, 4, CK_FN(load8_f32), CK_FN(load1_f32))
CK_FROWS(mm_f16, 2, CK_FN(load8_f16), CK_FN(half))

// Activation quantizer: d = max|x| / 127, q = round(x / d), s = d * sum(q).
static void CK_FN(quantize)(const float *x, ck_q8_block *out, int nb) {
    const __m256 signbit = _mm256_set1_ps(-0.0f);
    for (int b = 0; b < nb; b++) {
        const float *v = x + (size_t)b * 32;
        __m256 v0 = _mm256_loadu_ps(v), v1 = _mm256_loadu_ps(v + 8);
        __m256 v2 = _mm256_loadu_ps(v + 16), v3 = _mm256_loadu_ps(v + 24);
        __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(signbit, v0), _mm256_andnot_ps(signbit, v1)),
                                 _mm256_max_ps(_mm256_andnot_ps(signbit, v2), _mm256_andnot_ps(signbit, v3)));
        __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        h = _mm_max_ps(h, _mm_movehl_ps(h, h));
        h = _mm_max_ss(h, _mm_movehdup_ps(h));
        const float amax = _mm_cvtss_f32(h);
        const float d = amax / 127.0f;
        const __m256 id = _mm256_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
        // cvtps rounds to nearest even (default MXCSR); |x/d| <= 127 so no saturation.
        const __m256i q0 = _mm256_cvtps_epi32(_mm256_mul_ps(v0, id));
        const __m256i q1 = _mm256_cvtps_epi32(_mm256_mul_ps(v1, id));
        const __m256i q2 = _mm256_cvtps_epi32(_mm256_mul_ps(v2, id));
        const __m256i q3 = _mm256_cvtps_epi32(_mm256_mul_ps(v3, id));
        __m256i sum = _mm256_add_epi32(_mm256_add_epi32(q0, q1), _mm256_add_epi32(q2, q3));
        __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
        // packs work per 128-bit lane; the permute restores element order.
        const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(q0, q1), _mm256_packs_epi32(q2, q3));
        const __m256i ordered = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)out[b].qs, ordered);
        out[b].d = d;
        out[b].s = d * (float)_mm_cvtsi128_si32(s4);
    }
}

const ck_table CK_CAT(ck_table, CK_SUFFIX) = {
    .quantize = CK_FN(quantize),
    .q4_0 = CK_FN(mm_q4_0),
    .q4_1 = CK_FN(mm_q4_1),
    .q8_0 = CK_FN(mm_q8_0),
    .f32 = CK_FN(mm_f32),
    .f16 = CK_FN(mm_f16),
};
