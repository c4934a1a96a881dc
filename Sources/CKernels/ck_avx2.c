// avx2 variant of the kernels (arch=haswell): maddubs (u8 x s8 -> pairs of i16; no saturation: 2*128*127 < 32767) then madd with 1s.
#if defined(__x86_64__)
#include <immintrin.h>
#include "ck_internal.h"

#pragma clang attribute push(__attribute__((target("arch=haswell"))), apply_to = function)
#define CK_SUFFIX avx2
#define CK_DPBUSD(u, s) _mm256_madd_epi16(_mm256_maddubs_epi16((u), (s)), _mm256_set1_epi16(1))
#include "ck_impl.h"
#pragma clang attribute pop

#endif
