// K-quant kernels (256-element super-blocks, ggml-common.h block_q4_K / block_q5_K / block_q6_K);
// included by ck_impl.h, so it compiles once per ISA variant. Decode (1-2 tokens against the
// 32-element activation blocks) takes ck_impl_k1.h's per-row path; more tokens take
// ck_impl_k8.h's buffered 4-row path against 256-element activation blocks (ck_q8k_block).

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

// 8 bytes (unsigned or signed) -> 8 floats times f.
CK_AI __m256 CK_FN(bytes8u)(uint64_t b, float f) {
    return _mm256_mul_ps(_mm256_set1_ps(f), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)b))));
}
CK_AI __m256 CK_FN(bytes8s)(__m128i b, float f) {
    return _mm256_mul_ps(_mm256_set1_ps(f), _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b)));
}

#include "ck_impl_k1.h"
#include "ck_impl_k8.h"

// Decode (1-2 tokens, rows up to CK_K1_MAXNB blocks) one row at a time; anything else needs the
// 256-element activations (ck_matmul_q8k), so this returns 0 and ck_matmul says so.
#define CK_KMM(NAME, BB, KIND)                                                                  \
    static int CK_FN(NAME)(const uint8_t *w, size_t rb, const ck_q8_block *x, int nb, int ntok, float *y, \
                           size_t ldy, int r0, int r1) {                                        \
        if (nb > CK_K1_MAXNB || ntok > CK_K1_TOKENS) return 0;                                  \
        if (ntok == 1) CK_FN(k1rows)(w, rb, x, nb, 1, y, ldy, r0, r1, BB, KIND);                \
        else CK_FN(k1rows)(w, rb, x, nb, 2, y, ldy, r0, r1, BB, KIND);                          \
        return 1;                                                                               \
    }

CK_KMM(mm_q4_K, 144, 0)
CK_KMM(mm_q5_K, 176, 1)
CK_KMM(mm_q6_K, 210, 2)
