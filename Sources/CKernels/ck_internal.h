#ifndef KVSERVE_CK_INTERNAL_H
#define KVSERVE_CK_INTERNAL_H
#include "ckernels.h"

typedef void (*ck_qmm_fn)(const uint8_t *w, size_t rb, const ck_q8_block *x, int nb, int ntok,
                          float *y, size_t ldy, int r0, int r1);
typedef void (*ck_fmm_fn)(const uint8_t *w, size_t rb, int cols, const float *x, int ntok,
                          float *y, size_t ldy, int r0, int r1);

// One ISA variant's kernels.
typedef struct {
    void (*quantize)(const float *x, ck_q8_block *out, int nb);
    ck_qmm_fn q4_0, q4_1, q8_0, q5_0, q5_1, q4_K, q5_K, q6_K;
    ck_fmm_fn f32, f16;
    void (*dot_rows)(const float *q, const float *k, size_t stride, int count, int n, float scale, float *out);
    void (*axpy_rows)(const float *w, const float *v, size_t stride, int count, int n, float *out);
} ck_table;

#if defined(__x86_64__)
extern const ck_table ck_table_avx2;
extern const ck_table ck_table_avxvnni;
extern const ck_table ck_table_avx512vnni;
extern const ck_table ck_table_spr;

// 512-bit float kernels (ck_vec512.c), used at level >= 3 when the CPU has AVX512F/BW/DQ/VL.
void ck512_dot_rows(const float *q, const float *k, size_t stride, int count, int n, float scale, float *out);
void ck512_axpy_rows(const float *w, const float *v, size_t stride, int count, int n, float *out);
void ck512_softmax(float *x, int n);
void ck512_swiglu(float *gate, const float *up, int n);
void ck512_geglu_tanh(float *gate, const float *up, int n);
void ck512_rms_norm(const float *x, const float *weight, int n, float eps, float *out);

// 256-bit float kernels (ck_vec256.c), used at levels 1-2 (AVX2 without the 512-bit ones).
void ck256_softmax(float *x, int n);
void ck256_swiglu(float *gate, const float *up, int n);
void ck256_geglu_tanh(float *gate, const float *up, int n);
void ck256_rms_norm(const float *x, const float *weight, int n, float eps, float *out);
#endif

#endif
