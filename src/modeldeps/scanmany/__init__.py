"""scan-many: scan many repositories in parallel and keep every result in the store.

``targets`` turns arguments into repositories, ``work`` is what a worker does for one of them,
``pool`` (local processes) and ``ray_executor`` (a Ray cluster) run that work, and ``driver``
is the one place results are written to the store.
"""
