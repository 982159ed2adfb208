"""The machinery behind the contract suites in ``contracts/``: cases, the session, the verdicts.

``ecekit.pytest_plugin`` is the thin pytest face (options, fixtures, hooks) and imports this package
only when a contract suite runs, so that every other pytest run stays cheap.
"""
