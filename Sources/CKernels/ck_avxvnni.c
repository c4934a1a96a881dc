// avxvnni variant of the kernels (arch=alderlake): AVX-VNNI vpdpbusd (VEX).
#if defined(__x86_64__)
#include <immintrin.h>
#include "ck_internal.h"

#pragma clang attribute push(__attribute__((target("arch=alderlake"))), apply_to = function)
#define CK_SUFFIX avxvnni
#define CK_DPBUSD(u, s) _mm256_dpbusd_avx_epi32(_mm256_setzero_si256(), (u), (s))
#define CK_DPBUSD_ACC(acc, u, s) _mm256_dpbusd_avx_epi32((acc), (u), (s))
#include "ck_impl.h"
#pragma clang attribute pop

#endif
