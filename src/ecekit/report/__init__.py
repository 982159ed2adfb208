"""Reports of contract runs: one failure's text, the terminal summary, and the JUnit file.

All three read the same :class:`~ecekit.report.results.CaseResult` records, so the terminal, the
JUnit viewer and CI logs say the same thing about the same failure.
"""
