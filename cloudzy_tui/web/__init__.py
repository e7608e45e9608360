"""The console in a browser: ``cloudzy-tui serve`` (``textual-serve``, the optional extra ``[web]``)."""
