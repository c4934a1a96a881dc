// Kernels module: see shared design.md
