// Run-time choice of the kernel variant and the single entry point Swift calls.
#include "ck_internal.h"

static const ck_table *ck_active = 0;
static int ck_level = 0;
static int ck_best = -1;

static const char *const ck_names[] = {"swift", "avx2", "avx-vnni", "avx512-vnni", "sapphirerapids"};

static int ck_supported[5] = {1, 0, 0, 0, 0};
// The 512-bit float kernels (ck_vec512.c): CPU has them, and the selected level allows them.
static int ck_has512 = 0;
static int ck_use512 = 0;

// Fills ck_supported (the levels are not nested: e.g. Ice Lake has AVX512-VNNI but no
// AVX-VNNI) and returns the preferred level.
static int ck_detect(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")))
        return 0;
    ck_supported[1] = 1;
    ck_supported[2] = __builtin_cpu_supports("avxvnni");
    ck_supported[3] = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl") &&
                      __builtin_cpu_supports("avx512bw");
    ck_supported[4] = ck_supported[3] && __builtin_cpu_is("sapphirerapids");
    ck_has512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    for (int level = 4; level > 0; level--)
        if (ck_supported[level]) return level;
    return 0;
#else
    return 0;
#endif
}

static const ck_table *ck_table_for(int level) {
#if defined(__x86_64__)
    switch (level) {
    case 1: return &ck_table_avx2;
    case 2: return &ck_table_avxvnni;
    case 3: return &ck_table_avx512vnni;
    case 4: return &ck_table_spr;
    default: return 0;
    }
#else
    (void)level;
    return 0;
#endif
}

static void ck_init(void) {
    if (ck_best >= 0) return;
    ck_best = ck_detect();
    ck_level = ck_best;
    ck_active = ck_table_for(ck_level);
    ck_use512 = ck_has512 && ck_level >= 3;
}

// Detect once at load time, before any thread can call in; the lazy calls above stay as a guard.
__attribute__((constructor)) static void ck_init_at_load(void) { ck_init(); }

int ck_isa(void) {
    ck_init();
    return ck_level;
}

const char *ck_isa_name(void) {
    ck_init();
    return ck_names[ck_level];
}

int ck_set_isa(int level) {
    ck_init();
    if (level > ck_best) level = ck_best;
    while (level > 0 && !ck_supported[level]) level--;
    if (level < 0) level = 0;
    ck_level = level;
    ck_active = ck_table_for(level);
    ck_use512 = ck_has512 && ck_level >= 3;
    return ck_level;
}

void ck_quantize_q8(const float *x, ck_q8_block *out, int nb) {
    ck_init();
    if (ck_active) {
        ck_active->quantize(x, out, nb);
        return;
    }
    // Portable version of the same quantizer (round half to even like cvtps2dq).
    for (int b = 0; b < nb; b++) {
        const float *v = x + (size_t)b * 32;
        float amax = 0;
        for (int i = 0; i < 32; i++) {
            const float a = __builtin_fabsf(v[i]);
            if (a > amax) amax = a;
        }
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        int sum = 0;
        for (int i = 0; i < 32; i++) {
            const int q = (int)__builtin_rintf(v[i] * id);
            out[b].qs[i] = (int8_t)q;
            sum += q;
        }
        out[b].d = d;
        out[b].s = d * (float)sum;
    }
}

int ck_matmul(int fmt, const void *w, size_t row_bytes, int cols, const ck_q8_block *xq, const float *xf,
              int ntok, float *y, size_t ldy, int r0, int r1) {
    ck_init();
    if (!ck_active || r0 >= r1 || ntok <= 0) return ck_active != 0;
    const uint8_t *wb = (const uint8_t *)w;
    const int nb = cols / 32;
    switch (fmt) {
    case CK_Q4_0: ck_active->q4_0(wb, row_bytes, xq, nb, ntok, y, ldy, r0, r1); return 1;
    case CK_Q4_1: ck_active->q4_1(wb, row_bytes, xq, nb, ntok, y, ldy, r0, r1); return 1;
    case CK_Q8_0: ck_active->q8_0(wb, row_bytes, xq, nb, ntok, y, ldy, r0, r1); return 1;
    case CK_Q5_0: ck_active->q5_0(wb, row_bytes, xq, nb, ntok, y, ldy, r0, r1); return 1;
    case CK_Q5_1: ck_active->q5_1(wb, row_bytes, xq, nb, ntok, y, ldy, r0, r1); return 1;
    case CK_Q4_K: ck_active->q4_K(wb, row_bytes, xq, nb, ntok, y, ldy, r0, r1); return 1;
    case CK_Q5_K: ck_active->q5_K(wb, row_bytes, xq, nb, ntok, y, ldy, r0, r1); return 1;
    case CK_Q6_K: ck_active->q6_K(wb, row_bytes, xq, nb, ntok, y, ldy, r0, r1); return 1;
    case CK_F32: ck_active->f32(wb, row_bytes, cols, xf, ntok, y, ldy, r0, r1); return 1;
    case CK_F16: ck_active->f16(wb, row_bytes, cols, xf, ntok, y, ldy, r0, r1); return 1;
    default: return 0;
    }
}

int ck_has_kernel(int fmt) {
    ck_init();
    if (!ck_active) return 0;
    switch (fmt) {
    case CK_F32: case CK_F16: case CK_Q4_0: case CK_Q4_1: case CK_Q5_0: case CK_Q5_1: case CK_Q8_0:
    case CK_Q4_K: case CK_Q5_K: case CK_Q6_K: return 1;
    default: return 0;
    }
}

int ck_dot_rows(const float *q, const float *k, size_t stride, int count, int n, float scale, float *out) {
    ck_init();
#if defined(__x86_64__)
    if (ck_use512) {
        ck512_dot_rows(q, k, stride, count, n, scale, out);
        return 1;
    }
#endif
    if (!ck_active) return 0;
    ck_active->dot_rows(q, k, stride, count, n, scale, out);
    return 1;
}

int ck_axpy_rows(const float *w, const float *v, size_t stride, int count, int n, float *out) {
    ck_init();
#if defined(__x86_64__)
    if (ck_use512) {
        ck512_axpy_rows(w, v, stride, count, n, out);
        return 1;
    }
#endif
    if (!ck_active) return 0;
    ck_active->axpy_rows(w, v, stride, count, n, out);
    return 1;
}

// 512-bit kernels where allowed, else 256-bit ones at any x86 level, else 0 (Swift falls back).
#if defined(__x86_64__)
#define CK_FLOAT_KERNEL(NAME, ...)              \
    do {                                        \
        ck_init();                              \
        if (ck_use512) {                        \
            ck512_##NAME(__VA_ARGS__);          \
            return 1;                           \
        }                                       \
        if (!ck_active) return 0;               \
        ck256_##NAME(__VA_ARGS__);              \
        return 1;                               \
    } while (0)
#else
#define CK_FLOAT_KERNEL(NAME, ...) return 0
#endif

int ck_softmax(float *x, int n) {
    if (n <= 0) return 0;
    CK_FLOAT_KERNEL(softmax, x, n);
}

int ck_swiglu(float *gate, const float *up, int n) {
    if (n <= 0) return 0;
    CK_FLOAT_KERNEL(swiglu, gate, up, n);
}

int ck_geglu_tanh(float *gate, const float *up, int n) {
    if (n <= 0) return 0;
    CK_FLOAT_KERNEL(geglu_tanh, gate, up, n);
}

int ck_rms_norm(const float *x, const float *weight, int n, float eps, float *out) {
    if (n <= 0) return 0;
    CK_FLOAT_KERNEL(rms_norm, x, weight, n, eps, out);
}
