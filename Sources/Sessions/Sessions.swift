// Sessions module: see shared design.md
