// Generation module: see shared design.md
