/* fn_cpu_simd, fn_simd_level: see simd.h. */
#include <ctype.h>
#include <stdlib.h>

#include "simd.h"

enum fn_simd fn_cpu_simd(void) {
#if defined(FASTNET_X86) && (defined(__GNUC__) || defined(__clang__))
    /* libgcc reads CPUID once, and XGETBV for the registers the OS saves */
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return FN_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return FN_AVX2;
#endif
    return FN_PORTABLE;
}

/* 1 when `value` spells `name`, ignoring case (as the Python side does). */
static int fn_names(const char *value, const char *name) {
    for (; *value && *name; value++, name++)
        if (tolower((unsigned char)*value) != *name) return 0;
    return *value == *name;
}

/* The level named by the environment, or FN_SIMD_COUNT (no cap) when the
 * variable is unset or names no level. "avx2_fma" is an old name of avx2. */
static enum fn_simd fn_simd_cap(void) {
    const char *value = getenv("FASTNET_SIMD");
    if (value == NULL) value = getenv("FASTNET_ELEMENTWISE_SIMD");
    if (value == NULL) return FN_SIMD_COUNT;
    if (fn_names(value, "avx2_fma")) return FN_AVX2;
    for (int level = 0; level < FN_SIMD_COUNT; level++)
        if (fn_names(value, fn_simd_names[level])) return (enum fn_simd)level;
    return FN_SIMD_COUNT;
}

/* Decided once. Two threads deciding at the same time compute the same
 * value, so the race on this int is harmless. */
static int fn_level = -1;

enum fn_simd fn_simd_level(void) {
    if (fn_level < 0) {
        const enum fn_simd cpu = fn_cpu_simd(), cap = fn_simd_cap();
        fn_level = cap < cpu ? cap : cpu;
    }
    return (enum fn_simd)fn_level;
}
