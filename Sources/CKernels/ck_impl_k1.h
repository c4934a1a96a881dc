// K-quant decode path (1-2 tokens; included by ck_impl_k.h): one row at a time, each super-block
// unpacked into registers and used at once. With so few tokens the buffered 4-row path spends
// most of its time writing and transposing the unpacked blocks; here the 8 block dots of a row
// reduce into one vector (lane j = block j) that meets the 8 block scales as a vector, against
// the activation scales and sums gathered out of the blocks once per call.

#define CK_K1_TOKENS 2
#define CK_K1_MAXNB 640 // activation blocks per row (20480 columns); longer rows take the 4-row path

// One token's activation block scales dx[b], sums s[b] (d * sum q), and for Q6_K the sums of each
// 16-element half times 32 in the order its dots come out: per 4 blocks, [first halves | second halves].
typedef struct {
    float dx[CK_K1_MAXNB];
    float s[CK_K1_MAXNB];
    int32_t h32[2 * CK_K1_MAXNB];
} ck_k1x;

CK_AI void CK_FN(k1_gather)(const ck_q8_block *x, int nb, ck_k1x *a, const int halves) {
    for (int b = 0; b < nb; b++) {
        a->dx[b] = x[b].d;
        a->s[b] = x[b].s;
        if (!halves) continue;
        // 32 * the sums of 4 bytes, then of 16 (hadd per 128-bit lane): lane 0 first half, lane 4 second.
        __m256i v = CK_DPBUSD(_mm256_set1_epi8(32), _mm256_loadu_si256((const __m256i *)x[b].qs));
        v = _mm256_hadd_epi32(v, v);
        v = _mm256_hadd_epi32(v, v);
        a->h32[8 * (b / 4) + b % 4] = _mm256_extract_epi32(v, 0);
        a->h32[8 * (b / 4) + 4 + b % 4] = _mm256_extract_epi32(v, 4);
    }
}

// 8 integer dots (block j of q with activation block j) reduced per 128-bit lane:
// [j0a j1a j2a j3a | j0b j1b j2b j3b] for j = first..first+3, a/b = elements 0-15 / 16-31.
CK_AI __m256i CK_FN(k1_dot4)(const __m256i *q, const ck_q8_block *x) {
    const __m256i p0 = CK_DPBUSD(q[0], _mm256_loadu_si256((const __m256i *)x[0].qs));
    const __m256i p1 = CK_DPBUSD(q[1], _mm256_loadu_si256((const __m256i *)x[1].qs));
    const __m256i p2 = CK_DPBUSD(q[2], _mm256_loadu_si256((const __m256i *)x[2].qs));
    const __m256i p3 = CK_DPBUSD(q[3], _mm256_loadu_si256((const __m256i *)x[3].qs));
    return _mm256_hadd_epi32(_mm256_hadd_epi32(p0, p1), _mm256_hadd_epi32(p2, p3));
}

// Lane j = whole integer dot of block j (j < 8), as float.
CK_AI __m256 CK_FN(k1_dot8)(const __m256i q[8], const ck_q8_block *x) {
    const __m256i a = CK_FN(k1_dot4)(q, x), b = CK_FN(k1_dot4)(q + 4, x + 4);
    return _mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_permute2x128_si256(a, b, 0x20),
                                               _mm256_permute2x128_si256(a, b, 0x31)));
}

// One Q4_K/Q5_K super-block of one row -> 8 blocks of unsigned quants, lane j: d*sc_j, -dmin*m_j.
CK_AI void CK_FN(k1_q45_K)(const uint8_t *blk, __m256i q[8], __m256 *scl, __m256 *mn, const int five) {
    uint8_t sc[8], m[8];
    uint64_t sc8, m8;
    CK_FN(scales_k)(blk + 4, sc, m);
    memcpy(&sc8, sc, 8);
    memcpy(&m8, m, 8);
    *scl = CK_FN(bytes8u)(sc8, CK_FN(half)(blk));
    *mn = CK_FN(bytes8u)(m8, -CK_FN(half)(blk + 2));
    const __m256i low4 = _mm256_set1_epi8(0x0F), bit4 = _mm256_set1_epi8(0x10);
    const uint8_t *qs = blk + (five ? 48 : 16);
    // q5_K: bits 0 and 1 of qh (shifted down 2 per pair) become bit 4 of the pair's two blocks.
    __m256i qh = five ? _mm256_loadu_si256((const __m256i *)(blk + 16)) : _mm256_setzero_si256();
    for (int p = 0; p < 4; p++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(qs + 32 * p));
        q[2 * p] = _mm256_and_si256(v, low4);
        q[2 * p + 1] = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
        if (five) {
            q[2 * p] = _mm256_or_si256(q[2 * p], _mm256_and_si256(_mm256_slli_epi16(qh, 4), bit4));
            q[2 * p + 1] = _mm256_or_si256(q[2 * p + 1], _mm256_and_si256(_mm256_slli_epi16(qh, 3), bit4));
            qh = _mm256_srli_epi16(qh, 2);
        }
    }
}

