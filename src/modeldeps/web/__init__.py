"""The dashboard (``modeldeps serve``, extra ``web``): read-only pages over the scan store.

The package imports nothing on its own, so the CLI can name a missing extra before Starlette
is imported. ``app.create_app`` builds the ASGI application; ``serve.run`` checks the bind and
runs it under uvicorn.
"""
