"""xAPI out: every learning event as a statement, sent to the deployment's LRS.

``statements`` builds them (the profile, docs/xapi.md), ``events`` are the hooks
the runner and the launch call, ``outbox`` stores them, ``delivery`` and ``tasks``
send them through the durable job queue, ``services`` and ``cli`` manage the
per-deployment LRS settings.
"""
