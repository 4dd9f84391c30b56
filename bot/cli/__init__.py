"""The ``leadscore`` command line."""
