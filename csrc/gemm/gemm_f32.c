/* Every GEMM rung for float32: the bodies in *_impl.h, with the types and
 * block sizes of dtype_f32.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/fast_exp.h"
#include "gemm.h"
#include "common/threads.h"

#include "dtype_f32.h"
#include "ladder_impl.h"
#include "dtype_end.h"
