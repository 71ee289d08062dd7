/* e^x and e^x - 1 for x <= 0, written so that gcc vectorises loops that call them.
 *
 * Every exp in fastnet's activations and losses takes a non-positive argument:
 * sigmoid and tanh use e^-|x|, softmax uses e^(x - max). That is exactly the
 * trick that keeps them from overflowing, and it means these functions never
 * need an overflow branch.
 *
 * libm's exp is a function call per element, which stops the loop from being
 * vectorised. Here the classic method is spelled out instead:
 *   1. range reduction  x = n·ln2 + r,  n = round(x / ln2),  |r| <= ln2/2
 *      (ln2 is split into a short "hi" part, for which n·hi is exact, and a
 *      "lo" correction, so r keeps almost all of its bits: Cody and Waite);
 *   2. e^r by its Taylor polynomial in Horner form; the first dropped term
 *      r^(k+1)/(k+1)! bounds the error: degree 7 gives 5e-9 in float32 (below
 *      half an ulp), degree 13 gives 4e-18 in float64;
 *   3. 2^n built directly in the exponent bits, and e^x = 2^n · e^r.
 * Rounding to the nearest integer uses the "magic number" 1.5·2^23 (2^52):
 * adding it pushes the fraction out of the mantissa, so the integer n sits in
 * the low mantissa bits, and no float-to-int conversion (undefined for NaN) is
 * needed.
 *
 * Accuracy: about 1-2 ulp in float32 and float64. NaN in gives NaN out.
 * Results below the smallest normal number (x < -87.6 in float32, x < -708.3
 * in float64) are returned as 0 instead of a subnormal.
 */
#ifndef FASTNET_FAST_EXP_H
#define FASTNET_FAST_EXP_H

#include <stdint.h>
#include <string.h>

/* ln2 = LN2_HI + LN2_LO, LN2_HI with trailing zero bits (Cody-Waite). */
#define FN_LOG2E_F32 1.44269504088896341f
#define FN_LN2_HI_F32 0.693359375f
#define FN_LN2_LO_F32 -2.12194440e-4f
#define FN_LOG2E_F64 1.44269504088896338700e+00
#define FN_LN2_HI_F64 6.93147180369123816490e-01
#define FN_LN2_LO_F64 1.90821492927058770002e-10

/* Below these, 2^n would need an exponent under the normal range. */
#define FN_EXP_MIN_F32 -87.6f
#define FN_EXP_MIN_F64 -708.3

/* r - e^r's Taylor polynomial without its constant term: e^r - 1. Keeping the
 * 1 out lets expm1 below avoid the cancellation of (1 + q) - 1 for small r. */
static inline float fn_expm1_poly_f32(float r) {
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    return p * r;
}

static inline double fn_expm1_poly_f64(double r) {
    double p = 1.0 / 6227020800.0; /* 1/13! */
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    return p * r;
}

/* Split x into n·ln2 + r; returns r and stores 2^n in *scale. */
static inline float fn_exp_reduce_f32(float x, float *scale) {
    const float magic = 12582912.0f; /* 1.5 · 2^23 */
    float t = x * FN_LOG2E_F32 + magic;
    float n = t - magic;
    float r = x - n * FN_LN2_HI_F32;
    r = r - n * FN_LN2_LO_F32;
    uint32_t bits;
    memcpy(&bits, &t, sizeof bits);
    /* the low bits of t hold n (two's complement); shifted into the exponent
     * field and biased they spell 2^n */
    bits = (bits << 23) + (127u << 23);
    memcpy(scale, &bits, sizeof bits);
    return r;
}

static inline double fn_exp_reduce_f64(double x, double *scale) {
    const double magic = 6755399441055744.0; /* 1.5 · 2^52 */
    double t = x * FN_LOG2E_F64 + magic;
    double n = t - magic;
    double r = x - n * FN_LN2_HI_F64;
    r = r - n * FN_LN2_LO_F64;
    uint64_t bits;
    memcpy(&bits, &t, sizeof bits);
    bits = (bits << 52) + ((uint64_t)1023 << 52);
    memcpy(scale, &bits, sizeof bits);
    return r;
}

