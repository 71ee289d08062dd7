/* Instantiates one body for float32, then for float64: the usual case of
 * common/dtype_begin.h, written once.
 *
 * Define FN_BODY to the body's path from csrc/ (e.g. "losses/losses_impl.h":
 * the include is made from this folder, so a bare file name is not found),
 * and FN_ISA for a SIMD build, then include this file. Both are undefined
 * here, so the next instantiation starts clean.
 */
#ifndef FN_BODY
#error "define FN_BODY (the body to instantiate) before including common/dtype_both.h"
#endif

#define FN_DTYPE_F32
#include "common/dtype_begin.h"
#include FN_BODY
#include "common/dtype_end.h"

#define FN_DTYPE_F64
#include "common/dtype_begin.h"
#include FN_BODY
#include "common/dtype_end.h"

#undef FN_BODY
#undef FN_ISA
