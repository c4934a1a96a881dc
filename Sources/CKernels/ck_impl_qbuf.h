// Prefill path of the 32-element formats with 4-bit / 5-bit unsigned quants (Q4_0, Q4_1, Q5_0,
// Q5_1); included by ck_impl.h after ck_impl_k.h. CK_QROWS unpacks a block of 4 rows again for
// every 4 tokens: for Q5_0 (nibbles plus a fifth bit from qh) that was about a third of the
// work per token. Here, as for the K-quants, a 4-row group's blocks are unpacked once per chunk
// into an L1 buffer of ck_kblk (q = unsigned quants, scl = [d0..d3 | d0..d3], mn = coefficient
// of the activation block sum: m for Q4_1/Q5_1, -8d / -16d for Q4_0 / Q5_0), and every token
// runs over it. Each token's accumulators are saved between chunks, never reduced early, so
// every output sums in the same order as CK_QROWS's one-token path: bit-identical results
// whatever the token count (speculative verification relies on that, LlamaModel+Verify.swift).

#define CK_QBUF_MIN_TOKENS 8 // fewer tokens take CK_QROWS (the unpacking is shared by too few)
#define CK_QBUF_CHUNK 64     // blocks unpacked per chunk: 64 x 176 bytes = 11 KiB of L1
#define CK_QBUF_TOKENS 64    // tokens whose accumulators are kept at a time (64 x 48 bytes)

// Block o of 4 rows -> u. PREP gives the unsigned quants, MN the sum coefficients from dm.
#define CK_QBUF_UNPACK(NAME, PREP, MN)                                                          \
    CK_AI void CK_FN(NAME)(const uint8_t *const *p, size_t o, ck_kblk *u) {                     \
        for (int k = 0; k < 4; k++) _mm256_storeu_si256((__m256i *)u->q[k], PREP(p[k] + o));  \
        const __m256 dm = CK_FN(halves4)(p[0] + o, p[1] + o, p[2] + o, p[3] + o);               \
        _mm256_storeu_ps(u->scl, _mm256_permute2f128_ps(dm, dm, 0x00));                         \
        _mm_storeu_ps(u->mn, MN(dm));                                                           \
    }
#define CK_QBUF_MN_M(dm) _mm256_extractf128_ps(dm, 1)
#define CK_QBUF_MN_8(dm) _mm_mul_ps(_mm256_castps256_ps128(dm), _mm_set1_ps(-8.0f))
#define CK_QBUF_MN_16(dm) _mm_mul_ps(_mm256_castps256_ps128(dm), _mm_set1_ps(-16.0f))

CK_QBUF_UNPACK(qbuf_q4_0, CK_FN(prep_q4_0), CK_QBUF_MN_8)
CK_QBUF_UNPACK(qbuf_q4_1, CK_FN(prep_q4_1), CK_QBUF_MN_M)
CK_QBUF_UNPACK(qbuf_q5_0, CK_FN(prep_q5_0), CK_QBUF_MN_16)
CK_QBUF_UNPACK(qbuf_q5_1, CK_FN(prep_q5_1), CK_QBUF_MN_M)

// One token's running sums: acc as in CK_QROWS (lanes k, k+4 = row k) and off (lane k = row k).
typedef struct {
    __m256 acc;
    __m128 off;
} ck_qstate;

// The same per-block steps as CK_QROWS's _t1 / _t4 (same operations, same order).
CK_AI void CK_FN(qbuf_step)(__m256i w0, __m256i w1, __m256i w2, __m256i w3, __m256 d8, __m128 mn,
                            const ck_q8_block *xb, __m256 *acc, __m128 *off) {
    const __m256i xv = _mm256_loadu_si256((const __m256i *)xb->qs);
    *acc = _mm256_fmadd_ps(CK_DOT4(CK_FN(mul_u4), w0, w1, w2, w3, xv), _mm256_mul_ps(d8, _mm256_set1_ps(xb->d)), *acc);
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
            const __m256i w0 = _mm256_loadu_si256((const __m256i *)u[b].q[0]);
            const __m256i w1 = _mm256_loadu_si256((const __m256i *)u[b].q[1]);
            const __m256i w2 = _mm256_loadu_si256((const __m256i *)u[b].q[2]);
            const __m256i w3 = _mm256_loadu_si256((const __m256i *)u[b].q[3]);
            const __m256 d8 = _mm256_loadu_ps(u[b].scl);
            const __m128 mn = _mm_loadu_ps(u[b].mn);
            CK_FN(qbuf_step)(w0, w1, w2, w3, d8, mn, x0 + b, &a0, &o0);
            CK_FN(qbuf_step)(w0, w1, w2, w3, d8, mn, x1 + b, &a1, &o1);
            CK_FN(qbuf_step)(w0, w1, w2, w3, d8, mn, x2 + b, &a2, &o2);
            CK_FN(qbuf_step)(w0, w1, w2, w3, d8, mn, x3 + b, &a3, &o3);
        }
        st[t].acc = a0, st[t + 1].acc = a1, st[t + 2].acc = a2, st[t + 3].acc = a3;
        st[t].off = o0, st[t + 1].off = o1, st[t + 2].off = o2, st[t + 3].off = o3;
    }
    for (; t < nt; t++) {
        __m256 a = st[t].acc;
        __m128 o = st[t].off;
        const ck_q8_block *xt = x + (size_t)t * nb;
        for (int b = 0; b < nblk; b++)
            CK_FN(qbuf_step)(_mm256_loadu_si256((const __m256i *)u[b].q[0]), _mm256_loadu_si256((const __m256i *)u[b].q[1]),
                             _mm256_loadu_si256((const __m256i *)u[b].q[2]), _mm256_loadu_si256((const __m256i *)u[b].q[3]),
                             _mm256_loadu_ps(u[b].scl), _mm_loadu_ps(u[b].mn), xt + b, &a, &o);
        st[t].acc = a, st[t].off = o;
    }
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
            for (int t = 0; t < nt; t++) CK_FN(store4)(y + (size_t)(t0 + t) * ldy + r, st[t].acc, st[t].off, g.nrows);
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