/* Where e^x would be below the smallest normal number, x is replaced by the
 * threshold (so 2^n stays valid; -inf included) and 2^n by 0 (so e^x is 0 and
 * e^x - 1 is -1). NaN compares false and passes through as NaN.
 * The selects are done on the bits, with an all-ones mask, and not with
 * `cond ? a : b`: under gcc's default -ftrapping-math a float ternary next to
 * float arithmetic becomes a branch, and a branch stops vectorisation. */
static inline uint32_t fn_bits_f32(float x) { uint32_t b; memcpy(&b, &x, sizeof b); return b; }
static inline float fn_from_bits_f32(uint32_t b) { float x; memcpy(&x, &b, sizeof x); return x; }
static inline uint64_t fn_bits_f64(double x) { uint64_t b; memcpy(&b, &x, sizeof b); return b; }
static inline double fn_from_bits_f64(uint64_t b) { double x; memcpy(&x, &b, sizeof x); return x; }

/* r and 2^n for e^x = 2^n·e^r, with the underflow handling above. */
static inline float fn_exp_parts_f32(float x, float *scale) {
    uint32_t under = -(uint32_t)(x < FN_EXP_MIN_F32); /* all ones where e^x underflows */
    float xc = fn_from_bits_f32((fn_bits_f32(x) & ~under) | (fn_bits_f32(FN_EXP_MIN_F32) & under));
    float r = fn_exp_reduce_f32(xc, scale);
    *scale = fn_from_bits_f32(fn_bits_f32(*scale) & ~under);
    return r;
}

static inline double fn_exp_parts_f64(double x, double *scale) {
    uint64_t under = -(uint64_t)(x < FN_EXP_MIN_F64);
    double xc = fn_from_bits_f64((fn_bits_f64(x) & ~under) | (fn_bits_f64(FN_EXP_MIN_F64) & under));
    double r = fn_exp_reduce_f64(xc, scale);
    *scale = fn_from_bits_f64(fn_bits_f64(*scale) & ~under);
    return r;
}

/* e^x for x <= 0 (or NaN). */
static inline float fn_exp_neg_f32(float x) {
    float scale;
    float r = fn_exp_parts_f32(x, &scale);
    return scale + scale * fn_expm1_poly_f32(r);
}

static inline double fn_exp_neg_f64(double x) {
    double scale;
    double r = fn_exp_parts_f64(x, &scale);
    return scale + scale * fn_expm1_poly_f64(r);
}

/* e^x - 1 for x <= 0 (or NaN), accurate also near 0 where e^x - 1 cancels:
 * 2^n·(1 + q) - 1 = 2^n·q + (2^n - 1), and for |x| < ln2/2 (n = 0) that is q. */
static inline float fn_expm1_neg_f32(float x) {
    float scale;
    float r = fn_exp_parts_f32(x, &scale);
    return scale * fn_expm1_poly_f32(r) + (scale - 1.0f);
}

static inline double fn_expm1_neg_f64(double x) {
    double scale;
    double r = fn_exp_parts_f64(x, &scale);
    return scale * fn_expm1_poly_f64(r) + (scale - 1.0);
}

/* Type-generic names, so that code written once for `real` picks the right one. */
/* |x| in x's own type: fabs() of a float returns a double, which would send
 * float32 data through the float64 exp below. */
#define fn_abs(x) _Generic((x), float: fabsf, double: fabs)(x)
#define fn_exp_neg(x) _Generic((x), float: fn_exp_neg_f32, double: fn_exp_neg_f64)(x)
#define fn_expm1_neg(x) _Generic((x), float: fn_expm1_neg_f32, double: fn_expm1_neg_f64)(x)

#endif
