// 512-bit AVX-512 versions of the per-token float kernels: the attention inner loops (scores,
// weighted sum of values), softmax, SwiGLU and RMSNorm. ck_impl.h holds 256-bit code shared
// with AVX2, so these live apart; ckernels.c uses them at ISA level >= 3 when the CPU has
// AVX512F/BW/DQ/VL. Tails of n % 16 use masked loads/stores, so any n works.
#if defined(__x86_64__)
#include <immintrin.h>
#include "ck_internal.h"

#pragma clang attribute push(__attribute__((target("arch=skylake-avx512"))), apply_to = function)

static inline __mmask16 ck512_mask(int left) { return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1); }

// Horizontal sums of 4 row accumulators -> [sa sb sc sd]. (L = 128-bit lane.)
static inline __m128 ck512_hsum4(__m512 a, __m512 b, __m512 c, __m512 d) {
    // ab = [a.L0+a.L2, a.L1+a.L3, b.L0+b.L2, b.L1+b.L3], cd likewise.
    const __m512 ab = _mm512_add_ps(_mm512_shuffle_f32x4(a, b, 0x44), _mm512_shuffle_f32x4(a, b, 0xEE));
    const __m512 cd = _mm512_add_ps(_mm512_shuffle_f32x4(c, d, 0x44), _mm512_shuffle_f32x4(c, d, 0xEE));
    // Lane i now holds 4 partial sums of row i (a, b, c, d).
    __m512 u = _mm512_add_ps(_mm512_shuffle_f32x4(ab, cd, 0x88), _mm512_shuffle_f32x4(ab, cd, 0xDD));
    u = _mm512_add_ps(u, _mm512_permute_ps(u, 0x4E));
    u = _mm512_add_ps(u, _mm512_permute_ps(u, 0xB1));
    // Every element of lane i is row i's sum: take elements 0, 4, 8, 12.
    const __m512i pick = _mm512_setr_epi32(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    return _mm512_castps512_ps128(_mm512_permutexvar_ps(pick, u));
}

// out[p] = scale * dot(q, k + p*stride), p < count, n floats each. Four rows per pass share
// one combined reduction (a reduction per row is what made the plain loop slow). For the usual
// head size 64, q stays in 4 registers: the loop is then bound by the K loads alone.
#ifndef CK512_PF
#define CK512_PF 16  // rows ahead; ~10% on decode attention over a cache in DRAM (shared-machine microbenchmark)
#endif
static inline void ck512_dot4_64(const __m512 *qv, const float *k0, size_t stride, __m128 vs, float *out) {
    const float *k1 = k0 + stride, *k2 = k1 + stride, *k3 = k2 + stride;
    if (CK512_PF) {
        for (int r = 0; r < 4; r++)
            for (int l = 0; l < 4; l++) _mm_prefetch((const char *)(k0 + (CK512_PF + r) * stride + 16 * l), _MM_HINT_T0);
    }
    __m512 a0 = _mm512_mul_ps(qv[0], _mm512_loadu_ps(k0)), a1 = _mm512_mul_ps(qv[0], _mm512_loadu_ps(k1));
    __m512 a2 = _mm512_mul_ps(qv[0], _mm512_loadu_ps(k2)), a3 = _mm512_mul_ps(qv[0], _mm512_loadu_ps(k3));
    for (int j = 1; j < 4; j++) {
        a0 = _mm512_fmadd_ps(qv[j], _mm512_loadu_ps(k0 + 16 * j), a0);
        a1 = _mm512_fmadd_ps(qv[j], _mm512_loadu_ps(k1 + 16 * j), a1);
        a2 = _mm512_fmadd_ps(qv[j], _mm512_loadu_ps(k2 + 16 * j), a2);
        a3 = _mm512_fmadd_ps(qv[j], _mm512_loadu_ps(k3 + 16 * j), a3);
    }
    _mm_storeu_ps(out, _mm_mul_ps(ck512_hsum4(a0, a1, a2, a3), vs));
}

static inline __m512 ck512_dot_acc(const float *q, const float *kp, int n) {
    __m512 a = _mm512_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) a = _mm512_fmadd_ps(_mm512_loadu_ps(q + i), _mm512_loadu_ps(kp + i), a);
    if (i < n) {
        const __mmask16 m = ck512_mask(n - i);
        a = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q + i), _mm512_maskz_loadu_ps(m, kp + i), a);
    }
    return a;
}

