// K-quant kernels (256-element super-blocks, ggml-common.h block_q4_K / block_q5_K / block_q6_K)
// against the same 32-element activation blocks as the other formats; included by ck_impl.h, so
// it compiles once per ISA variant. Per group of 4 rows and chunk of super-blocks the weights
// are first unpacked into an L1 buffer of ck_kblk; every token then runs over that buffer, so a
// weight byte is decoded once per call however many tokens there are, and the block loop is the
// same for all three. That is the path for 3+ tokens (prefill, batched decode); 1-2 tokens take
// ck_impl_k1.h's per-row path.

#define CK_AI static inline __attribute__((always_inline))

// One 32-element block of 4 rows, unpacked and interleaved: q[j] = bytes 8j..8j+7 of rows 0, 1,
// 2, 3, so one maddubs against activation bytes 8j..8j+7 broadcast 4 times gives every row's
// partial sums, the pieces add up in int16 and one madd leaves row k in int32 lanes 2k, 2k+1:
// no horizontal adds per block. Against activations x_i = dx * xq_i with block sum s:
//   Q4_K/Q5_K: row k . x = dx * scl[2k] * sum_i q[k][i] * xq_i + mn[2k] * s
//     (q unsigned; 4 pieces of maddubs: 4 * 2 * 31 * 128 < 32767 for Q5_K)
//   Q6_K: row k . x = dx * (scl[2k] * sum_h sc[h][4k] * sum_{i in half h} w[k][i] * (xq_i + 128) + mn[2k])
//     (w = q - 32 signed, against the activation bytes with their sign bit flipped, which is
//     xq + 128 unsigned: 2 pieces per half, 2 * 2 * 255 * 32 < 32767; the int8 scales per 16
//     elements in madd; mn[2k] = -128 * scl[2k] * sum_h sc * sum w takes the 128 off again)
typedef struct {
    uint8_t q[4][32];
    int16_t sc[2][16]; // Q6_K: scale of elements 0-15 | 16-31, row k in int16 lanes 4k..4k+3
    float scl[8];      // [r0 r0 r1 r1 r2 r2 r3 r3]: the block's scale per row (Q6_K: the super-block's d)
    float mn[8];       // [m0 0 m1 0 m2 0 m3 0]: per row, the constant term's coefficient (above)
} ck_kblk;

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

// Rows r[0..3] (32 bytes each) -> out[j] = [r0 r1 r2 r3] bytes 8j..8j+7 (a 4x4 transpose of
// 64-bit pieces).
CK_AI void CK_FN(interleave4)(const __m256i r[4], uint8_t out[4][32]) {
    const __m256i t0 = _mm256_unpacklo_epi64(r[0], r[1]), t1 = _mm256_unpackhi_epi64(r[0], r[1]);
    const __m256i t2 = _mm256_unpacklo_epi64(r[2], r[3]), t3 = _mm256_unpackhi_epi64(r[2], r[3]);
    _mm256_storeu_si256((__m256i *)out[0], _mm256_permute2x128_si256(t0, t2, 0x20));
    _mm256_storeu_si256((__m256i *)out[1], _mm256_permute2x128_si256(t1, t3, 0x20));
    _mm256_storeu_si256((__m256i *)out[2], _mm256_permute2x128_si256(t0, t2, 0x31));
    _mm256_storeu_si256((__m256i *)out[3], _mm256_permute2x128_si256(t1, t3, 0x31));
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
// 4 rows (p[k] + o) -> u[0..<8] in the interleaved layout (ck_kblk): the four rows' 32 bytes of
// a block are transposed as 64-bit pieces, the per-row scales spread to lane pairs.
CK_AI void CK_FN(prep_q45_K)(const uint8_t *const *p, size_t o, ck_kblk *u, const int five) {
    const __m256i low4 = _mm256_set1_epi8(0x0F), bit4 = _mm256_set1_epi8(0x10);
    __m256 scl[4], mn[4];
    __m256i qh[4];
    for (int k = 0; k < 4; k++) {
        const uint8_t *blk = p[k] + o;
        uint8_t sc[8], m[8];
        CK_FN(scales_k)(blk + 4, sc, m);
        uint64_t sc8, m8;
        memcpy(&sc8, sc, 8);
        memcpy(&m8, m, 8);
        scl[k] = CK_FN(bytes8u)(sc8, CK_FN(half)(blk));
        mn[k] = CK_FN(bytes8u)(m8, -CK_FN(half)(blk + 2));
        qh[k] = five ? _mm256_loadu_si256((const __m256i *)(blk + 16)) : _mm256_setzero_si256();
    }
    for (int q = 0; q < 4; q++) {
        __m256i lo[4], hi[4];
        for (int k = 0; k < 4; k++) {
            const __m256i v = _mm256_loadu_si256((const __m256i *)(p[k] + o + (five ? 48 : 16) + 32 * q));
            lo[k] = _mm256_and_si256(v, low4);
            hi[k] = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
            if (five) {
                // Bits 0 and 1 of qh (shifted down 2 per pair) become bit 4 of the pair's two
                // blocks (16-bit shifts; the mask drops what crosses from the neighbouring byte).
                lo[k] = _mm256_or_si256(lo[k], _mm256_and_si256(_mm256_slli_epi16(qh[k], 4), bit4));
                hi[k] = _mm256_or_si256(hi[k], _mm256_and_si256(_mm256_slli_epi16(qh[k], 3), bit4));
                qh[k] = _mm256_srli_epi16(qh[k], 2);
            }
        }
        CK_FN(interleave4)(lo, u[2 * q].q);
        CK_FN(interleave4)(hi, u[2 * q + 1].q);
    }
    __m256 ts[4], tm[4];
    CK_FN(transpose4x8)(scl, ts);
    CK_FN(transpose4x8)(mn, tm);
    const __m256i pairs_lo = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3), pairs_hi = _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7);
    const __m256 first_of_pair = _mm256_castsi256_ps(_mm256_setr_epi32(-1, 0, -1, 0, -1, 0, -1, 0));
    for (int j = 0; j < 4; j++) {
        _mm256_storeu_ps(u[j].scl, _mm256_permutevar8x32_ps(ts[j], pairs_lo));
        _mm256_storeu_ps(u[j + 4].scl, _mm256_permutevar8x32_ps(ts[j], pairs_hi));
        _mm256_storeu_ps(u[j].mn, _mm256_and_ps(_mm256_permutevar8x32_ps(tm[j], pairs_lo), first_of_pair));
        _mm256_storeu_ps(u[j + 4].mn, _mm256_and_ps(_mm256_permutevar8x32_ps(tm[j], pairs_hi), first_of_pair));
    }
}

