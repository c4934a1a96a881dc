// Prefill path of the 32-element formats with 4-bit / 5-bit unsigned quants (Q4_0, Q4_1, Q5_0,
// Q5_1); included by ck_impl.h after ck_impl_k.h. CK_QROWS unpacks a block of 4 rows again for
// every 4 tokens: for Q5_0 (nibbles plus a fifth bit from qh) that was about a third of the
// work per token. Here, as for the K-quants, a 4-row group's blocks are unpacked once per chunk
// into an L1 buffer of ck_kblk, interleaved as there (q[j] = bytes 8j..8j+7 of the 4 rows), and
// every token runs over it. Each row's integer sums of elements 0-15 and 16-31 are the ones
// CK_QROWS forms, and each token's float accumulators go through the same operations in the
// same order (saved between chunks, never reduced early), so every output is bit-identical to
// CK_QROWS's one-token path whatever the token count (speculative verification relies on
// that, LlamaModel+Verify.swift).

#define CK_QBUF_MIN_TOKENS 5 // fewer take CK_QROWS (kernel-bench, q5_0: 4 tokens equal, 6-7 ~1.2-1.35x here)
#define CK_QBUF_CHUNK 64     // blocks unpacked per chunk: 64 x 256 bytes = 16 KiB of L1
#define CK_QBUF_TOKENS 64    // tokens whose accumulators are kept at a time (64 x 48 bytes)

// Block o of 4 rows -> u. PREP gives the unsigned quants, MN the sum coefficients from dm.
// scl = [d0 d1 d0 d1 | d2 d3 d2 d3], the lanes of qbuf_halves; mn[k] = row k's coefficient.
#define CK_QBUF_UNPACK(NAME, PREP, MN)                                                          \
    CK_AI void CK_FN(NAME)(const uint8_t *const *p, size_t o, ck_kblk *u) {                     \
        const __m256i rows[4] = {PREP(p[0] + o), PREP(p[1] + o), PREP(p[2] + o), PREP(p[3] + o)}; \
        CK_FN(interleave4)(rows, u->q);                                                         \
        const __m256 dm = CK_FN(halves4)(p[0] + o, p[1] + o, p[2] + o, p[3] + o);               \
        _mm256_storeu_ps(u->scl, _mm256_permutevar8x32_ps(dm, _mm256_setr_epi32(0, 1, 0, 1, 2, 3, 2, 3))); \
        _mm_storeu_ps(u->mn, MN(dm));                                                           \
    }
#define CK_QBUF_MN_M(dm) _mm256_extractf128_ps(dm, 1)
#define CK_QBUF_MN_8(dm) _mm_mul_ps(_mm256_castps256_ps128(dm), _mm_set1_ps(-8.0f))
#define CK_QBUF_MN_16(dm) _mm_mul_ps(_mm256_castps256_ps128(dm), _mm_set1_ps(-16.0f))

CK_QBUF_UNPACK(qbuf_q4_0, CK_FN(prep_q4_0), CK_QBUF_MN_8)
CK_QBUF_UNPACK(qbuf_q4_1, CK_FN(prep_q4_1), CK_QBUF_MN_M)
CK_QBUF_UNPACK(qbuf_q5_0, CK_FN(prep_q5_0), CK_QBUF_MN_16)
CK_QBUF_UNPACK(qbuf_q5_1, CK_FN(prep_q5_1), CK_QBUF_MN_M)

// One token's running sums: acc lanes [r0 r1 r0 r1 | r2 r3 r2 r3] of elements 0-15, 16-31, 0-15,
// 16-31 (qbuf_halves), and off (lane k = row k).
typedef struct {
    __m256 acc;
    __m128 off;
} ck_qstate;

