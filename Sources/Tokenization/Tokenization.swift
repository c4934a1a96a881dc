// Tokenization module: see shared design.md