CK_AI void CK_FN(prep_q4_K)(const uint8_t *const *p, size_t o, ck_kblk *u) { CK_FN(prep_q45_K)(p, o, u, 0); }
CK_AI void CK_FN(prep_q5_K)(const uint8_t *const *p, size_t o, ck_kblk *u) { CK_FN(prep_q45_K)(p, o, u, 1); }

// block_q6_K = {u8 ql[128]; u8 qh[64]; i8 scales[16]; half d}. In half h (128 elements), block g
// (32 elements, g < 4) takes nibble g/2 of ql[64h + 32(g%2) + l] and bits 2g..2g+1 of qh[32h + l];
// elements 16i..16i+15 of the super-block share scales[i]. Value = d*scale*(q - 32).
CK_AI void CK_FN(prep_q6_K)(const uint8_t *const *p, size_t o, ck_kblk *u) {
    const __m256i low4 = _mm256_set1_epi8(0x0F), bits45 = _mm256_set1_epi8(0x30), zp = _mm256_set1_epi8(32);
    __m256i w[8][4]; // block, row
    uint64_t sums[8][4][4]; // block, row, 8-byte group: sums of q
    for (int k = 0; k < 4; k++) {
        const uint8_t *blk = p[k] + o;
        for (int h = 0; h < 2; h++) {
            const __m256i l0 = _mm256_loadu_si256((const __m256i *)(blk + 64 * h));
            const __m256i l1 = _mm256_loadu_si256((const __m256i *)(blk + 64 * h + 32));
            const __m256i qh = _mm256_loadu_si256((const __m256i *)(blk + 128 + 32 * h));
            // High 2 bits of block g are qh bits 2g, 2g+1, moved to bits 4-5 (16-bit shifts, masked).
            const __m256i q[4] = {
                _mm256_or_si256(_mm256_and_si256(l0, low4), _mm256_and_si256(_mm256_slli_epi16(qh, 4), bits45)),
                _mm256_or_si256(_mm256_and_si256(l1, low4), _mm256_and_si256(_mm256_slli_epi16(qh, 2), bits45)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4), _mm256_and_si256(qh, bits45)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4),
                                _mm256_and_si256(_mm256_srli_epi16(qh, 2), bits45))};
            for (int g = 0; g < 4; g++) {
                w[4 * h + g][k] = _mm256_sub_epi8(q[g], zp);
                _mm256_storeu_si256((__m256i *)sums[4 * h + g][k], _mm256_sad_epu8(q[g], _mm256_setzero_si256()));
            }
        }
    }
    // Scale bytes of the 4 rows transposed to 4-byte groups [r0 r1 r2 r3] per scale index i:
    // g[i / 4] holds indices 4(i/4)..+3. Block b's halves take indices 2b and 2b+1, each byte
    // spread over 4 int16 lanes (ck_kblk.sc).
    const __m128i s0 = _mm_loadu_si128((const __m128i *)(p[0] + o + 192)), s1 = _mm_loadu_si128((const __m128i *)(p[1] + o + 192));
    const __m128i s2 = _mm_loadu_si128((const __m128i *)(p[2] + o + 192)), s3 = _mm_loadu_si128((const __m128i *)(p[3] + o + 192));
    const __m128i a = _mm_unpacklo_epi8(s0, s1), c = _mm_unpacklo_epi8(s2, s3);
    const __m128i e = _mm_unpackhi_epi8(s0, s1), f = _mm_unpackhi_epi8(s2, s3);
    const __m128i g[4] = {_mm_unpacklo_epi16(a, c), _mm_unpackhi_epi16(a, c), _mm_unpacklo_epi16(e, f), _mm_unpackhi_epi16(e, f)};
    float d[4];
    for (int k = 0; k < 4; k++) d[k] = CK_FN(half)(p[k] + o + 208);
    for (int b = 0; b < 8; b++) {
        CK_FN(interleave4)(w[b], u[b].q);
        for (int h = 0; h < 2; h++) {
            const int i = 2 * b + h, base = 4 * (i % 4);
            const __m128i spread = _mm_setr_epi8(base, base, base, base, base + 1, base + 1, base + 1, base + 1,
                                                 base + 2, base + 2, base + 2, base + 2, base + 3, base + 3, base + 3, base + 3);
            _mm256_storeu_si256((__m256i *)u[b].sc[h], _mm256_cvtepi8_epi16(_mm_shuffle_epi8(g[i / 4], spread)));
        }
        for (int k = 0; k < 4; k++) {
            const int s0 = u[b].sc[0][4 * k], s1 = u[b].sc[1][4 * k];
            const int w0 = (int)(sums[b][k][0] + sums[b][k][1]) - 16 * 32, w1 = (int)(sums[b][k][2] + sums[b][k][3]) - 16 * 32;
            u[b].scl[2 * k] = u[b].scl[2 * k + 1] = d[k];
            u[b].mn[2 * k] = -128.0f * d[k] * (float)(s0 * w0 + s1 * w1);
            u[b].mn[2 * k + 1] = 0;
        }
    }
}

