// HTTP module: see shared design.md
