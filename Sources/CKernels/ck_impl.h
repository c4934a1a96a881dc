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

// Per-block dot products of one weight block with one activation block. acc collects the
// scaled integer dots, *off the per-block constant terms (min or -8 offsets).
// block_q4_1: half d, half m, u8 qs[16]; w = d*q + m  =>  d*dx*dot(q, xq) + m*s
static inline void CK_FN(blk_q4_1)(const uint8_t *blk, __m256i xv, float dx, float sx, __m256 *acc, float *off) {
    const __m256i dp = CK_DPBUSD(CK_FN(unpack4)(blk + 4), xv);
    *acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dp), _mm256_set1_ps(CK_FN(half)(blk) * dx), *acc);
    *off += CK_FN(half)(blk + 2) * sx;
}

// block_q4_0: half d, u8 qs[16]; w = d*(q - 8)  =>  d*dx*dot(q, xq) - 8*d*s
static inline void CK_FN(blk_q4_0)(const uint8_t *blk, __m256i xv, float dx, float sx, __m256 *acc, float *off) {
    const float d = CK_FN(half)(blk);
    const __m256i dp = CK_DPBUSD(CK_FN(unpack4)(blk + 2), xv);
    *acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dp), _mm256_set1_ps(d * dx), *acc);
    *off -= 8.0f * d * sx;
}

// block_q8_0: half d, i8 qs[32]. Signed x signed via |w| * (x with w's sign).
static inline void CK_FN(blk_q8_0)(const uint8_t *blk, __m256i xv, float dx, float sx, __m256 *acc, float *off) {
    (void)sx;
    (void)off;
    const __m256i wv = _mm256_loadu_si256((const __m256i *)(blk + 2));
    const __m256i dp = CK_DPBUSD(_mm256_sign_epi8(wv, wv), _mm256_sign_epi8(xv, wv));
    *acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dp), _mm256_set1_ps(CK_FN(half)(blk) * dx), *acc);
}

// Four rows per pass share each activation block load; the first token's pass prefetches
// the next four rows (one core streams only ~13-15 GB/s, prefetch recovers 20-45%).
#define CK_QROWS(NAME, BB, PFSTEP, BLK)                                                         \
    static void CK_FN(NAME)(const uint8_t *w, size_t rb, const ck_q8_block *x, int nb, int ntok, \
                            float *y, size_t ldy, int r0, int r1) {                             \
        for (int r = r0; r < r1; r += 4) {                                                      \
            const uint8_t *p0 = w + (size_t)r * rb;                                             \
            const uint8_t *p1 = w + (size_t)(r + 1 < r1 ? r + 1 : r1 - 1) * rb;                 \
            const uint8_t *p2 = w + (size_t)(r + 2 < r1 ? r + 2 : r1 - 1) * rb;                 \
            const uint8_t *p3 = w + (size_t)(r + 3 < r1 ? r + 3 : r1 - 1) * rb;                 \
            const uint8_t *pf = r + 4 < r1 ? w + (size_t)(r + 4) * rb : NULL;                   \
            for (int t = 0; t < ntok; t++) {                                                    \
                const ck_q8_block *xt = x + (size_t)t * nb;                                     \
                __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;                     \
                float o0 = 0, o1 = 0, o2 = 0, o3 = 0;                                           \
                for (int b = 0; b < nb; b++) {                                                  \
                    const __m256i xv = _mm256_loadu_si256((const __m256i *)xt[b].qs);           \
                    const float dx = xt[b].d, sx = xt[b].s;                                     \
                    const size_t o = (size_t)b * BB;                                            \
                    BLK(p0 + o, xv, dx, sx, &a0, &o0);                                          \
                    BLK(p1 + o, xv, dx, sx, &a1, &o1);                                          \
                    BLK(p2 + o, xv, dx, sx, &a2, &o2);                                          \
                    BLK(p3 + o, xv, dx, sx, &a3, &o3);                                          \
                    if (pf && t == 0 && b % PFSTEP == 0) {                                      \
                        _mm_prefetch((const char *)(pf + o), _MM_HINT_T0);                      \
                        _mm_prefetch((const char *)(pf + rb + o), _MM_HINT_T0);                 \
                        _mm_prefetch((const char *)(pf + 2 * rb + o), _MM_HINT_T0);             \
                        _mm_prefetch((const char *)(pf + 3 * rb + o), _MM_HINT_T0);             \
                    }                                                                           \
                }                                                                               \
                float *yt = y + (size_t)t * ldy;                                                \
                yt[r] = CK_FN(hsum)(a0) + o0;                                                   \
                if (r + 1 < r1) yt[r + 1] = CK_FN(hsum)(a1) + o1;                               \
                if (r + 2 < r1) yt[r + 2] = CK_FN(hsum)(a2) + o2;                               \
                if (r + 3 < r1) yt[r + 3] = CK_FN(hsum)(a3) + o3;                               \
            }                                                                                   \
        }                                                                                       \
    }

// Prefetch steps keep one prefetch per 64-byte line: 3 x 20 or 3 x 18 bytes, 1 x 34 bytes.
CK_QROWS(mm_q4_1, 20, 3, CK_FN(blk_q4_1))
CK_QROWS(mm_q4_0, 18, 3, CK_FN(blk_q4_0))
CK_QROWS(mm_q8_0, 34, 1, CK_FN(blk_q8_0))

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
