// Streaming read for the memory-bandwidth probe (Kernels.readBandwidth): the machine's ceiling
// for decode, which reads every weight once per token. Loads only, four independent chains so
// the loop is bound by memory, not by the xor latency.
#include "ckernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2"))) static uint64_t ck_stream_read_avx2(const uint8_t *p, size_t bytes) {
    __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
    size_t i = 0;
    for (; i + 128 <= bytes; i += 128) {
        a = _mm256_xor_si256(a, _mm256_loadu_si256((const __m256i *)(p + i)));
        b = _mm256_xor_si256(b, _mm256_loadu_si256((const __m256i *)(p + i + 32)));
        c = _mm256_xor_si256(c, _mm256_loadu_si256((const __m256i *)(p + i + 64)));
        d = _mm256_xor_si256(d, _mm256_loadu_si256((const __m256i *)(p + i + 96)));
    }
    const __m256i s = _mm256_xor_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(c, d));
    uint64_t r = (uint64_t)_mm256_extract_epi64(s, 0) ^ (uint64_t)_mm256_extract_epi64(s, 3);
    for (; i < bytes; i++) r ^= p[i];
    return r;
}
#endif

uint64_t ck_stream_read(const void *data, size_t bytes) {
    const uint8_t *p = (const uint8_t *)data;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) return ck_stream_read_avx2(p, bytes);
#endif
    uint64_t a = 0, b = 0, c = 0, d = 0, w[4];
    size_t i = 0;
    for (; i + 32 <= bytes; i += 32) {
        __builtin_memcpy(w, p + i, 32);
        a ^= w[0];
        b ^= w[1];
        c ^= w[2];
        d ^= w[3];
    }
    for (; i < bytes; i++) a ^= p[i];
    return a ^ b ^ c ^ d;
}
