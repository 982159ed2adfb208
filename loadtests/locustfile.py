"""Page-view load on ECE's chat status endpoints: ``locust -f loadtests/locustfile.py``.

Thin on purpose: the visitor, the open-model arrivals, the histograms and the SLOs live in
``ecekit.load`` (docs/load.md). Options come from locust's own command line, a locust.conf or the
environment, and show in the web UI::

    locust -f loadtests/locustfile.py --host http://127.0.0.1:8080/system \
        --ece-entry-points 1001,1002 --ece-rate 50 --ece-duration 60 --ece-slo p95=200ms,errors=1%

Each locust "user" is one stream of Poisson page-view arrivals; the shape runs one per worker and
stops by itself when the profile's duration is over. ``ecekit load`` drives this same file.
"""

from ecekit.load.hooks import PageViewShape
from ecekit.load.locust_user import PageViews

__all__ = ["PageViewShape", "PageViews"]
