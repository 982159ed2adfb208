"""Two load runs (or sets of runs, or capacity searches) compared with confidence intervals.

``sides`` reads what each side is and refuses pairs that are not the same load; ``intervals`` holds
the statistics (order-statistic within a run, Welch between runs, Newcombe for rates); ``verdict``
turns an interval into slower, faster, same or inconclusive; ``loads`` and ``capacity`` build
compare.json; ``text`` prints it; ``run`` is the library call.
"""
