/* Every GEMM rung for float64: the bodies in *_impl.h (ladder_impl.h lists
 * them), with the block sizes of tile.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/fast_exp.h"
#include "gemm.h"
#include "common/threads.h"

#define FN_DTYPE_F64
#include "common/dtype_begin.h"
#include "tile.h"
#include "ladder_impl.h"
#include "tile_end.h"
#include "common/dtype_end.h"
