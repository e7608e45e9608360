"""The simulator's operations, one module per resource family, each over the shared ``Store``.

Every function takes the store first and already-validated arguments (the HTTP layer, ``routes.py``, checks
shapes and answers 422), and either returns the wire objects to send or raises an ``ApiError``
(400/404/409/460). Tests and the seed call them directly too.

Dependencies go one way (``tests/sim/test_structure.py`` checks there is no cycle): ``instances`` uses
``catalog`` and ``floating_ips``; ``backups`` uses ``snapshots``; the others need only the store. A family that
must touch another's records (deleting an instance marks its snapshots, detaches its floating IPs and drops its
backup profile; creating one from a snapshot reads it) does so through the store's tables, not by importing the
other module. The seed (``seed.py``) builds the account with these same public functions.
"""
