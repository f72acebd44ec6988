# Tests go in this folder as test_*.py (pytest finds them; pyproject.toml puts the workspace root on the path).
# Start with what breaks quietly: the split is stratified and seeded, metrics.json has its fields,
# /predict names a missing field.
