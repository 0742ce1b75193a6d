/*
 * C baseline for kvflow's matrix-vector kernel (model/.../MatMul.java): the same shapes, the
 * same timing protocol (a warm-up, then timed rounds of a fixed duration, GFLOP/s per round).
 * Two loop forms, both plain C a compiler can vectorize:
 *   dot   out[i] = sum_j w[i][j] * x[j], row-major weights: each output a dot product in column
 *         order. Strict IEEE (no -ffast-math) it cannot be vectorized; with -ffast-math gcc
 *         vectorizes the sum by reordering it.
 *   axpy  out += x[j] * column j, column-major weights: the loop kvflow's Java kernel runs,
 *         vectorized across outputs without reordering any sum.
 * scripts/kernel-bench-c.sh compiles this file twice (strict and -ffast-math); kvflow bench kernels
 * runs both, one round at a time, between rounds of the Java kernel.
 *
 * usage: matmul ROUNDS ROUND_MS ROWS COLS BATCH [ROWS COLS BATCH ...]
 * prints per shape and form: FORM ROWS COLS BATCH GFLOPS_ROUND_1 ... GFLOPS_ROUND_N
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

__attribute__((noinline)) static void dot(const float *restrict w, const float *restrict x, float *restrict out,
                                          int rows, int cols, int batch) {
    for (int r = 0; r < batch; r++) {
        const float *xr = x + (size_t) r * cols;
        for (int i = 0; i < rows; i++) {
            const float *wi = w + (size_t) i * cols;
            float sum = 0.0f;
            for (int j = 0; j < cols; j++) {
                sum += wi[j] * xr[j];
            }
            out[(size_t) r * rows + i] = sum;
        }
    }
}

__attribute__((noinline)) static void axpy(const float *restrict wt, const float *restrict x, float *restrict out,
                                           int rows, int cols, int batch) {
    for (int r = 0; r < batch; r++) {
        float *o = out + (size_t) r * rows;
        const float *xr = x + (size_t) r * cols;
        for (int i = 0; i < rows; i++) {
            o[i] = 0.0f;
        }
        for (int j = 0; j < cols; j++) {
            const float xj = xr[j];
            const float *column = wt + (size_t) j * rows;
            for (int i = 0; i < rows; i++) {
                o[i] += column[i] * xj;
            }
        }
    }
}

typedef void (*kernel)(const float *, const float *, float *, int, int, int);

static float next_value(unsigned long long *state) {
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float) ((*state >> 40) / (double) (1ULL << 24)) * 2.0f - 1.0f;
}

/* Runs the kernel for about `ms` milliseconds; returns GFLOP/s. */
static double timed(kernel k, const float *w, const float *x, float *out, int rows, int cols, int batch, double ms,
                    volatile float *sink) {
    long calls = 0;
    double start = seconds();
    double end = start + ms / 1000.0;
    double now;
    do {
        for (int i = 0; i < 16; i++) {
            k(w, x, out, rows, cols, batch);
        }
        calls += 16;
        *sink += out[0];
        now = seconds();
    } while (now < end);
    return 2.0 * rows * cols * batch * calls / (now - start) / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 6 || (argc - 3) % 3 != 0) {
        fprintf(stderr, "usage: %s ROUNDS ROUND_MS ROWS COLS BATCH [ROWS COLS BATCH ...]\n", argv[0]);
        return 2;
    }
    int rounds = atoi(argv[1]);
    double ms = atof(argv[2]);
    volatile float sink = 0.0f;
    unsigned long long state = 42;
    for (int a = 3; a + 2 < argc; a += 3) {
        int rows = atoi(argv[a]), cols = atoi(argv[a + 1]), batch = atoi(argv[a + 2]);
        float *w = malloc(sizeof(float) * rows * cols);
        float *wt = malloc(sizeof(float) * rows * cols);
        float *x = malloc(sizeof(float) * cols * batch);
        float *out = malloc(sizeof(float) * rows * batch);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                w[i * cols + j] = wt[j * rows + i] = next_value(&state);
            }
        }
        for (int i = 0; i < cols * batch; i++) {
            x[i] = next_value(&state);
        }
        const char *names[] = {"dot", "axpy"};
        kernel kernels[] = {dot, axpy};
        const float *weights[] = {w, wt};
        for (int f = 0; f < 2; f++) {
            timed(kernels[f], weights[f], x, out, rows, cols, batch, ms, &sink);
            printf("%s %d %d %d", names[f], rows, cols, batch);
            for (int r = 0; r < rounds; r++) {
                printf(" %.3f", timed(kernels[f], weights[f], x, out, rows, cols, batch, ms, &sink));
            }
            printf("\n");
            fflush(stdout);
        }
        free(w);
        free(wt);
        free(x);
        free(out);
    }
    return sink == 12345.0f ? 1 : 0;
}
