// 256-bit AVX2 versions of the per-token float kernels softmax, SwiGLU and RMSNorm (the 512-bit
// ones are in ck_vec512.c). Without them an AVX2 machine ran Swift loops with a libm expf per
// element: ~5% of decode's CPU time on SmolLM2, all of it serial. Tails of n % 8 use masked
// loads and stores, so any n works. ckernels.c uses these at ISA level 1-2.
#if defined(__x86_64__)
#include <immintrin.h>
#include "ck_internal.h"

#pragma clang attribute push(__attribute__((target("arch=haswell"))), apply_to = function)

// Lanes i < left all ones (for maskload/maskstore).
static inline __m256i ck256_mask(int left) {
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(left), idx);
}

static inline float ck256_hmax(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    return _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
}

static inline float ck256_hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

// e^x as ck512_exp (Cephes polynomial on r = x - k ln2), with 2^k built in the exponent field.
// x is clamped to [-87, 88] so k stays in the normal range: below -87 the result is ~1e-38
// instead of 0 (softmax and SiLU only add it to or divide it into numbers near 1).
static inline __m256 ck256_exp(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
    const __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 y = _mm256_set1_ps(1.9875691500e-4f);
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.3981999507e-3f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.3334519073e-3f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.1665795894e-2f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.6666665459e-1f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.0000001201e-1f));
    y = _mm256_fmadd_ps(y, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(e));
}

// In place: x = e^(x - max) / sum.
void ck256_softmax(float *x, int n) {
    __m256 mx = _mm256_set1_ps(-__builtin_inff());
    int i = 0;
    for (; i + 8 <= n; i += 8) mx = _mm256_max_ps(mx, _mm256_loadu_ps(x + i));
    float vmax = ck256_hmax(mx);
    for (int j = i; j < n; j++) vmax = x[j] > vmax ? x[j] : vmax;
    const __m256 vm = _mm256_set1_ps(vmax);
    __m256 sum = _mm256_setzero_ps();
    for (i = 0; i + 8 <= n; i += 8) {
        const __m256 e = ck256_exp(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm));
        sum = _mm256_add_ps(sum, e);
        _mm256_storeu_ps(x + i, e);
    }
    if (i < n) {
        const __m256i m = ck256_mask(n - i);
        const __m256 e = _mm256_and_ps(ck256_exp(_mm256_sub_ps(_mm256_maskload_ps(x + i, m), vm)), _mm256_castsi256_ps(m));
        sum = _mm256_add_ps(sum, e);
        _mm256_maskstore_ps(x + i, m, e);
    }
    const __m256 inv = _mm256_set1_ps(1.0f / ck256_hsum(sum));
    for (i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inv));
    for (; i < n; i++) x[i] *= _mm256_cvtss_f32(inv);
}

// gate[i] = gate[i] / (1 + e^-gate[i]) * up[i] (SiLU(gate) * up, same operation order as Swift).
void ck256_swiglu(float *gate, const float *up, int n) {
    const __m256 one = _mm256_set1_ps(1.0f);
    for (int i = 0; i < n; i += 8) {
        const __m256i m = ck256_mask(n - i);
        const __m256 g = _mm256_maskload_ps(gate + i, m);
        const __m256 s = _mm256_div_ps(g, _mm256_add_ps(one, ck256_exp(_mm256_sub_ps(_mm256_setzero_ps(), g))));
        _mm256_maskstore_ps(gate + i, m, _mm256_mul_ps(s, _mm256_maskload_ps(up + i, m)));
    }
}

// gate[i] = gelu_tanh(gate[i]) * up[i]: 0.5 v (1 + tanh(u)) = v / (1 + e^(-2u)),
// u = sqrt(2/pi) (v + 0.044715 v^3). Gemma's FFN; a libm tanhf per element was ~14% of its prefill.
void ck256_geglu_tanh(float *gate, const float *up, int n) {
    const __m256 one = _mm256_set1_ps(1.0f), m2k = _mm256_set1_ps(-2.0f * 0.7978845608f), c = _mm256_set1_ps(0.044715f);
    for (int i = 0; i < n; i += 8) {
        const __m256i m = ck256_mask(n - i);
        const __m256 v = _mm256_maskload_ps(gate + i, m);
        const __m256 u = _mm256_mul_ps(m2k, _mm256_fmadd_ps(_mm256_mul_ps(c, v), _mm256_mul_ps(v, v), v));
        const __m256 g = _mm256_div_ps(v, _mm256_add_ps(one, ck256_exp(u)));
        _mm256_maskstore_ps(gate + i, m, _mm256_mul_ps(g, _mm256_maskload_ps(up + i, m)));
    }
}

// out = x * (1 / sqrt(mean(x^2) + eps)) * weight; the sum of squares in double, as ggml does.
// out may alias x (each element is read before it is written).
void ck256_rms_norm(const float *x, const float *weight, int n, float eps, float *out) {
    __m256d s0 = _mm256_setzero_pd(), s1 = s0;
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v)), hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
        s0 = _mm256_fmadd_pd(lo, lo, s0);
        s1 = _mm256_fmadd_pd(hi, hi, s1);
    }
    const __m256d s = _mm256_add_pd(s0, s1);
    __m128d h = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
    double sum = _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
    for (int j = i; j < n; j++) sum += (double)x[j] * (double)x[j];
    const float scale = (float)(1.0 / __builtin_sqrt(sum / (double)n + (double)eps));
    const __m256 vs = _mm256_set1_ps(scale);
    for (i = 0; i + 8 <= n; i += 8)
        _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), vs), _mm256_loadu_ps(weight + i)));
    for (; i < n; i++) out[i] = (x[i] * scale) * weight[i];
}

#pragma clang attribute pop
#endif
