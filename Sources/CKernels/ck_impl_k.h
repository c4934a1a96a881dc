// K-quant kernels (256-element super-blocks, ggml-common.h block_q4_K / block_q5_K / block_q6_K)
// against the same 32-element activation blocks as the other formats; included by ck_impl.h, so
// it compiles once per ISA variant. Per group of 4 rows and chunk of super-blocks the weights
// are first unpacked into an L1 buffer of ck_kblk (per 32 elements: 4 rows' unsigned quants and
// their float scales); every token then runs over that buffer, so a weight byte is decoded once
// per call however many tokens there are, and the block loop is the same for all three. That is
// the path for 3+ tokens (prefill, batched decode); 1-2 tokens take ck_impl_k1.h's per-row path.

// One 32-element block of 4 rows, unpacked. Against activations x_i = dx * xq_i with block sum s:
//   row k . x = dx * sum_i scl[k + 4*(i >= 16)] * (q[k][i] - zp) * xq_i  +  mn[k] * s
// Q4_K/Q5_K: zp = 0, mn = -dmin*m. Q6_K: zp = 32 (taken off in the integer dot), mn = 0.
typedef struct {
    uint8_t q[4][32];
    float scl[8]; // [r0 r1 r2 r3 | r0 r1 r2 r3]: scale of elements 0-15 | 16-31 (equal except Q6_K)
    float mn[4];  // per row: coefficient of the activation block sum (minus the sub-block min; unset for Q6_K)
} ck_kblk;

#define CK_AI static inline __attribute__((always_inline))

// 12 packed bytes -> 8 six-bit scales and 8 mins (gguf-py Q4_K.get_scale_min): bytes 0-3 hold
// scales 0-3, 4-7 mins 0-3, 8-11 the low nibbles of scales / mins 4-7 whose top 2 bits are the
// top 2 bits of bytes 0-3 / 4-7. Four bytes at a time in 32-bit words.
CK_AI void CK_FN(scales_k)(const uint8_t *s, uint8_t sc[8], uint8_t m[8]) {
    const uint32_t a = CK_FN(load32)(s), b = CK_FN(load32)(s + 4), c = CK_FN(load32)(s + 8);
    const uint32_t low6 = 0x3F3F3F3Fu, low4 = 0x0F0F0F0Fu, top2 = 0x30303030u;
    const uint32_t v[4] = {a & low6, (c & low4) | ((a >> 2) & top2), b & low6, ((c >> 4) & low4) | ((b >> 2) & top2)};
    memcpy(sc, v, 8);
    memcpy(m, v + 2, 8);
}

// 4 rows x 8 floats (lane j = block j) -> out[j] = [r0 r1 r2 r3 | the same for block j + 4], j < 4.
CK_AI void CK_FN(transpose4x8)(const __m256 v[4], __m256 out[4]) {
    const __m256 t0 = _mm256_unpacklo_ps(v[0], v[1]), t1 = _mm256_unpackhi_ps(v[0], v[1]);
    const __m256 t2 = _mm256_unpacklo_ps(v[2], v[3]), t3 = _mm256_unpackhi_ps(v[2], v[3]);
    out[0] = _mm256_shuffle_ps(t0, t2, 0x44);
    out[1] = _mm256_shuffle_ps(t0, t2, 0xEE);
    out[2] = _mm256_shuffle_ps(t1, t3, 0x44);
    out[3] = _mm256_shuffle_ps(t1, t3, 0xEE);
}

// 8 bytes (unsigned or signed) -> 8 floats times f.
CK_AI __m256 CK_FN(bytes8u)(uint64_t b, float f) {
    return _mm256_mul_ps(_mm256_set1_ps(f), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)b))));
}
CK_AI __m256 CK_FN(bytes8s)(__m128i b, float f) {
    return _mm256_mul_ps(_mm256_set1_ps(f), _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b)));
}

