"""Benchmarks of the board against docs/design.md's performance budgets (``python -m bench <name>``).

Timings never go into tests; they are reported here, on the machine at hand,
with browser times as ratios to the stack's own floor.
"""
