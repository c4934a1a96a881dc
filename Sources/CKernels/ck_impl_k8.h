// K-quant products of 3+ tokens (prefill, batched decode) against ck_q8k_block activations (256
// values: one scale d and a power of two per 32-value block); included by ck_impl.h once per ISA
// variant. With one float scale per super-block the integer work carries through the whole
// super-block: per 32-element block and row, maddubs (u8 quants x s8 activations -> pairs of
// i16) then madd with the block's scale times the activation block's 2^e as i16 (so the scale
// multiply is the widening step), summed as i32 over the 8 blocks. The shifted scales are made
// once per unpacking for every e (CK_Q8K_MAXE + 1 copies), so a token only picks its copy.
// Floats appear once per super-block and token: d * dx for the dots, -dmin * dx for the mins
// (Q4_K/Q5_K; Q6_K's zero point 32 is taken off in integers). Bounds: maddubs |2 * 63 * 127| <
// 2^15; shifted scales |128 * 8| < 2^15; a lane's i32 sum over a super-block |8 * 2 * 16002 *
// 1024| < 2^28, four lanes (the reduction) < 2^30; the mins' lanes |2 * 2032 * 4064 * 8| < 2^28.
// A 4-row group's super-blocks are unpacked once per chunk into an L1 buffer (ck_k8sb) that
// every token runs over, two tokens at a time sharing each weight load.

// One super-block of 4 rows, unpacked.
typedef struct {
    uint8_t q[8][4][32]; // block b, row k: unsigned quants in element order
    int16_t sc[8][CK_Q8K_MAXE + 1][4][16]; // block b, exponent e, row k: madd operand, scale of
                                            // elements 0-15 (x8) | 16-31 (x8), times 2^e
    int16_t mc[4][16];    // row k: coefficient of each 16-element activation sum (Q4_K/Q5_K m_b; Q6_K 32 * scale)
    float d[8];           // [d0 d1 d2 d3 | d0 d1 d2 d3]
    float dmin[8];        // the same for -dmin (Q4_K/Q5_K)
} ck_k8sb;

#define CK_K8_CHUNK 2   // super-blocks unpacked per chunk: 2 x 5312 bytes
#define CK_K8_TOKENS 64 // tokens whose accumulators are kept at a time

// Block b, row k: scale a for elements 0-15 and b for 16-31, times every 2^e.
CK_AI void CK_FN(k8_scales)(ck_k8sb *u, int blk, int k, int a, int b) {
    for (int e = 0; e <= CK_Q8K_MAXE; e++)
        for (int i = 0; i < 8; i++) u->sc[blk][e][k][i] = (int16_t)(a << e), u->sc[blk][e][k][8 + i] = (int16_t)(b << e);
}

// block_q4_K = {half d, dmin; u8 scales[12]; u8 qs[128]}; block_q5_K adds u8 qh[32] before qs.
// Blocks 2p and 2p+1 are the low and high nibbles of qs[32p ..< +32]; q5_K's fifth bit of
// element l of block b is bit b of qh[l]. Value = d * sc_b * q - dmin * m_b.
CK_AI void CK_FN(k8_q45_K)(const uint8_t *const *p, size_t o, ck_k8sb *u, const int five) {
    const __m256i low4 = _mm256_set1_epi8(0x0F), bit4 = _mm256_set1_epi8(0x10);
    for (int k = 0; k < 4; k++) {
        const uint8_t *blk = p[k] + o;
        uint8_t sc[8], m[8];
        CK_FN(scales_k)(blk + 4, sc, m);
        u->d[k] = u->d[k + 4] = CK_FN(half)(blk);
        u->dmin[k] = u->dmin[k + 4] = -CK_FN(half)(blk + 2);
        for (int b = 0; b < 8; b++) {
            CK_FN(k8_scales)(u, b, k, sc[b], sc[b]);
            u->mc[k][2 * b] = u->mc[k][2 * b + 1] = m[b];
        }
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
            _mm256_storeu_si256((__m256i *)u->q[2 * q][k], lo);
            _mm256_storeu_si256((__m256i *)u->q[2 * q + 1][k], hi);
        }
    }
}