// block_q4_K = {half d, dmin; u8 scales[12]; u8 qs[128]}; block_q5_K adds u8 qh[32] before qs.
// Sub-blocks 2p and 2p+1 are the low and high nibbles of qs[32p ..< +32]; q5_K's fifth bit of
// element l of sub-block j is bit j of qh[l]. Value = d*sc_j*q - dmin*m_j. One super-block of
// 4 rows (p[k] + o) -> u[0..<8]; the per-row scale vectors are transposed to per-block ones.
CK_AI void CK_FN(prep_q45_K)(const uint8_t *const *p, size_t o, ck_kblk *u, const int five) {
    const __m256i low4 = _mm256_set1_epi8(0x0F), bit4 = _mm256_set1_epi8(0x10);
    __m256 scl[4], mn[4];
    for (int k = 0; k < 4; k++) {
        const uint8_t *blk = p[k] + o;
        uint8_t sc[8], m[8];
        CK_FN(scales_k)(blk + 4, sc, m);
        uint64_t sc8, m8;
        memcpy(&sc8, sc, 8);
        memcpy(&m8, m, 8);
        scl[k] = CK_FN(bytes8u)(sc8, CK_FN(half)(blk));
        mn[k] = CK_FN(bytes8u)(m8, -CK_FN(half)(blk + 2));
        const uint8_t *qs = blk + (five ? 48 : 16);
        // q5_K: bits 0 and 1 of qh (shifted down 2 per pair) become bit 4 of the pair's two blocks
        // (16-bit shifts; the mask drops what crosses from the neighbouring byte).
        __m256i qh = five ? _mm256_loadu_si256((const __m256i *)(blk + 16)) : _mm256_setzero_si256();
        for (int q = 0; q < 4; q++) {
            const __m256i v = _mm256_loadu_si256((const __m256i *)(qs + 32 * q));
            __m256i lo = _mm256_and_si256(v, low4), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
            if (five) {
                lo = _mm256_or_si256(lo, _mm256_and_si256(_mm256_slli_epi16(qh, 4), bit4));
                hi = _mm256_or_si256(hi, _mm256_and_si256(_mm256_slli_epi16(qh, 3), bit4));
                qh = _mm256_srli_epi16(qh, 2);
            }
            _mm256_storeu_si256((__m256i *)u[2 * q].q[k], lo);
            _mm256_storeu_si256((__m256i *)u[2 * q + 1].q[k], hi);
        }
    }
    __m256 ts[4], tm[4];
    CK_FN(transpose4x8)(scl, ts);
    CK_FN(transpose4x8)(mn, tm);
    for (int j = 0; j < 4; j++) {
        _mm256_storeu_ps(u[j].scl, _mm256_permute2f128_ps(ts[j], ts[j], 0x00));
        _mm256_storeu_ps(u[j + 4].scl, _mm256_permute2f128_ps(ts[j], ts[j], 0x11));
        _mm_storeu_ps(u[j].mn, _mm256_castps256_ps128(tm[j]));
        _mm_storeu_ps(u[j + 4].mn, _mm256_extractf128_ps(tm[j], 1));
    }
}

CK_AI void CK_FN(prep_q4_K)(const uint8_t *const *p, size_t o, ck_kblk *u) { CK_FN(prep_q45_K)(p, o, u, 0); }
CK_AI void CK_FN(prep_q5_K)(const uint8_t *const *p, size_t o, ck_kblk *u) { CK_FN(prep_q45_K)(p, o, u, 1); }

// block_q6_K = {u8 ql[128]; u8 qh[64]; i8 scales[16]; half d}. In half h (128 elements), block g
// (32 elements, g < 4) takes nibble g/2 of ql[64h + 32(g%2) + l] and bits 2g..2g+1 of qh[32h + l];
// elements 16i..16i+15 of the super-block share scales[i]. Value = d*scale*(q - 32).
CK_AI void CK_FN(prep_q6_K)(const uint8_t *const *p, size_t o, ck_kblk *u) {
    const __m256i low4 = _mm256_set1_epi8(0x0F), bits45 = _mm256_set1_epi8(0x30);
    const __m128i evens_odds = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
    __m256 first[4], second[4]; // lane j: scale of elements 0-15 / 16-31 of block j
    for (int k = 0; k < 4; k++) {
        const uint8_t *blk = p[k] + o;
        const float d = CK_FN(half)(blk + 208);
        const __m128i sc = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blk + 192)), evens_odds);
        first[k] = CK_FN(bytes8s)(sc, d);
        second[k] = CK_FN(bytes8s)(_mm_srli_si128(sc, 8), d);
        for (int h = 0; h < 2; h++) {
            const __m256i l0 = _mm256_loadu_si256((const __m256i *)(blk + 64 * h));
            const __m256i l1 = _mm256_loadu_si256((const __m256i *)(blk + 64 * h + 32));
            const __m256i qh = _mm256_loadu_si256((const __m256i *)(blk + 128 + 32 * h));
            // High 2 bits of block g are qh bits 2g, 2g+1, moved to bits 4-5 (16-bit shifts, masked).
            const __m256i q0 = _mm256_or_si256(_mm256_and_si256(l0, low4), _mm256_and_si256(_mm256_slli_epi16(qh, 4), bits45));
            const __m256i q1 = _mm256_or_si256(_mm256_and_si256(l1, low4), _mm256_and_si256(_mm256_slli_epi16(qh, 2), bits45));
            const __m256i q2 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4), _mm256_and_si256(qh, bits45));
            const __m256i q3 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4),
                                               _mm256_and_si256(_mm256_srli_epi16(qh, 2), bits45));
            _mm256_storeu_si256((__m256i *)u[4 * h].q[k], q0);
            _mm256_storeu_si256((__m256i *)u[4 * h + 1].q[k], q1);
            _mm256_storeu_si256((__m256i *)u[4 * h + 2].q[k], q2);
            _mm256_storeu_si256((__m256i *)u[4 * h + 3].q[k], q3);
        }
    }
    __m256 tf[4], ts[4];
    CK_FN(transpose4x8)(first, tf);
    CK_FN(transpose4x8)(second, ts);
    for (int j = 0; j < 4; j++) {
        _mm256_storeu_ps(u[j].scl, _mm256_permute2f128_ps(tf[j], ts[j], 0x20));
        _mm256_storeu_ps(u[j + 4].scl, _mm256_permute2f128_ps(tf[j], ts[j], 0x31));
    }
}

