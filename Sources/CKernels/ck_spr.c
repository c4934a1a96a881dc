// spr variant of the kernels (arch=sapphirerapids): AVX512-VNNI vpdpbusd on 256-bit registers (faster here than 512-bit, kernel-notes.md).
#if defined(__x86_64__)
#include <immintrin.h>
#include "ck_internal.h"

#pragma clang attribute push(__attribute__((target("arch=sapphirerapids"))), apply_to = function)
#define CK_SUFFIX spr
#define CK_DPBUSD(u, s) _mm256_dpbusd_epi32(_mm256_setzero_si256(), (u), (s))
#define CK_DPBUSD_ACC(acc, u, s) _mm256_dpbusd_epi32((acc), (u), (s))
#include "ck_impl.h"
#pragma clang attribute pop

#endif