void ck512_dot_rows(const float *q, const float *k, size_t stride, int count, int n, float scale, float *out) {
    const __m128 vs = _mm_set1_ps(scale);
    int p = 0;
    if (n == 64) {
        const __m512 qv[4] = {_mm512_loadu_ps(q), _mm512_loadu_ps(q + 16), _mm512_loadu_ps(q + 32),
                              _mm512_loadu_ps(q + 48)};
        for (; p + 4 <= count; p += 4) ck512_dot4_64(qv, k + (size_t)p * stride, stride, vs, out + p);
    }
    for (; p + 4 <= count; p += 4) {
        const float *k0 = k + (size_t)p * stride;
        _mm_storeu_ps(out + p, _mm_mul_ps(ck512_hsum4(ck512_dot_acc(q, k0, n), ck512_dot_acc(q, k0 + stride, n),
                                                      ck512_dot_acc(q, k0 + 2 * stride, n),
                                                      ck512_dot_acc(q, k0 + 3 * stride, n)), vs));
    }
    for (; p < count; p++) out[p] = _mm512_reduce_add_ps(ck512_dot_acc(q, k + (size_t)p * stride, n)) * scale;
}

// out[0..<n] += sum_p w[p] * v[p*stride ..< +n]. 64 outputs (4 registers, one head of 64)
// stay in registers across all rows; 4 independent FMA chains cover the FMA latency.
void ck512_axpy_rows(const float *w, const float *v, size_t stride, int count, int n, float *out) {
    int i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512 a0 = _mm512_loadu_ps(out + i), a1 = _mm512_loadu_ps(out + i + 16);
        __m512 a2 = _mm512_loadu_ps(out + i + 32), a3 = _mm512_loadu_ps(out + i + 48);
        for (int p = 0; p < count; p++) {
            const __m512 wp = _mm512_set1_ps(w[p]);
            const float *vp = v + (size_t)p * stride + i;
            if (CK512_PF)
                for (int l = 0; l < 4; l++) _mm_prefetch((const char *)(vp + CK512_PF * stride + 16 * l), _MM_HINT_T0);
            a0 = _mm512_fmadd_ps(wp, _mm512_loadu_ps(vp), a0);
            a1 = _mm512_fmadd_ps(wp, _mm512_loadu_ps(vp + 16), a1);
            a2 = _mm512_fmadd_ps(wp, _mm512_loadu_ps(vp + 32), a2);
            a3 = _mm512_fmadd_ps(wp, _mm512_loadu_ps(vp + 48), a3);
        }
        _mm512_storeu_ps(out + i, a0);
        _mm512_storeu_ps(out + i + 16, a1);
        _mm512_storeu_ps(out + i + 32, a2);
        _mm512_storeu_ps(out + i + 48, a3);
    }
    for (; i < n; i += 16) {
        const __mmask16 m = ck512_mask(n - i);
        __m512 a = _mm512_maskz_loadu_ps(m, out + i);
        for (int p = 0; p < count; p++)
            a = _mm512_fmadd_ps(_mm512_set1_ps(w[p]), _mm512_maskz_loadu_ps(m, v + (size_t)p * stride + i), a);
        _mm512_mask_storeu_ps(out + i, m, a);
    }
}

