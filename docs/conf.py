"""Sphinx configuration of the documentation site (``bash scripts/docs``; ``make test`` builds it).

The build runs with warnings as errors (``-W --keep-going``) in the pinned Airflow 3.3.2
environment, so every docstring the API reference pulls in must render cleanly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# autodoc imports the Airflow-facing modules; give Airflow a throw-away home so a build neither reads
# nor writes the developer's ~/airflow (and creates no airflow.cfg in the repository).
os.environ.setdefault("AIRFLOW_HOME", str(ROOT / ".airflow" / "docs"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")

from airflow_provider_linkedin_ads import __version__  # noqa: E402 (needs sys.path above)

project = "airflow-provider-linkedin-ads"
author = "airflow-provider-linkedin-ads developers"
copyright = "airflow-provider-linkedin-ads developers, Apache-2.0"
release = __version__
version = ".".join(__version__.split(".")[:2])

extensions = ["sphinx.ext.autodoc"]
exclude_patterns = ["_build"]
root_doc = "index"
templates_path: list[str] = []

# Cross-references to Airflow, requests or the standard library stay plain text: intersphinx would
# need the network at build time. Unresolved references are therefore not warnings (nitpicky off);
# every other warning fails the build.
nitpicky = False

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
# Signatures keep the annotations as written (the modules use `from __future__ import annotations`
# and TYPE_CHECKING imports, which cannot always be evaluated at build time).
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
autoclass_content = "class"  # Airflow style: __init__ parameters are documented on the class

html_theme = "alabaster"
html_title = f"airflow-provider-linkedin-ads {release}"
html_theme_options = {
    "description": "Land LinkedIn Ads reporting data with Apache Airflow",
    "fixed_sidebar": True,
}
