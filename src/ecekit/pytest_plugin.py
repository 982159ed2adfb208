"""ecekit's pytest plugin (registered through the pytest11 entry point). Filled in by issue 4.

It must stay cheap to import: it loads in every pytest run of any environment that has ecekit.
"""
