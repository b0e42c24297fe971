"""``[core] hostname_callable`` of the e2e stack: each process's name, as a container's hostname.

Two Celery workers on one machine would otherwise record the same host name on every task
instance; in the compose stack each worker container has its own.
"""

from __future__ import annotations

import os
import socket


def hostname() -> str:
    return os.environ.get("LINKEDIN_ADS_E2E_HOSTNAME") or socket.getfqdn()
