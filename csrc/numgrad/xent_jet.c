/* g := series of the softmax cross-entropy in one perturbation (see xent_jet.h). */
#include "xent_jet.h"
#include "threads.h"

/* One float type: the chain is evaluated in float64 whatever the net's dtype,
 * because the series' coefficients shrink like δ^m and must keep their digits. */
#define FN(x) x##_f64
#include "xent_jet_impl.h"
#undef FN
