"""Apache Airflow provider for LinkedIn Ads reporting (``adAnalytics``).

This module deliberately imports nothing: the bundled emulator (``testing``) and the pure core must
import without Airflow installed.
"""

from __future__ import annotations

__version__ = "0.1.0"
