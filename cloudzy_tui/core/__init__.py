"""The console's core: state and scheduling shared by every screen, with no Textual or Rich in it.

* :mod:`cloudzy_tui.core.jobs` — the job tracker: follows asynchronous operations (snapshot create/restore,
  ISO/image downloads, instance power, reset, change-OS, resize, delete) to a terminal state on one scheduler
  and publishes their progress as plain events.
* :mod:`cloudzy_tui.core.catalog` — regions, operating systems, applications and products, loaded once.
"""
