/* Ends an instantiation begun by dtype_begin.h: the next one starts clean. */
#undef real
#undef same_int
#undef FN
#undef FN_AT
#undef FN_DTYPE_SUFFIX
#undef FN_GLUE3
#undef FN_GLUE2
#undef FN_EXPAND3
#undef FN_EXPAND2
#undef FN_DTYPE_F32
#undef FN_DTYPE_F64
