/* g := series of the softmax cross-entropy in one perturbation (see xent_jet.h). */
#include "xent_jet.h"
#include "common/threads.h"

/* One float type: the chain is evaluated in float64 whatever the net's dtype,
 * because the series' coefficients shrink like δ^m and must keep their digits. */
#define FN_DTYPE_F64
#include "common/dtype_begin.h"
#include "xent_jet_impl.h"
#include "common/dtype_end.h"
