/* g := Taylor coefficients 1..d in δ of  -log(softmax(a + Δa(δ))[t] + 1e-7),
 *      Δa(δ) = Σ_{m=1..p} da_m δ^m  (one series per row and perturbed unit).
 *
 * The loss of one row as a function of one perturbation, expanded as a power
 * series: chapter 4's central difference (ℓ(δ) - ℓ(-δ)) / 2δ is then the odd
 * part of this series, with no two nearly equal losses subtracted.
 *
 *   y      (n, c)        softmax(a) of each row, C order, read
 *   labels (n,)          the target class of each row, in [0, c)
 *   da     (n, u, p, c)  coefficients 1..p of each unit's change of the logits, read
 *   out    (n, u, d)     coefficients 1..d of ℓ(δ) - ℓ(0), written
 *
 * 1 <= p <= d <= FN_JET_MAX_DEGREE. The NumPy reference is
 * fastnet.numgrad.reference.xent_jet; this version does the same recurrences
 * per (row, unit) in registers.
 *
 * affine_jet is the same for a perturbation of the last hidden layer's
 * pre-activation: unit j of row n moves by δ, its activation by
 * z(δ) = act(pre + δ) - act(pre), and the logits by Δa_k = z(δ)·w[j, k]:
 *
 *   pre (n, u)  the pre-activations, read;  w (u, c)  the weights to the logits, read
 *   activation  an fn_activation (common/vocabulary.h); relu's series is its
 *               slope, valid while pre + δ keeps pre's sign (the caller bounds δ)
 *
 * so da is never written out (fastnet.numgrad.reference.affine_jet builds it).
 */
#ifndef FASTNET_NUMGRAD_XENT_JET_H
#define FASTNET_NUMGRAD_XENT_JET_H

#include <stddef.h>
#include <stdint.h>

#define FN_JET_MAX_DEGREE 8

/* The book's cross_entropy_error adds this inside the log (so does fastnet's loss). */
#define FN_JET_LOG_EPS 1e-7

void fn_xent_jet_f64(size_t n, size_t units, size_t classes, size_t given, size_t degree,
                     const double *y, const int64_t *labels, const double *da, double *out);

void fn_affine_jet_f64(size_t n, size_t units, size_t classes, size_t degree, int activation,
                       const double *y, const int64_t *labels, const double *pre,
                       const double *w, double *out);

#endif