// A block's integer sums per row and half: [r0 r1 | r0 r1] of elements 0-15 | 16-31 in the low
// 128 bits, rows 2 and 3 in the high ones. Pieces 0-1 and 2-3 are the halves; one hadd joins
// each row's two lanes (int16 sums: 2 * 2 * 31 * 128 < 32767).
CK_AI __m256i CK_FN(qbuf_halves)(const __m256i w[4], const ck_q8_block *x) {
#ifdef CK_DPBUSD_ACC
    const __m256i h0 = CK_DPBUSD_ACC(CK_DPBUSD_ACC(_mm256_setzero_si256(), w[0], CK_FN(kx)(x, 0, 0)), w[1], CK_FN(kx)(x, 1, 0));
    const __m256i h1 = CK_DPBUSD_ACC(CK_DPBUSD_ACC(_mm256_setzero_si256(), w[2], CK_FN(kx)(x, 2, 0)), w[3], CK_FN(kx)(x, 3, 0));
#else
    const __m256i one = _mm256_set1_epi16(1);
    const __m256i h0 = _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(w[0], CK_FN(kx)(x, 0, 0)),
                                                          _mm256_maddubs_epi16(w[1], CK_FN(kx)(x, 1, 0))), one);
    const __m256i h1 = _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(w[2], CK_FN(kx)(x, 2, 0)),
                                                          _mm256_maddubs_epi16(w[3], CK_FN(kx)(x, 3, 0))), one);
#endif
    return _mm256_hadd_epi32(h0, h1);
}

// The same per-block float steps as CK_QROWS's _t1 / _t4 (same operations, same order).
CK_AI void CK_FN(qbuf_step)(const __m256i w[4], __m256 d8, __m128 mn, const ck_q8_block *xb, __m256 *acc, __m128 *off) {
    *acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(CK_FN(qbuf_halves)(w, xb)), _mm256_mul_ps(d8, _mm256_set1_ps(xb->d)), *acc);
    *off = _mm_fmadd_ps(mn, _mm_set1_ps(xb->s), *off);
}

// Tokens st[0..<nt] (activation rows nb blocks apart) over nblk unpacked blocks; 4 tokens share
// each block's weight registers.
CK_AI void CK_FN(qbuf_run)(const ck_kblk *u, int nblk, const ck_q8_block *x, int nb, ck_qstate *st, int nt) {
    int t = 0;
    for (; t + 4 <= nt; t += 4) {
        __m256 a0 = st[t].acc, a1 = st[t + 1].acc, a2 = st[t + 2].acc, a3 = st[t + 3].acc;
        __m128 o0 = st[t].off, o1 = st[t + 1].off, o2 = st[t + 2].off, o3 = st[t + 3].off;
        const ck_q8_block *x0 = x + (size_t)t * nb, *x1 = x0 + nb, *x2 = x1 + nb, *x3 = x2 + nb;
        for (int b = 0; b < nblk; b++) {
            const __m256i w[4] = {CK_FN(kq)(u + b, 0), CK_FN(kq)(u + b, 1), CK_FN(kq)(u + b, 2), CK_FN(kq)(u + b, 3)};
            const __m256 d8 = _mm256_loadu_ps(u[b].scl);
            const __m128 mn = _mm_loadu_ps(u[b].mn);
            CK_FN(qbuf_step)(w, d8, mn, x0 + b, &a0, &o0);
            CK_FN(qbuf_step)(w, d8, mn, x1 + b, &a1, &o1);
            CK_FN(qbuf_step)(w, d8, mn, x2 + b, &a2, &o2);
            CK_FN(qbuf_step)(w, d8, mn, x3 + b, &a3, &o3);
        }
        st[t].acc = a0, st[t + 1].acc = a1, st[t + 2].acc = a2, st[t + 3].acc = a3;
        st[t].off = o0, st[t + 1].off = o1, st[t + 2].off = o2, st[t + 3].off = o3;
    }
    for (; t < nt; t++) {
        __m256 a = st[t].acc;
        __m128 o = st[t].off;
        const ck_q8_block *xt = x + (size_t)t * nb;
        for (int b = 0; b < nblk; b++) {
            const __m256i w[4] = {CK_FN(kq)(u + b, 0), CK_FN(kq)(u + b, 1), CK_FN(kq)(u + b, 2), CK_FN(kq)(u + b, 3)};
            CK_FN(qbuf_step)(w, _mm256_loadu_ps(u[b].scl), _mm_loadu_ps(u[b].mn), xt + b, &a, &o);
        }
        st[t].acc = a, st[t].off = o;
    }
}

