"""The model package: input pipeline, model and training entrypoint."""

__version__ = "0.1.0"
