#ifndef KVSERVE_CKERNELS_H
#define KVSERVE_CKERNELS_H
#include <stddef.h>
#include <stdint.h>
#endif
