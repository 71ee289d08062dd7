/* Dropout's mask multiply (see elementwise.h for the contract), once per float type. */
#include <stdint.h>

#include "elementwise.h"

#define real float
#define FN(x) x##_f32
#include "mask_impl.h"
#undef real
#undef FN

#define real double
#define FN(x) x##_f64
#include "mask_impl.h"
#undef real
#undef FN