// Activation bytes 8j..8j+7 of a block in all four 64-bit lanes (Q6_K: sign bits flipped).
CK_AI __m256i CK_FN(kx)(const ck_q8_block *x, int j, const int six) {
    int64_t v;
    memcpy(&v, x->qs + 8 * j, 8);
    const __m256i b = _mm256_set1_epi64x(v);
    return six ? _mm256_xor_si256(b, _mm256_set1_epi8((char)0x80)) : b;
}

CK_AI __m256i CK_FN(kq)(const ck_kblk *u, int j) { return _mm256_loadu_si256((const __m256i *)u->q[j]); }
// maddubs takes unsigned x signed: q x xq, or for Q6_K (xq + 128) x w.
CK_AI __m256i CK_FN(kpair)(const ck_kblk *u, const ck_q8_block *x, int j, const int six) {
    return six ? _mm256_maddubs_epi16(CK_FN(kx)(x, j, 1), CK_FN(kq)(u, j)) : _mm256_maddubs_epi16(CK_FN(kq)(u, j), CK_FN(kx)(x, j, 0));
}

// One unpacked block against one activation block: the row sums in lanes (2k, 2k+1), scaled
// into acc (see ck_kblk). VNNI sums Q4_K/Q5_K in dpbusd instead of int16.
CK_AI __m256 CK_FN(kblock)(const ck_kblk *u, const ck_q8_block *x, __m256 acc, const int six) {
    if (six) {
        const __m256i h0 = _mm256_add_epi16(CK_FN(kpair)(u, x, 0, 1), CK_FN(kpair)(u, x, 1, 1));
        const __m256i h1 = _mm256_add_epi16(CK_FN(kpair)(u, x, 2, 1), CK_FN(kpair)(u, x, 3, 1));
        const __m256i dots = _mm256_add_epi32(_mm256_madd_epi16(h0, _mm256_loadu_si256((const __m256i *)u->sc[0])),
                                              _mm256_madd_epi16(h1, _mm256_loadu_si256((const __m256i *)u->sc[1])));
        const __m256 rows = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dots), _mm256_loadu_ps(u->scl), _mm256_loadu_ps(u->mn));
        return _mm256_fmadd_ps(rows, _mm256_set1_ps(x->d), acc);
    }