CK_AI void CK_FN(k8_q4_K)(const uint8_t *const *p, size_t o, ck_k8sb *u) { CK_FN(k8_q45_K)(p, o, u, 0); }
CK_AI void CK_FN(k8_q5_K)(const uint8_t *const *p, size_t o, ck_k8sb *u) { CK_FN(k8_q45_K)(p, o, u, 1); }

// block_q6_K = {u8 ql[128]; u8 qh[64]; i8 scales[16]; half d}. In half h (128 elements), block g
// (32 elements, g < 4) takes nibble g/2 of ql[64h + 32(g%2) + l] and bits 2g..2g+1 of qh[32h + l];
// elements 16i ..< 16i+16 share scales[i]. Value = d * scale * (q - 32).
CK_AI void CK_FN(k8_q6_K)(const uint8_t *const *p, size_t o, ck_k8sb *u) {
    const __m256i low4 = _mm256_set1_epi8(0x0F), bits45 = _mm256_set1_epi8(0x30);
    for (int k = 0; k < 4; k++) {
        const uint8_t *blk = p[k] + o;
        const int8_t *scales = (const int8_t *)(blk + 192);
        u->d[k] = u->d[k + 4] = CK_FN(half)(blk + 208);
        u->dmin[k] = u->dmin[k + 4] = 0;
        for (int b = 0; b < 8; b++) CK_FN(k8_scales)(u, b, k, scales[2 * b], scales[2 * b + 1]);
        for (int i = 0; i < 16; i++) u->mc[k][i] = (int16_t)(32 * scales[i]);
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
            _mm256_storeu_si256((__m256i *)u->q[4 * h][k], q0);
            _mm256_storeu_si256((__m256i *)u->q[4 * h + 1][k], q1);
            _mm256_storeu_si256((__m256i *)u->q[4 * h + 2][k], q2);
            _mm256_storeu_si256((__m256i *)u->q[4 * h + 3][k], q3);
        }
    }
}

// Four rows' 8-lane sums -> [r0 r1 r2 r3 | r0 r1 r2 r3] (hadd works per 128-bit lane).
CK_AI __m256i CK_FN(k8_reduce4)(__m256i a, __m256i b, __m256i c, __m256i d) {
    return _mm256_hadd_epi32(_mm256_hadd_epi32(a, b), _mm256_hadd_epi32(c, d));
}

// One super-block's integer dots of 4 rows with one token (i[k]) -> acc (lanes k, k+4 = row k).
// The mins' madd gives lane b = block b, shifted by its exponent.
CK_AI __m256 CK_FN(k8_finish)(const ck_k8sb *u, const __m256i *i, const ck_q8k_block *x, __m256 acc, const int zp) {
    const __m256i bs = _mm256_loadu_si256((const __m256i *)x->bsums), e = _mm256_loadu_si256((const __m256i *)x->e);
#define CK_K8_MIN(k) _mm256_sllv_epi32(_mm256_madd_epi16(bs, _mm256_loadu_si256((const __m256i *)u->mc[k])), e)
    const __m256i m = CK_FN(k8_reduce4)(CK_K8_MIN(0), CK_K8_MIN(1), CK_K8_MIN(2), CK_K8_MIN(3));
#undef CK_K8_MIN
    __m256i dots = CK_FN(k8_reduce4)(i[0], i[1], i[2], i[3]);
    const __m256 dx = _mm256_set1_ps(x->d);
    if (zp) dots = _mm256_sub_epi32(dots, m);
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dots), _mm256_mul_ps(_mm256_loadu_ps(u->d), dx), acc);
    if (!zp) acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(m), _mm256_mul_ps(_mm256_loadu_ps(u->dmin), dx), acc);
    return acc;
}

// (u8 quants x s8 activations) summed in pairs, times the i16 scales, summed in fours: 8 x i32.
CK_AI __m256i CK_FN(k8_dot)(__m256i w, __m256i x, const int16_t *sc) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(w, x), _mm256_loadu_si256((const __m256i *)sc));
}

