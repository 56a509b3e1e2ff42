"""Performance benchmarks: a large generated plan and the scripts that load-test it.

`make bench` runs bench/run.sh; results are written to bench/RESULTS.md.
"""
