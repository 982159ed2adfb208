"""A bare FastHttpUser making the chatAllowed calls of the `one-call` profile: no checks, no histograms,
no scheduler. The baseline of bench_load_efficiency (flat out) and the closed-model run of
bench_load_stall (ECEKIT_PACE=10: each user paces itself to 10 calls/s, locust's constant_throughput).
Entry point from ECEKIT_ENTRY_POINT."""

import os

from locust import FastHttpUser, constant, constant_throughput, task

from ecekit import operations

PATH = operations.CHAT_ALLOWED.url_path(os.environ.get("ECEKIT_ENTRY_POINT", "1001"))


class Bare(FastHttpUser):
    wait_time = constant_throughput(float(os.environ["ECEKIT_PACE"])) if os.environ.get("ECEKIT_PACE") else constant(0)

    @task
    def chat_allowed(self) -> None:
        self.client.get(PATH, name=operations.CHAT_ALLOWED.name)