// 4 rows' integer dots with one activation block: [r0 r1 r2 r3 | r0 r1 r2 r3] sums of elements
// 0-15 | 16-31 (hadd works per 128-bit lane). With zp, minus zp * the activation half sums.
CK_AI __m256i CK_FN(kdot4)(__m256i w0, __m256i w1, __m256i w2, __m256i w3, __m256i xv, const int zp) {
    __m256i dots = _mm256_hadd_epi32(_mm256_hadd_epi32(CK_DPBUSD(w0, xv), CK_DPBUSD(w1, xv)),
                                     _mm256_hadd_epi32(CK_DPBUSD(w2, xv), CK_DPBUSD(w3, xv)));
    if (zp) {
        __m256i s = CK_DPBUSD(_mm256_set1_epi8((char)zp), xv);
        s = _mm256_hadd_epi32(s, s);
        dots = _mm256_sub_epi32(dots, _mm256_hadd_epi32(s, s));
    }
    return dots;
}

// acc (lanes k and k+4 = row k) + off -> y[0..<nrows], stored or added to what is there.
CK_AI void CK_FN(kput4)(float *y, __m256 acc, __m128 off, int nrows, int first) {
    __m128 r4 = _mm_add_ps(_mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1)), off);
    float tmp[4];
    _mm_storeu_ps(tmp, r4);
    for (int k = 0; k < nrows; k++) y[k] = first ? tmp[k] : y[k] + tmp[k];
}

// One token over nblk unpacked blocks.
CK_AI void CK_FN(krun_t1)(const ck_kblk *u, int nblk, const ck_q8_block *x, float *y, int nrows, int first,
                          const int zp) {
    __m256 acc = _mm256_setzero_ps();
    __m128 off = _mm_setzero_ps();
    for (int b = 0; b < nblk; b++) {
        const __m256i xv = _mm256_loadu_si256((const __m256i *)x[b].qs);
        const __m256i dots = CK_FN(kdot4)(_mm256_loadu_si256((const __m256i *)u[b].q[0]),
                                          _mm256_loadu_si256((const __m256i *)u[b].q[1]),
                                          _mm256_loadu_si256((const __m256i *)u[b].q[2]),
                                          _mm256_loadu_si256((const __m256i *)u[b].q[3]), xv, zp);
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dots), _mm256_mul_ps(_mm256_loadu_ps(u[b].scl), _mm256_set1_ps(x[b].d)), acc);
        if (!zp) off = _mm_fmadd_ps(_mm_loadu_ps(u[b].mn), _mm_set1_ps(x[b].s), off);
    }
    CK_FN(kput4)(y, acc, off, nrows, first);
}

