"""The contract suites. Everything lives in ``ecekit.pytest_plugin``; this file only marks the directory.

Run them with ``ecekit check`` (it starts the reference server unless given --base-url), or directly:
``pytest contracts --ece-base-url https://ece.example.com/system --ece-entry-point 1001``.
"""

ECEKIT_CONTRACTS = True
