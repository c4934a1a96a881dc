#ifndef KVSERVE_COPENSSL_SHIM_H
#define KVSERVE_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#endif
