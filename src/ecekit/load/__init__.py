"""Page-view load on ECE's chat status endpoints: open-model arrivals, true latencies, SLOs.

Layers (docs/load.md): ``schedule`` and ``profile`` say what to send and when; ``visitor`` is one
page view as a plain function; ``checking`` judges each response with the contract checks' fast path;
``recorder`` keeps HDR histograms that merge across processes; ``slo`` and ``summary`` turn them into
a verdict, summary.json and JUnit; ``launch`` runs locust in child processes for ``ecekit load``.

Only ``locust_user`` and ``hooks`` import locust (and so gevent's monkey-patching); only a locustfile
imports them. ``waking`` (the leader's precise timer) imports gevent, for ``locust_user``
only. Nothing here imports them eagerly: importing ``ecekit.load`` is safe anywhere.
"""
