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

static inline uint32_t CK_FN(load32)(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

// 16 bytes of packed nibbles -> 32 bytes: low nibbles are elements 0-15, high 16-31 (ggml order).
static inline __m256i CK_FN(unpack4)(const uint8_t *qs) {
    const __m128i b = _mm_loadu_si128((const __m128i *)qs);
    const __m256i both = _mm256_set_m128i(_mm_srli_epi16(b, 4), b);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// Weight block -> 32 bytes ready for CK_DPBUSD against activation bytes (PREP), and the
// integer dot itself (MUL): 8 int32 partial sums. Layouts (ggml-common.h):
// block_q4_1 = {half d, half m, u8 qs[16]}, block_q4_0 = {half d, u8 qs[16]}, block_q8_0 = {half d, i8 qs[32]}.
static inline __m256i CK_FN(prep_q4_1)(const uint8_t *blk) { return CK_FN(unpack4)(blk + 4); }
static inline __m256i CK_FN(prep_q4_0)(const uint8_t *blk) { return CK_FN(unpack4)(blk + 2); }
static inline __m256i CK_FN(prep_q8_0)(const uint8_t *blk) { return _mm256_loadu_si256((const __m256i *)(blk + 2)); }
// The 32 fifth bits of a Q5 block (bit j = element j) -> 0x10 in byte j, else 0: byte j picks
// qh byte j/8, tests bit j%8, and the all-ones mask keeps 0x10.
static inline __m256i CK_FN(bit5)(uint32_t qh) {
    const __m256i pick = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
                                          2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
    const __m256i bit = _mm256_set1_epi64x(0x8040201008040201LL);
    const __m256i v = _mm256_and_si256(_mm256_shuffle_epi8(_mm256_set1_epi32((int)qh), pick), bit);
    return _mm256_and_si256(_mm256_cmpeq_epi8(v, bit), _mm256_set1_epi8(0x10));
}
// block_q5_0 = {half d, u8 qh[4], u8 qs[16]}, block_q5_1 = {half d, half m, u8 qh[4], u8 qs[16]}: unsigned 0..31.
static inline __m256i CK_FN(prep_q5_0)(const uint8_t *blk) {
    return _mm256_or_si256(CK_FN(unpack4)(blk + 6), CK_FN(bit5)(CK_FN(load32)(blk + 2)));
}
static inline __m256i CK_FN(prep_q5_1)(const uint8_t *blk) {
    return _mm256_or_si256(CK_FN(unpack4)(blk + 8), CK_FN(bit5)(CK_FN(load32)(blk + 4)));
}
static inline __m256i CK_FN(mul_u4)(__m256i w, __m256i x) { return CK_DPBUSD(w, x); }
// Signed x signed via |w| * (x with w's sign).
static inline __m256i CK_FN(mul_s8)(__m256i w, __m256i x) {
    return CK_DPBUSD(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
}

// The first 4 bytes (two halves) of the same block in 4 rows -> [a0 a1 a2 a3 b0 b1 b2 b3] floats,
// where a is the half at byte 0 (d) and b the one at byte 2 (m for Q4_1).
static inline __m256 CK_FN(halves4)(const uint8_t *p0, const uint8_t *p1, const uint8_t *p2, const uint8_t *p3) {
    const __m128i raw = _mm_setr_epi32((int)CK_FN(load32)(p0), (int)CK_FN(load32)(p1),
                                       (int)CK_FN(load32)(p2), (int)CK_FN(load32)(p3));
    const __m128i order = _mm_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
    return _mm256_cvtph_ps(_mm_shuffle_epi8(raw, order));
}

// 4 rows x 1 token, then reduce: [r0 r1 r2 r3 | r0 r1 r2 r3] halves of the block's integer dots.
#define CK_DOT4(MUL, w0, w1, w2, w3, xv)                                                        \
    _mm256_cvtepi32_ps(_mm256_hadd_epi32(_mm256_hadd_epi32(MUL(w0, xv), MUL(w1, xv)),           \
                                         _mm256_hadd_epi32(MUL(w2, xv), MUL(w3, xv))))

// Per-block constant terms: Q4_1 adds m*s (m is the high half of dm); Q4_0's "-8" adds -8*d*s.
#define CK_OFF_Q4_1(dm, sx, off) off = _mm_fmadd_ps(_mm256_extractf128_ps(dm, 1), _mm_set1_ps(sx), off)
#define CK_OFF_Q4_0(dm, sx, off) off = _mm_fmadd_ps(_mm256_castps256_ps128(dm), _mm_set1_ps(-8.0f * (sx)), off)
#define CK_OFF_Q5_0(dm, sx, off) off = _mm_fmadd_ps(_mm256_castps256_ps128(dm), _mm_set1_ps(-16.0f * (sx)), off)
#define CK_OFF_NONE(dm, sx, off) (void)(sx)

// acc (ymm, lanes i and i+4 = row i) + off -> 4 outputs, fewer at the matrix edge.
static inline void CK_FN(store4)(float *y, __m256 acc, __m128 off, int nrows) {
    const __m128 r4 = _mm_add_ps(_mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1)), off);
    if (nrows >= 4) {
        _mm_storeu_ps(y, r4);
    } else {
        float tmp[4];
        _mm_storeu_ps(tmp, r4);
        for (int k = 0; k < nrows; k++) y[k] = tmp[k];
    }
}

// A group of 4 weight rows from r (past r1 the last row repeats, so loads stay inside the
// matrix; those results are not stored) and the group after next (rows r+8.., contiguous) to
// prefetch while this one is read: pflines lines per block of the 4 rows, so it walks them
// linearly at the same pace. Without prefetch this VM streams at a third of the speed; 8 rows
// ahead measured ~5% faster than 4 or 16. Prefetch never faults, so running past the matrix
// end is harmless.
typedef struct {
    const uint8_t *p[4];
    const uint8_t *pf;
    int nrows, pflines;
} ck_rowgroup;

static inline ck_rowgroup CK_FN(rowgroup)(const uint8_t *w, size_t rb, int r, int r1, int bb) {
    ck_rowgroup g;
    for (int k = 0; k < 4; k++) g.p[k] = w + (size_t)(r + k < r1 ? r + k : r1 - 1) * rb;
    g.pf = w + (size_t)(r + 8) * rb;
    g.nrows = r1 - r < 4 ? r1 - r : 4;
    g.pflines = (4 * bb + 63) / 64;
    return g;
}

// Prefetches block o (at byte offset o of each row) of the group after next.
static inline void CK_FN(rowgroup_prefetch)(const ck_rowgroup *g, size_t o) {
    for (int l = 0; l < g->pflines; l++) _mm_prefetch((const char *)(g->pf + 4 * o + 64 * l), _MM_HINT_T0);
}

// Tokens per group of the buffered products (ck_impl_qbuf.h, ck_impl_k.h), which run every
// row group of their range over one group's activations before the next group (with the row
// groups outer, each 4 rows re-read every token's activations: 1 MB for 512 tokens of 1536
// columns, from L3). As many tokens as keep a group's activations within ~192 KiB, so L2
// holds them beside the weights; even, between 2 and cap.
static inline int ck_token_group(size_t bytes_per_token, int cap) {
    size_t n = (192u << 10) / (bytes_per_token ? bytes_per_token : 1);
    if (n > (size_t)cap) n = (size_t)cap;
    if (n < 2) n = 2;
    return (int)n & ~1;
}

// Four rows per pass share each activation block; with several tokens, four tokens share each
// unpacked weight block (prefill). Per block and token the 4 integer dots are reduced with hadd,
// converted once and scaled by [d0..d3 | d0..d3] * dx in one fma; the per-block constant term
// is a 4-lane fma. The first pass over a row group prefetches the group after next (ck_rowgroup).
#define CK_QROWS(NAME, BB, PFLINES, PREP, MUL, OFFSET)                                          \
    static void CK_FN(NAME##_t1)(const uint8_t *const *p, const uint8_t *pf, const ck_q8_block *xt, \
                                 int nb, float *y, int nrows) {                                 \
        __m256 acc = _mm256_setzero_ps();                                                       \
        __m128 off = _mm_setzero_ps();                                                          \
        for (int b = 0; b < nb; b++) {                                                          \
            const size_t o = (size_t)b * BB;                                                    \
            if (pf)                                                                             \
                for (int k = 0; k < PFLINES; k++)                                               \
                    _mm_prefetch((const char *)(pf + 4 * o + 64 * k), _MM_HINT_T0);             \
            const __m256i xv = _mm256_loadu_si256((const __m256i *)xt[b].qs);                   \
            const __m256 dots = CK_DOT4(MUL, PREP(p[0] + o), PREP(p[1] + o), PREP(p[2] + o),    \
                                        PREP(p[3] + o), xv);                                    \
            const __m256 dm = CK_FN(halves4)(p[0] + o, p[1] + o, p[2] + o, p[3] + o);           \
            const __m256 d8 = _mm256_permute2f128_ps(dm, dm, 0x00);                             \
            acc = _mm256_fmadd_ps(dots, _mm256_mul_ps(d8, _mm256_set1_ps(xt[b].d)), acc);       \
            OFFSET(dm, xt[b].s, off);                                                           \
        }                                                                                       \
        CK_FN(store4)(y, acc, off, nrows);                                                      \
    }                                                                                           \
    static void CK_FN(NAME##_t4)(const uint8_t *const *p, const uint8_t *pf, const ck_q8_block *x, \
                                 int nb, float *y, size_t ldy, int nrows) {                     \
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;                             \
        __m128 o0 = _mm_setzero_ps(), o1 = o0, o2 = o0, o3 = o0;                                \
        for (int b = 0; b < nb; b++) {                                                          \
            const size_t o = (size_t)b * BB;                                                    \
            if (pf)                                                                             \
                for (int k = 0; k < PFLINES; k++)                                               \
                    _mm_prefetch((const char *)(pf + 4 * o + 64 * k), _MM_HINT_T0);             \
            const __m256i w0 = PREP(p[0] + o), w1 = PREP(p[1] + o);                             \
            const __m256i w2 = PREP(p[2] + o), w3 = PREP(p[3] + o);                             \
            const __m256 dm = CK_FN(halves4)(p[0] + o, p[1] + o, p[2] + o, p[3] + o);           \
            const __m256 d8 = _mm256_permute2f128_ps(dm, dm, 0x00);                             \
            const ck_q8_block *xb0 = x + b, *xb1 = xb0 + nb, *xb2 = xb1 + nb, *xb3 = xb2 + nb;  \
            __m256i xv = _mm256_loadu_si256((const __m256i *)xb0->qs);                          \
            a0 = _mm256_fmadd_ps(CK_DOT4(MUL, w0, w1, w2, w3, xv), _mm256_mul_ps(d8, _mm256_set1_ps(xb0->d)), a0); \
            OFFSET(dm, xb0->s, o0);                                                             \
            xv = _mm256_loadu_si256((const __m256i *)xb1->qs);                                  \
            a1 = _mm256_fmadd_ps(CK_DOT4(MUL, w0, w1, w2, w3, xv), _mm256_mul_ps(d8, _mm256_set1_ps(xb1->d)), a1); \
            OFFSET(dm, xb1->s, o1);                                                             \
            xv = _mm256_loadu_si256((const __m256i *)xb2->qs);                                  \
            a2 = _mm256_fmadd_ps(CK_DOT4(MUL, w0, w1, w2, w3, xv), _mm256_mul_ps(d8, _mm256_set1_ps(xb2->d)), a2); \
            OFFSET(dm, xb2->s, o2);                                                             \
            xv = _mm256_loadu_si256((const __m256i *)xb3->qs);                                  \
            a3 = _mm256_fmadd_ps(CK_DOT4(MUL, w0, w1, w2, w3, xv), _mm256_mul_ps(d8, _mm256_set1_ps(xb3->d)), a3); \
            OFFSET(dm, xb3->s, o3);                                                             \
        }                                                                                       \
        CK_FN(store4)(y, a0, o0, nrows);                                                        \
        CK_FN(store4)(y + ldy, a1, o1, nrows);                                                  \
        CK_FN(store4)(y + 2 * ldy, a2, o2, nrows);                                              \
        CK_FN(store4)(y + 3 * ldy, a3, o3, nrows);                                              \
    }                                                                                           \
    static void CK_FN(NAME)(const uint8_t *w, size_t rb, const ck_q8_block *x, int nb, int ntok, \
                            float *y, size_t ldy, int r0, int r1) {                             \
        for (int r = r0; r < r1; r += 4) {                                                      \
            const ck_rowgroup g = CK_FN(rowgroup)(w, rb, r, r1, BB);                            \
            const uint8_t *pf = g.pf;                                                           \
            int t = 0;                                                                          \
            for (; t + 4 <= ntok; t += 4, pf = 0)                                               \
                CK_FN(NAME##_t4)(g.p, pf, x + (size_t)t * nb, nb, y + (size_t)t * ldy + r, ldy, g.nrows); \
            for (; t < ntok; t++, pf = 0)                                                       \
                CK_FN(NAME##_t1)(g.p, pf, x + (size_t)t * nb, nb, y + (size_t)t * ldy + r, g.nrows); \
        }                                                                                       \
    }

// Prefetch lines per block step cover 4 rows x block bytes: 4x20=80 -> 2, 4x18=72 -> 2, 4x34=136 -> 3.
CK_QROWS(mm_q4_1, 20, 2, CK_FN(prep_q4_1), CK_FN(mul_u4), CK_OFF_Q4_1)
CK_QROWS(mm_q4_0, 18, 2, CK_FN(prep_q4_0), CK_FN(mul_u4), CK_OFF_Q4_0)
CK_QROWS(mm_q8_0, 34, 3, CK_FN(prep_q8_0), CK_FN(mul_s8), CK_OFF_NONE)
// 4x22=88 and 4x24=96 bytes -> 2 lines. Q5_0's "-16" is like Q4_0's "-8"; Q5_1's m like Q4_1's.
CK_QROWS(mm_q5_0, 22, 2, CK_FN(prep_q5_0), CK_FN(mul_u4), CK_OFF_Q5_0)
CK_QROWS(mm_q5_1, 24, 2, CK_FN(prep_q5_1), CK_FN(mul_u4), CK_OFF_Q4_1)

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

// Attention helpers (head size n, typically 64). out[p] = scale * dot(q, k + p*stride).
static void CK_FN(dot_rows)(const float *q, const float *k, size_t stride, int count, int n, float scale, float *out) {
    for (int p = 0; p < count; p++) {
        const float *kp = k + (size_t)p * stride;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0;
        int i = 0;
        for (; i + 16 <= n; i += 16) {
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(kp + i), a0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), _mm256_loadu_ps(kp + i + 8), a1);
        }
        float s = CK_FN(hsum)(_mm256_add_ps(a0, a1));
        for (; i < n; i++) s += q[i] * kp[i];
        out[p] = s * scale;
    }
}

// out[0..<n] += sum_p w[p] * v[p*stride ..< +n]
static void CK_FN(axpy_rows)(const float *w, const float *v, size_t stride, int count, int n, float *out) {
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 a0 = _mm256_loadu_ps(out + i), a1 = _mm256_loadu_ps(out + i + 8);
        for (int p = 0; p < count; p++) {
            const __m256 wp = _mm256_set1_ps(w[p]);
            const float *vp = v + (size_t)p * stride + i;
            a0 = _mm256_fmadd_ps(wp, _mm256_loadu_ps(vp), a0);
            a1 = _mm256_fmadd_ps(wp, _mm256_loadu_ps(vp + 8), a1);
        }
        _mm256_storeu_ps(out + i, a0);
        _mm256_storeu_ps(out + i + 8, a1);
    }
    for (; i < n; i++) {
        float s = out[i];
        for (int p = 0; p < count; p++) s += w[p] * v[(size_t)p * stride + i];
        out[i] = s;
    }
}

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

#include "ck_impl_k.h"
#include "ck_impl_qbuf.h"

const ck_table CK_CAT(ck_table, CK_SUFFIX) = {
    .quantize = CK_FN(quantize),
    .q4_0 = CK_FN(mmb_q4_0),
    .q4_1 = CK_FN(mmb_q4_1),
    .q8_0 = CK_FN(mm_q8_0),
    .q5_0 = CK_FN(mmb_q5_0),
    .q5_1 = CK_FN(mmb_q5_1),
    .q4_K = CK_FN(mm_q4_K),
    .q5_K = CK_FN(mm_q5_K),
    .q6_K = CK_FN(mm_q6_K),
    .f32 = CK_FN(mm_f32),
    .f16 = CK_FN(mm_f16),
    .dot_rows = CK_FN(dot_rows),
    .axpy_rows = CK_FN(axpy_rows),
};
