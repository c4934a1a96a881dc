// GGUF module: see shared design.md
