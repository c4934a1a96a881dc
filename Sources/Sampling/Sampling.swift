// Sampling module: see shared design.md
