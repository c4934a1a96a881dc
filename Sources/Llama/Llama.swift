// Llama module: see shared design.md