// Four tokens share each block's weight registers and scales (x rows nb blocks apart).
CK_AI void CK_FN(krun_t4)(const ck_kblk *u, int nblk, const ck_q8_block *x, int nb, float *y, size_t ldy,
                          int nrows, int first, const int zp) {
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    __m128 off[4] = {_mm_setzero_ps(), _mm_setzero_ps(), _mm_setzero_ps(), _mm_setzero_ps()};
    for (int b = 0; b < nblk; b++) {
        const __m256i w0 = _mm256_loadu_si256((const __m256i *)u[b].q[0]);
        const __m256i w1 = _mm256_loadu_si256((const __m256i *)u[b].q[1]);
        const __m256i w2 = _mm256_loadu_si256((const __m256i *)u[b].q[2]);
        const __m256i w3 = _mm256_loadu_si256((const __m256i *)u[b].q[3]);
        const __m256 scl = _mm256_loadu_ps(u[b].scl);
        const __m128 mn = _mm_loadu_ps(u[b].mn);
        for (int t = 0; t < 4; t++) {
            const ck_q8_block *xb = x + (size_t)t * nb + b;
            const __m256i dots = CK_FN(kdot4)(w0, w1, w2, w3, _mm256_loadu_si256((const __m256i *)xb->qs), zp);
            acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dots), _mm256_mul_ps(scl, _mm256_set1_ps(xb->d)), acc[t]);
            if (!zp) off[t] = _mm_fmadd_ps(mn, _mm_set1_ps(xb->s), off[t]);
        }
    }
    for (int t = 0; t < 4; t++) CK_FN(kput4)(y + (size_t)t * ldy, acc[t], off[t], nrows, first);
}

// Super-blocks unpacked per chunk: 8 x 8 blocks x 176 bytes = 11 KiB, which stays in L1 beside
// the activation blocks while the tokens run over it.
#define CK_KCHUNK 8

// Rows [r0, r1) x ntok tokens for a K format of bb bytes per super-block, token groups outer
// (ck_token_group; no cap: outputs accumulate in y, not in a per-token array). While
// unpacking, it prefetches the row group after next (ck_rowgroup).
CK_AI void CK_FN(krows)(const uint8_t *w, size_t rb, const ck_q8_block *x, int nb, int ntok, float *y, size_t ldy,
                        int r0, int r1, const int bb, void (*prep)(const uint8_t *const *, size_t, ck_kblk *),
                        const int zp) {
    ck_kblk buf[8 * CK_KCHUNK];
    const int nsb = nb / 8;
    const int group = ck_token_group((size_t)nb * sizeof(ck_q8_block), 1 << 30);
    for (int t0 = 0; t0 < ntok; t0 += group) {
        const int nt = ntok - t0 < group ? ntok - t0 : group;
        const ck_q8_block *xg = x + (size_t)t0 * nb;
        float *yg = y + (size_t)t0 * ldy;
        for (int r = r0; r < r1; r += 4) {
            const ck_rowgroup g = CK_FN(rowgroup)(w, rb, r, r1, bb);
            for (int c0 = 0; c0 < nsb; c0 += CK_KCHUNK) {
                const int n = nsb - c0 < CK_KCHUNK ? nsb - c0 : CK_KCHUNK;
                for (int s = 0; s < n; s++) {
                    const size_t o = (size_t)(c0 + s) * bb;
                    CK_FN(rowgroup_prefetch)(&g, o);
                    prep(g.p, o, buf + 8 * s);
                }
                const ck_q8_block *xc = xg + 8 * c0;
                int t = 0;
                for (; t + 4 <= nt; t += 4)
                    CK_FN(krun_t4)(buf, 8 * n, xc + (size_t)t * nb, nb, yg + (size_t)t * ldy + r, ldy, g.nrows, c0 == 0, zp);
                for (; t < nt; t++)
                    CK_FN(krun_t1)(buf, 8 * n, xc + (size_t)t * nb, yg + (size_t)t * ldy + r, g.nrows, c0 == 0, zp);
            }
        }
    }
}

#include "ck_impl_k1.h"

// Decode (1-2 tokens) one row at a time; prefill and batches through the unpacked 4-row buffer.
#define CK_KMM(NAME, BB, KIND, PREP, ZP)                                                        \
    static void CK_FN(NAME)(const uint8_t *w, size_t rb, const ck_q8_block *x, int nb, int ntok, float *y, \
                            size_t ldy, int r0, int r1) {                                       \
        if (ntok == 1 && nb <= CK_K1_MAXNB)                                                     \
            CK_FN(k1rows)(w, rb, x, nb, 1, y, ldy, r0, r1, BB, KIND);                           \
        else if (ntok == 2 && nb <= CK_K1_MAXNB)                                                \
            CK_FN(k1rows)(w, rb, x, nb, 2, y, ldy, r0, r1, BB, KIND);                           \
        else                                                                                    \
            CK_FN(krows)(w, rb, x, nb, ntok, y, ldy, r0, r1, BB, PREP, ZP);                     \
    }

CK_KMM(mm_q4_K, 144, 0, CK_FN(prep_q4_K), 0)
CK_KMM(mm_q5_K, 176, 1, CK_FN(prep_q5_K), 0)
CK_KMM(mm_q6_K, 210, 2, CK_FN(prep_q6_K), 32)