// Two tokens (x0, x1: their blocks for this chunk) over n unpacked super-blocks.
CK_AI void CK_FN(k8_run2)(const ck_k8sb *u, int n, const ck_q8k_block *x0, const ck_q8k_block *x1, __m256 *acc0,
                          __m256 *acc1, const int zp) {
    for (int s = 0; s < n; s++) {
        __m256i i0[4], i1[4];
        for (int k = 0; k < 4; k++) i0[k] = i1[k] = _mm256_setzero_si256();
        for (int b = 0; b < 8; b++) {
            const __m256i xa = _mm256_loadu_si256((const __m256i *)(x0[s].qs + 32 * b));
            const __m256i xb = _mm256_loadu_si256((const __m256i *)(x1[s].qs + 32 * b));
            const int16_t(*sa)[16] = u[s].sc[b][x0[s].e[b]], (*sb)[16] = u[s].sc[b][x1[s].e[b]];
            for (int k = 0; k < 4; k++) {
                const __m256i w = _mm256_loadu_si256((const __m256i *)u[s].q[b][k]);
                i0[k] = _mm256_add_epi32(i0[k], CK_FN(k8_dot)(w, xa, sa[k]));
                i1[k] = _mm256_add_epi32(i1[k], CK_FN(k8_dot)(w, xb, sb[k]));
            }
        }
        *acc0 = CK_FN(k8_finish)(u + s, i0, x0 + s, *acc0, zp);
        *acc1 = CK_FN(k8_finish)(u + s, i1, x1 + s, *acc1, zp);
    }
}

// The same for one token (same operations in the same order, so the pairing changes no bit).
CK_AI void CK_FN(k8_run1)(const ck_k8sb *u, int n, const ck_q8k_block *x0, __m256 *acc0, const int zp) {
    for (int s = 0; s < n; s++) {
        __m256i i0[4];
        for (int k = 0; k < 4; k++) i0[k] = _mm256_setzero_si256();
        for (int b = 0; b < 8; b++) {
            const __m256i xa = _mm256_loadu_si256((const __m256i *)(x0[s].qs + 32 * b));
            const int16_t(*sa)[16] = u[s].sc[b][x0[s].e[b]];
            for (int k = 0; k < 4; k++)
                i0[k] = _mm256_add_epi32(i0[k], CK_FN(k8_dot)(_mm256_loadu_si256((const __m256i *)u[s].q[b][k]), xa, sa[k]));
        }
        *acc0 = CK_FN(k8_finish)(u + s, i0, x0 + s, *acc0, zp);
    }
}

// Rows [r0, r1) x ntok tokens (activation rows nsb blocks apart) of a K format of bb bytes per
// super-block.
CK_AI void CK_FN(k8rows)(const uint8_t *w, size_t rb, const ck_q8k_block *x, int nsb, int ntok, float *y,
                         size_t ldy, int r0, int r1, const int bb,
                         void (*unpack)(const uint8_t *const *, size_t, ck_k8sb *), const int zp) {
    ck_k8sb buf[CK_K8_CHUNK];
    __m256 acc[CK_K8_TOKENS];
    for (int r = r0; r < r1; r += 4) {
        ck_rowgroup g = CK_FN(rowgroup)(w, rb, r, r1, bb);
        for (int t0 = 0; t0 < ntok; t0 += CK_K8_TOKENS) {
            const int nt = ntok - t0 < CK_K8_TOKENS ? ntok - t0 : CK_K8_TOKENS;
            for (int t = 0; t < nt; t++) acc[t] = _mm256_setzero_ps();
            for (int c0 = 0; c0 < nsb; c0 += CK_K8_CHUNK) {
                const int n = nsb - c0 < CK_K8_CHUNK ? nsb - c0 : CK_K8_CHUNK;
                for (int s = 0; s < n; s++) {
                    const size_t o = (size_t)(c0 + s) * bb;
                    if (t0 == 0) CK_FN(rowgroup_prefetch)(&g, o);
                    unpack(g.p, o, buf + s);
                }
                const ck_q8k_block *xc = x + (size_t)t0 * nsb + c0;
                int t = 0;
                for (; t + 2 <= nt; t += 2)
                    CK_FN(k8_run2)(buf, n, xc + (size_t)t * nsb, xc + (size_t)(t + 1) * nsb, &acc[t], &acc[t + 1], zp);
                if (t < nt) CK_FN(k8_run1)(buf, n, xc + (size_t)t * nsb, &acc[t], zp);
            }
            for (int t = 0; t < nt; t++) CK_FN(store4)(y + (size_t)(t0 + t) * ldy + r, acc[t], _mm_setzero_ps(), g.nrows);
        }
    }
}

