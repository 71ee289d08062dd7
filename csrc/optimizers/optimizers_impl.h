/* Body of optimizers.c for one float type (instantiated by common/dtype_begin.h).
 *
 * Each update is one loop over the elements where NumPy makes one pass per
 * operator (Adam: ~10 passes and temporaries). Threads take contiguous
 * slices; every element is computed the same way on any number of threads.
 * The expressions keep the reference's order of operations and its casts:
 * `(real)lr * g` is NumPy's Python-float-times-array. */

/* p -= lr·g */
void FN(fn_sgd)(size_t n, real *p, const real *g, double lr) {
    const real lr_ = (real)lr;
    FN_PARALLEL_FOR(n, i) p[i] -= lr_ * g[i];
}

/* v = momentum·v - lr·g; p += v */
void FN(fn_momentum)(size_t n, real *p, const real *g, real *v, double lr, double momentum) {
    const real lr_ = (real)lr, mom = (real)momentum;
    FN_PARALLEL_FOR(n, i) {
        real vi = v[i] * mom;
        vi -= lr_ * g[i];
        v[i] = vi;
        p[i] += vi;
    }
}

/* p += momentum²·v; p -= (1 + momentum)·lr·g; v = momentum·v - lr·g */
void FN(fn_nesterov)(size_t n, real *p, const real *g, real *v, double lr, double momentum) {
    /* the reference forms momentum² and (1 + momentum)·lr in Python floats */
    const real mom2 = (real)(momentum * momentum), step = (real)((1 + momentum) * lr);
    const real lr_ = (real)lr, mom = (real)momentum;
    FN_PARALLEL_FOR(n, i) {
        real pi = p[i] + mom2 * v[i];
        p[i] = pi - step * g[i];
        real vi = v[i] * mom;
        v[i] = vi - lr_ * g[i];
    }
}

/* h += g²; p -= lr·g / (√h + 1e-7) */
void FN(fn_adagrad)(size_t n, real *p, const real *g, real *h, double lr) {
    const real lr_ = (real)lr, eps = (real)FN_OPTIMIZER_EPS;
    FN_PARALLEL_FOR(n, i) {
        real h_new = h[i] + g[i] * g[i];
        h[i] = h_new;
        p[i] -= lr_ * g[i] / (sqrt(h_new) + eps);
    }
}

/* h = decay·h + (1 - decay)·g²; p -= lr·g / (√h + 1e-7) */
void FN(fn_rmsprop)(size_t n, real *p, const real *g, real *h, double lr, double decay_rate) {
    const real lr_ = (real)lr, eps = (real)FN_OPTIMIZER_EPS;
    const real decay = (real)decay_rate, keep = (real)(1 - decay_rate);
    FN_PARALLEL_FOR(n, i) {
        real h_new = h[i] * decay;
        h_new += keep * g[i] * g[i];
        h[i] = h_new;
        p[i] -= lr_ * g[i] / (sqrt(h_new) + eps);
    }
}

/* m += (1-β1)(g - m); v += (1-β2)(g² - v); p -= lr_t·m / (√v + 1e-7) */
void FN(fn_adam)(size_t n, real *p, const real *g, real *m, real *v, double lr_t, double beta1,
                 double beta2) {
    const real lr_ = (real)lr_t, eps = (real)FN_OPTIMIZER_EPS;
    const real b1 = (real)(1 - beta1), b2 = (real)(1 - beta2);
    FN_PARALLEL_FOR(n, i) {
        real gi = g[i];
        real mi = m[i] + b1 * (gi - m[i]);
        real vi = v[i] + b2 * (gi * gi - v[i]);
        m[i] = mi;
        v[i] = vi;
        p[i] -= lr_ * mi / (sqrt(vi) + eps);
    }
}

/* Keras' rule (RMSprop: decay=rho, gain=1-rho; Adagrad: decay=gain=1):
 * h = decay·h + gain·g²; p -= lr·g / √(h + eps), eps inside the root. */
void FN(fn_rms)(size_t n, real *p, const real *g, real *h, double lr, double decay,
                      double gain, double eps) {
    const real lr_ = (real)lr, eps_ = (real)eps, decay_ = (real)decay, gain_ = (real)gain;
    FN_PARALLEL_FOR(n, i) {
        real h_new = h[i] * decay_;
        h_new += gain_ * g[i] * g[i];
        h[i] = h_new;
        p[i] -= lr_ * g[i] / sqrt(h_new + eps_);
    }
}

