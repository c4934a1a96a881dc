#ifndef KVSERVE_CK_ATTENTION_H
#define KVSERVE_CK_ATTENTION_H
#include <stddef.h>
#include <stdint.h>

// KV cache rows in three element formats, read by the attention loops directly (no whole-cache
// conversion). Format numbers are ggml's type numbers:
//   CK_KV_F32   n floats
//   CK_KV_F16   n IEEE halves (round to nearest even)
//   CK_KV_Q8_0  n/32 blocks of {half d; int8 qs[32]} (34 bytes, ggml's block_q8_0), x ~= d * qs
// Every function returns 0 when no SIMD variant applies (ck_isa() == 0 or an unknown format);
// the Swift side then runs its portable version, which is also the test oracle.
enum { CK_KV_F32 = 0, CK_KV_F16 = 1, CK_KV_Q8_0 = 8 };

// row = x[0..<n] in format fmt (n % 32 == 0 for q8_0).
int ck_kv_store(int fmt, const float *x, void *row, int n);
// x[0..<n] = row decoded to floats.
int ck_kv_load(int fmt, const void *row, float *x, int n);

// out[p] = scale * dot(q, K row p) for p < count. Row p's n elements start at k + p * row_bytes.
int ck_kv_dot_rows(int fmt, const float *q, const void *k, size_t row_bytes, int count, int n, float scale,
                   float *out);
// out[i] += sum over p < count of w[p] * V row p element i, for i < n.
int ck_kv_axpy_rows(int fmt, const float *w, const void *v, size_t row_bytes, int count, int n, float *out);

// The same for the `heads` query heads of a grouped-query attention group, which share the
// rows: head j's query at q + j * q_stride, its scores at out + j * out_stride (dot), its
// weights at w + j * w_stride and its output at out + j * out_stride (axpy). Each row is
// decoded once for all heads.
int ck_kv_group_dot_rows(int fmt, const float *q, size_t q_stride, int heads, const void *k, size_t row_bytes,
                         int count, int n, float scale, float *out, size_t out_stride);
int ck_kv_group_axpy_rows(int fmt, const float *w, size_t w_stride, int heads, const void *v, size_t row_bytes,
                          int count, int n, float *out, size_t out_stride);

#endif