// One Q6_K super-block of one row -> 8 blocks of unsigned quants (zero point 32) and the 16 half
// scales d*scales[h] in the order k1_dot4 yields the halves: [0 2 4 6 1 3 5 7], [8 10 12 14 9 11 13 15].
CK_AI void CK_FN(k1_q6_K)(const uint8_t *blk, __m256i q[8], __m256 *scl_a, __m256 *scl_b) {
    const float d = CK_FN(half)(blk + 208);
    const __m128i order = _mm_setr_epi8(0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15);
    const __m128i sc = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blk + 192)), order);
    *scl_a = CK_FN(bytes8s)(sc, d);
    *scl_b = CK_FN(bytes8s)(_mm_srli_si128(sc, 8), d);
    const __m256i low4 = _mm256_set1_epi8(0x0F), bits45 = _mm256_set1_epi8(0x30);
    for (int h = 0; h < 2; h++) {
        const __m256i l0 = _mm256_loadu_si256((const __m256i *)(blk + 64 * h));
        const __m256i l1 = _mm256_loadu_si256((const __m256i *)(blk + 64 * h + 32));
        const __m256i qh = _mm256_loadu_si256((const __m256i *)(blk + 128 + 32 * h));
        q[4 * h] = _mm256_or_si256(_mm256_and_si256(l0, low4), _mm256_and_si256(_mm256_slli_epi16(qh, 4), bits45));
        q[4 * h + 1] = _mm256_or_si256(_mm256_and_si256(l1, low4), _mm256_and_si256(_mm256_slli_epi16(qh, 2), bits45));
        q[4 * h + 2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4), _mm256_and_si256(qh, bits45));
        q[4 * h + 3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4),
                                       _mm256_and_si256(_mm256_srli_epi16(qh, 2), bits45));
    }
}

// Rows [r0, r1) x ntok (<= CK_K1_TOKENS, a constant so the accumulators stay in registers)
// tokens, nb <= CK_K1_MAXNB. kind: 0 Q4_K, 1 Q5_K, 2 Q6_K. Prefetches row r + 8 at the pace of
// row r (rows are contiguous).
CK_AI void CK_FN(k1rows)(const uint8_t *w, size_t rb, const ck_q8_block *x, int nb, const int ntok, float *y,
                         size_t ldy, int r0, int r1, const int bb, const int kind) {
    ck_k1x ax[CK_K1_TOKENS];
    for (int t = 0; t < ntok; t++) CK_FN(k1_gather)(x + (size_t)t * nb, nb, &ax[t], kind == 2);
    const int nsb = nb / 8;
    const int pflines = (bb + 63) / 64;
    for (int r = r0; r < r1; r++) {
        const uint8_t *row = w + (size_t)r * rb, *pf = row + 8 * rb;
        __m256 acc[CK_K1_TOKENS] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
        for (int sb = 0; sb < nsb; sb++) {
            const size_t o = (size_t)sb * bb;
            for (int l = 0; l < pflines; l++) _mm_prefetch((const char *)(pf + o + 64 * l), _MM_HINT_T0);
            __m256i q[8];
            __m256 sa, sb_;
            if (kind == 2) CK_FN(k1_q6_K)(row + o, q, &sa, &sb_);
            else CK_FN(k1_q45_K)(row + o, q, &sa, &sb_, kind == 1);
            for (int t = 0; t < ntok; t++) {
                const ck_q8_block *xb = x + (size_t)t * nb + 8 * sb;
                const float *dx = ax[t].dx + 8 * sb;
                if (kind == 2) {
                    const int32_t *h = ax[t].h32 + 16 * sb;
                    const __m256i a = _mm256_sub_epi32(CK_FN(k1_dot4)(q, xb), _mm256_loadu_si256((const __m256i *)h));
                    const __m256i b = _mm256_sub_epi32(CK_FN(k1_dot4)(q + 4, xb + 4), _mm256_loadu_si256((const __m256i *)(h + 8)));
                    acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(a), _mm256_mul_ps(sa, _mm256_broadcast_ps((const __m128 *)dx)), acc[t]);
                    acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(b), _mm256_mul_ps(sb_, _mm256_broadcast_ps((const __m128 *)(dx + 4))), acc[t]);
                } else {
                    acc[t] = _mm256_fmadd_ps(CK_FN(k1_dot8)(q, xb), _mm256_mul_ps(sa, _mm256_loadu_ps(dx)), acc[t]);
                    acc[t] = _mm256_fmadd_ps(sb_, _mm256_loadu_ps(ax[t].s + 8 * sb), acc[t]);
                }
            }
        }
        for (int t = 0; t < ntok; t++) y[(size_t)t * ldy + r] = CK_FN(hsum)(acc[t]);
    }
}
