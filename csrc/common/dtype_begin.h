/* The one way to instantiate a body (an *_impl.h) for one element type.
 *
 * Define FN_DTYPE_F32 or FN_DTYPE_F64 (and, for a SIMD build, FN_ISA to a
 * suffix such as avx2), include this file, the body, then dtype_end.h. The
 * body is written with `real` for the element type (`same_int` for an integer
 * as wide) and FN(name) for every
 * name it defines, which becomes name_f32 / name_f64, or name_f32_avx2 with
 * FN_ISA: the naming rule fn_<op>_<dtype>[_<isa>]. common/dtype_both.h
 * does this for float32 and float64 in turn, the usual case.
 */
#include <stdint.h>

#if defined(FN_DTYPE_F32)
#define real float
#define same_int int32_t /* an integer as wide as real (for bit tricks) */
#define FN_DTYPE_SUFFIX f32
#elif defined(FN_DTYPE_F64)
#define real double
#define same_int int64_t
#define FN_DTYPE_SUFFIX f64
#else
#error "define FN_DTYPE_F32 or FN_DTYPE_F64 before including common/dtype_begin.h"
#endif

#define FN_GLUE3(name, dtype, isa) name##_##dtype##_##isa
#define FN_GLUE2(name, dtype) name##_##dtype
#define FN_EXPAND3(name, dtype, isa) FN_GLUE3(name, dtype, isa)
#define FN_EXPAND2(name, dtype) FN_GLUE2(name, dtype)
#ifdef FN_ISA
#define FN(name) FN_EXPAND3(name, FN_DTYPE_SUFFIX, FN_ISA)
#else
#define FN(name) FN_EXPAND2(name, FN_DTYPE_SUFFIX)
#endif

/* The name of another build of the same type: FN_AT(fn_softmax_row, avx2) is
 * fn_softmax_row_f32_avx2 in the float32 instantiation. */
#define FN_AT(name, isa) FN_EXPAND3(name, FN_DTYPE_SUFFIX, isa)
