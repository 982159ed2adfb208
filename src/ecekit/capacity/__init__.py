"""Capacity planning: step the offered page-view rate up until the SLO breaks, then bisect to the
highest rate that holds it, telling a saturated server from a saturated generator (docs/capacity.md).

``ladder`` (which rates), ``step`` (one step's verdict from its summary.json), ``search`` (the stepping
and the bisection over any step runner), ``usl`` (the Universal Scalability Law fit), ``report``
(capacity.json and the terminal text). Every step is an ordinary ``ecekit load`` run through
``ecekit.load.launch``; nothing here imports locust.
"""
