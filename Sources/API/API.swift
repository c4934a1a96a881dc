// API module: see shared design.md
