"""The plan's content in and out as a whole: `load_seed` (fixtures/ for every app) and the state
backup (`export_state`, `import_state`). Sits above the domain apps; nothing imports it."""
