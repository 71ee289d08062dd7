/* The whole ladder for one dtype, in reading order (see gemm.h). Included by
 * gemm_f32.c and gemm_f64.c inside a dtype instantiation, after tile.h. */
#include "naive_impl.h"
#include "reordered_impl.h"
#include "blocked_impl.h"
#include "pack_impl.h"
#include "kernel_portable_impl.h"
#include "epilogue_impl.h"
#include "code_choice_impl.h"
#include "packed_impl.h"
