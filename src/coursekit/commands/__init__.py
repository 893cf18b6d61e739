"""Subcommands of the ``coursekit`` command line (see :mod:`coursekit.cli`)."""