// e^x: k = round(x / ln2), r = x - k*ln2 (ln2 split in two for precision), e^r by the Cephes
// expf polynomial (|rel err| ~1e-7 on |r| <= ln2/2), times 2^k via scalef, which also
// underflows to 0 and overflows to inf correctly. Clamping keeps k finite.
static inline __m512 ck512_exp(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-104.0f)), _mm512_set1_ps(89.0f));
    const __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(k, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 y = _mm512_set1_ps(1.9875691500e-4f);
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.3981999507e-3f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(8.3334519073e-3f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(4.1665795894e-2f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.6666665459e-1f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(5.0000001201e-1f));
    y = _mm512_fmadd_ps(y, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(y, k);
}

// In place: x = e^(x - max) / sum.
void ck512_softmax(float *x, int n) {
    __m512 mx = _mm512_set1_ps(-__builtin_inff());
    for (int i = 0; i < n; i += 16)
        mx = _mm512_max_ps(mx, _mm512_mask_loadu_ps(mx, ck512_mask(n - i), x + i));
    const __m512 vmax = _mm512_set1_ps(_mm512_reduce_max_ps(mx));
    __m512 sum = _mm512_setzero_ps();
    for (int i = 0; i < n; i += 16) {
        const __mmask16 m = ck512_mask(n - i);
        const __m512 e = ck512_exp(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), vmax));
        sum = _mm512_mask_add_ps(sum, m, sum, e);
        _mm512_mask_storeu_ps(x + i, m, e);
    }
    const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
    for (int i = 0; i < n; i += 16) {
        const __mmask16 m = ck512_mask(n - i);
        _mm512_mask_storeu_ps(x + i, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + i), inv));
    }
}

// gate[i] = gate[i] / (1 + e^-gate[i]) * up[i] (SiLU(gate) * up, same operation order as Swift).
void ck512_swiglu(float *gate, const float *up, int n) {
    const __m512 one = _mm512_set1_ps(1.0f);
    for (int i = 0; i < n; i += 16) {
        const __mmask16 m = ck512_mask(n - i);
        const __m512 g = _mm512_maskz_loadu_ps(m, gate + i);
        const __m512 e = ck512_exp(_mm512_sub_ps(_mm512_setzero_ps(), g));
        const __m512 s = _mm512_div_ps(g, _mm512_add_ps(one, e));
        _mm512_mask_storeu_ps(gate + i, m, _mm512_mul_ps(s, _mm512_maskz_loadu_ps(m, up + i)));
    }
}

// gate[i] = gelu_tanh(gate[i]) * up[i], as ck256_geglu_tanh.
void ck512_geglu_tanh(float *gate, const float *up, int n) {
    const __m512 one = _mm512_set1_ps(1.0f), m2k = _mm512_set1_ps(-2.0f * 0.7978845608f), c = _mm512_set1_ps(0.044715f);
    for (int i = 0; i < n; i += 16) {
        const __mmask16 m = ck512_mask(n - i);
        const __m512 v = _mm512_maskz_loadu_ps(m, gate + i);
        const __m512 u = _mm512_mul_ps(m2k, _mm512_fmadd_ps(_mm512_mul_ps(c, v), _mm512_mul_ps(v, v), v));
        const __m512 g = _mm512_div_ps(v, _mm512_add_ps(one, ck512_exp(u)));
        _mm512_mask_storeu_ps(gate + i, m, _mm512_mul_ps(g, _mm512_maskz_loadu_ps(m, up + i)));
    }
}

// out = x * (1 / sqrt(mean(x^2) + eps)) * weight; the sum of squares in double, as ggml does.
// out may alias x (each element is read before it is written).
void ck512_rms_norm(const float *x, const float *weight, int n, float eps, float *out) {
    __m512d s0 = _mm512_setzero_pd(), s1 = s0;
    for (int i = 0; i < n; i += 16) {
        const __m512 v = _mm512_maskz_loadu_ps(ck512_mask(n - i), x + i);
        const __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
        const __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
        s0 = _mm512_fmadd_pd(lo, lo, s0);
        s1 = _mm512_fmadd_pd(hi, hi, s1);
    }
    const double sum = _mm512_reduce_add_pd(_mm512_add_pd(s0, s1));
    const __m128d ms = _mm_set_sd(sum / (double)n + (double)eps);
    const __m512 scale = _mm512_set1_ps((float)(1.0 / _mm_cvtsd_f64(_mm_sqrt_sd(ms, ms))));
    for (int i = 0; i < n; i += 16) {
        const __mmask16 m = ck512_mask(n - i);
        const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + i), scale);
        _mm512_mask_storeu_ps(out + i, m, _mm512_mul_ps(v, _mm512_maskz_loadu_ps(m, weight + i)));
    }
}

#pragma clang attribute pop
#endif
