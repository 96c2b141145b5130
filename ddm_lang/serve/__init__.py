"""`ddm serve`: the URL render service (signed URLs, response cache, bounded renders) and
the template editor it can mount. Needs the `serve` extra (Starlette, uvicorn); nothing is
imported here so that `import ddm_lang` never requires it.

    from ddm_lang.serve.app import create_app          # ASGI app for a ServeConfig
    from ddm_lang.serve.config import ServeConfig
    from ddm_lang.serve.signing import signed_render_url
"""