#ifdef CK_DPBUSD_ACC
    __m256i dots = _mm256_setzero_si256();
    for (int j = 0; j < 4; j++) dots = CK_DPBUSD_ACC(dots, CK_FN(kq)(u, j), CK_FN(kx)(x, j, 0));
#else
    const __m256i sum = _mm256_add_epi16(_mm256_add_epi16(CK_FN(kpair)(u, x, 0, 0), CK_FN(kpair)(u, x, 1, 0)),
                                         _mm256_add_epi16(CK_FN(kpair)(u, x, 2, 0), CK_FN(kpair)(u, x, 3, 0)));
    const __m256i dots = _mm256_madd_epi16(sum, _mm256_set1_epi16(1));
#endif
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dots), _mm256_mul_ps(_mm256_loadu_ps(u->scl), _mm256_set1_ps(x->d)), acc);
    return _mm256_fmadd_ps(_mm256_loadu_ps(u->mn), _mm256_set1_ps(x->s), acc);
}

// acc lanes (2k, 2k+1) = row k -> y[0..<nrows], stored or added to what is there.
CK_AI void CK_FN(kput4)(float *y, __m256 acc, int nrows, int first) {
    float tmp[4];
    _mm_storeu_ps(tmp, _mm_hadd_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1)));
    for (int k = 0; k < nrows; k++) y[k] = first ? tmp[k] : y[k] + tmp[k];
}

// ntok (1 or 4) tokens per pass over nblk unpacked blocks (x rows nb blocks apart): the
// weight bytes, already in L1, are loaded once per block for all of them.
CK_AI void CK_FN(krun)(const ck_kblk *u, int nblk, const ck_q8_block *x, int nb, const int ntok, float *y, size_t ldy,
                       int nrows, int first, const int six) {
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int b = 0; b < nblk; b++)
        for (int t = 0; t < ntok; t++) acc[t] = CK_FN(kblock)(u + b, x + (size_t)t * nb + b, acc[t], six);
    for (int t = 0; t < ntok; t++) CK_FN(kput4)(y + (size_t)t * ldy, acc[t], nrows, first);
}

// Super-blocks unpacked per chunk: 8 x 8 blocks x 256 bytes = 16 KiB, which stays in L1 beside
// the activation blocks while the tokens run over it.
#define CK_KCHUNK 8

// Rows [r0, r1) x ntok tokens for a K format of bb bytes per super-block, token groups outer
// (ck_token_group; no cap: outputs accumulate in y, not in a per-token array). While
// unpacking, it prefetches the row group after next (ck_rowgroup).
CK_AI void CK_FN(krows)(const uint8_t *w, size_t rb, const ck_q8_block *x, int nb, int ntok, float *y, size_t ldy,
                        int r0, int r1, const int bb, void (*prep)(const uint8_t *const *, size_t, ck_kblk *),
                        const int six) {
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
                    CK_FN(krun)(buf, 8 * n, xc + (size_t)t * nb, nb, 4, yg + (size_t)t * ldy + r, ldy, g.nrows, c0 == 0, six);
                for (; t < nt; t++)
                    CK_FN(krun)(buf, 8 * n, xc + (size_t)t * nb, nb, 1, yg + (size_t)t * ldy + r, ldy, g.nrows, c0 == 0, six);
            }
        }
    }
}

#include "ck_impl_k1.h"

// Decode (1-2 tokens) one row at a time; prefill and batches through the unpacked 4-row buffer.
#define CK_KMM(NAME, BB, KIND, PREP)                                                        \
    static void CK_FN(NAME)(const uint8_t *w, size_t rb, const ck_q8_block *x, int nb, int ntok, float *y, \
                            size_t ldy, int r0, int r1) {                                       \
        if (ntok == 1 && nb <= CK_K1_MAXNB)                                                     \
            CK_FN(k1rows)(w, rb, x, nb, 1, y, ldy, r0, r1, BB, KIND);                           \
        else if (ntok == 2 && nb <= CK_K1_MAXNB)                                                \
            CK_FN(k1rows)(w, rb, x, nb, 2, y, ldy, r0, r1, BB, KIND);                           \
        else                                                                                    \
            CK_FN(krows)(w, rb, x, nb, ntok, y, ldy, r0, r1, BB, PREP, KIND == 2);                 \
    }

CK_KMM(mm_q4_K, 144, 0, CK_FN(prep_q4_K))
CK_KMM(mm_q5_K, 176, 1, CK_FN(prep_q5_K))
CK_KMM(mm_q6_K, 210, 2, CK_FN(prep_q6_K))