// acc of qbuf_halves' lanes -> per row (elements 0-15) + (16-31), + off, as store4 adds them.
CK_AI void CK_FN(qbuf_store)(float *y, __m256 acc, __m128 off, int nrows) {
    const __m128 lo = _mm256_castps256_ps128(acc), hi = _mm256_extractf128_ps(acc, 1);
    const __m128 first = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(1, 0, 1, 0)), second = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 2, 3, 2));
    CK_FN(store4)(y, _mm256_set_m128(second, first), off, nrows);
}

// Rows [r0, r1) x ntok tokens of a format of bb bytes per block. Token groups are the outer
// loop (ck_token_group), so a group's activations stay in L2 while every row group of the
// range runs over them; each row group prefetches the group after next (ck_rowgroup).
CK_AI void CK_FN(qbuf_rows)(const uint8_t *w, size_t rb, const ck_q8_block *x, int nb, int ntok, float *y,
                            size_t ldy, int r0, int r1, const int bb,
                            void (*unpack)(const uint8_t *const *, size_t, ck_kblk *)) {
    ck_kblk buf[CK_QBUF_CHUNK];
    ck_qstate st[CK_QBUF_TOKENS];
    const int group = ck_token_group((size_t)nb * sizeof(ck_q8_block), CK_QBUF_TOKENS);
    for (int t0 = 0; t0 < ntok; t0 += group) {
        const int nt = ntok - t0 < group ? ntok - t0 : group;
        for (int r = r0; r < r1; r += 4) {
            const ck_rowgroup g = CK_FN(rowgroup)(w, rb, r, r1, bb);
            for (int t = 0; t < nt; t++) st[t].acc = _mm256_setzero_ps(), st[t].off = _mm_setzero_ps();
            for (int c0 = 0; c0 < nb; c0 += CK_QBUF_CHUNK) {
                const int n = nb - c0 < CK_QBUF_CHUNK ? nb - c0 : CK_QBUF_CHUNK;
                for (int b = 0; b < n; b++) {
                    const size_t o = (size_t)(c0 + b) * bb;
                    CK_FN(rowgroup_prefetch)(&g, o);
                    unpack(g.p, o, buf + b);
                }
                CK_FN(qbuf_run)(buf, n, x + (size_t)t0 * nb + c0, nb, st, nt);
            }
            for (int t = 0; t < nt; t++) CK_FN(qbuf_store)(y + (size_t)(t0 + t) * ldy + r, st[t].acc, st[t].off, g.nrows);
        }
    }
}

// Prefill and batches (>= CK_QBUF_MIN_TOKENS tokens) through the buffer, fewer through CK_QROWS.
#define CK_QBUF_MM(NAME, DIRECT, BB, UNPACK)                                                    \
    static void CK_FN(NAME)(const uint8_t *w, size_t rb, const ck_q8_block *x, int nb, int ntok, float *y, \
                            size_t ldy, int r0, int r1) {                                       \
        if (ntok >= CK_QBUF_MIN_TOKENS)                                                         \
            CK_FN(qbuf_rows)(w, rb, x, nb, ntok, y, ldy, r0, r1, BB, UNPACK);                   \
        else                                                                                    \
            DIRECT(w, rb, x, nb, ntok, y, ldy, r0, r1);                                         \
    }

CK_QBUF_MM(mmb_q4_0, CK_FN(mm_q4_0), 18, CK_FN(qbuf_q4_0))
CK_QBUF_MM(mmb_q4_1, CK_FN(mm_q4_1), 20, CK_FN(qbuf_q4_1))
CK_QBUF_MM(mmb_q5_0, CK_FN(mm_q5_0), 22, CK_FN(qbuf_q5_0))
CK_QBUF_MM(mmb_q5_1, CK_FN(mm_q5_1), 24, CK_FN(qbuf_q5_1))
