/* fastnet's C vocabulary: the lists every kernel family shares, each written
 * once. Python writes the same lists once too (fastnet.backend.vocabulary);
 * an entry's code is its index in both, and a test checks that the names
 * below, which the compiled modules expose, are Python's.
 */
#ifndef FASTNET_VOCABULARY_H
#define FASTNET_VOCABULARY_H

/* The activation a kernel applies, or differentiates from its output. */
enum fn_activation { FN_IDENTITY, FN_RELU, FN_SIGMOID, FN_TANH, FN_ACTIVATION_COUNT };
static const char *const fn_activation_names[FN_ACTIVATION_COUNT] = {"identity", "relu",
                                                                     "sigmoid", "tanh"};

/* A SIMD level: which build of a kernel runs. Each build is the same C
 * compiled with the level's instructions (AVX2 comes with FMA), and runs only
 * on a CPU that has them (simd.h says which). */
enum fn_simd { FN_PORTABLE, FN_AVX2, FN_AVX512, FN_SIMD_COUNT };
static const char *const fn_simd_names[FN_SIMD_COUNT] = {"portable", "avx2", "avx512"};

/* The element type of a kernel's float arrays. FN_F64 is 1: the `is_f64`
 * flag of the Python callers converts as it is. */
enum fn_dtype { FN_F32, FN_F64 };

/* Calls name_f32 or name_f64 with args (void pointers convert): how a
 * family's entry point makes the float32/float64 choice, in one place. */
#define FN_BY_DTYPE(dtype, name, args) ((dtype) == FN_F64 ? name##_f64 args : name##_f32 args)

#endif