static void CK_FN(k8_mm_q4_K)(const uint8_t *w, size_t rb, const ck_q8k_block *x, int nsb, int ntok, float *y,
                              size_t ldy, int r0, int r1) {
    CK_FN(k8rows)(w, rb, x, nsb, ntok, y, ldy, r0, r1, 144, CK_FN(k8_q4_K), 0);
}
static void CK_FN(k8_mm_q5_K)(const uint8_t *w, size_t rb, const ck_q8k_block *x, int nsb, int ntok, float *y,
                              size_t ldy, int r0, int r1) {
    CK_FN(k8rows)(w, rb, x, nsb, ntok, y, ldy, r0, r1, 176, CK_FN(k8_q5_K), 0);
}
static void CK_FN(k8_mm_q6_K)(const uint8_t *w, size_t rb, const ck_q8k_block *x, int nsb, int ntok, float *y,
                              size_t ldy, int r0, int r1) {
    CK_FN(k8rows)(w, rb, x, nsb, ntok, y, ldy, r0, r1, 210, CK_FN(k8_q6_K), 1);
}

// Activations for these products (definition in ckernels.h; the rounding as the 32-value
// quantizer's, ck_impl.h).
static void CK_FN(quantize_k)(const float *x, ck_q8k_block *out, int nb) {
    const __m256 signbit = _mm256_set1_ps(-0.0f);
    for (int b = 0; b < nb; b++) {
        const float *v = x + (size_t)b * 256;
        float bmax[8], amax = 0;
        for (int k = 0; k < 8; k++) {
            __m256 m = _mm256_setzero_ps();
            for (int i = 32 * k; i < 32 * k + 32; i += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(signbit, _mm256_loadu_ps(v + i)));
            __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
            h = _mm_max_ps(h, _mm_movehl_ps(h, h));
            h = _mm_max_ss(h, _mm_movehdup_ps(h));
            bmax[k] = _mm_cvtss_f32(h);
            if (bmax[k] > amax) amax = bmax[k];
        }
        const float d = amax / (127.0f * (1 << CK_Q8K_MAXE));
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        for (int k = 0; k < 8; k++) {
            int e = 0;
            while (e < CK_Q8K_MAXE && bmax[k] * id > 127.0f * (float)(1 << e)) e++;
            out[b].e[k] = e;
            const __m256 ide = _mm256_set1_ps(id * (1.0f / (float)(1 << e)));
            for (int i = 32 * k; i < 32 * k + 32; i += 16) {
                const __m256i q0 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(v + i), ide));
                const __m256i q1 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(v + i + 8), ide));
                const __m256i s = _mm256_add_epi32(q0, q1);
                __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
                s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
                s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
                out[b].bsums[i / 16] = (int16_t)_mm_cvtsi128_si32(s4);
                // packs work per 128-bit lane: [q0 lo, q1 lo, q0 hi, q1 hi] as i16, then bytes in order.
                const __m256i p16 = _mm256_permute4x64_epi64(_mm256_packs_epi32(q0, q1), 0xD8);
                const __m128i p8 = _mm_packs_epi16(_mm256_castsi256_si128(p16), _mm256_extracti128_si256(p16, 1));
                _mm_storeu_si128((__m128i *)(out[b].qs + i), p8);
            }
        }
        out[b].d = d;
    }
}
