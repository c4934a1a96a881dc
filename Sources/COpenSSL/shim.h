#ifndef KVSERVE_COPENSSL_SHIM_H
#define KVSERVE_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>

/* Function-like macros do not import into Swift; these wrap the ones kvserve uses. */

static inline int kvserve_ssl_ctx_set_min_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

/* Partial writes and a moving buffer let a non-blocking writer retry with what is left. */
static inline long kvserve_ssl_ctx_set_nonblocking_modes(SSL_CTX *ctx) {
    return SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

#endif
