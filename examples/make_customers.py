"""Write examples/customers.csv: 600 customers as pandas' ``df.to_csv()`` writes them.

A row index (no header name), income in dollars, age in years and a text
column ``region``: mixed units and a column that is not a feature, for
``--columns``. Three segments with (income, age) means (32k, 25), (58k, 41),
(95k, 56) and standard deviations (6k, 3.5), (9k, 6), (14k, 5.3)::

    python examples/make_customers.py [PATH]
"""
import sys

import numpy as np


def write_customers(path, n=600, seed=14):
    """Sample the customers table and write it to ``path`` (CSV, header first)."""
    rng = np.random.default_rng(seed)
    segment = rng.choice(3, size=n, p=[0.45, 0.35, 0.20])
    rows = np.arange(n)
    income = rng.normal([32_000, 58_000, 95_000], [6_000, 9_000, 14_000], (n, 3))[rows, segment]
    age = rng.normal([25, 41, 56], [3.5, 6.0, 5.3], (n, 3))[rows, segment]
    region = rng.choice(["north", "south", "east", "west"], size=n)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(",income,age,region\n")
        for i in range(n):
            f.write(f"{i},{income[i]:.2f},{age[i]:.1f},{region[i]}\n")


if __name__ == "__main__":
    write_customers(sys.argv[1] if len(sys.argv) > 1 else "examples/customers.csv")
