/** Row-major GEMM and GEMV over the machine's native BLAS or a pure-Java one; see {@link dev.zerog.blas.Blas}. */
package dev.zerog.blas;
