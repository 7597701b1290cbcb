"""The built-in checks of dsdone, one module each, named after the check id.

Every module here is imported by the registry and every ``Check`` in it registered; they are
written against the same public API (``dsdone.api``) as third-party plugins.
"""
