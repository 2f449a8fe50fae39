"""The benchmark: a synthetic register at CQC scale, and the figures measured on it."""
