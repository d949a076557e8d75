# Stand-in for pip's get-pip.py, used by tests/sanity/run.sh.
#
# ansible-test --venv bootstraps pip into its empty virtual environments with a get-pip.py
# it downloads from ci-files.testing.ansible.com, a host this machine (and CI) cannot
# reach. This script does the same job from what the interpreter ships (ensurepip) and
# PyPI: it is run as `python get_pip_X_Y.py [pip options] pip==X.Y ...`.
#
# ansible-test also runs pip with a reduced environment, which drops PIP_CERT and friends
# that this network's TLS interception needs; the machine's CA bundle is therefore written
# into the virtual environment's own pip.conf, which every later pip call there reads.
from __future__ import annotations

import ensurepip
import os
import subprocess
import sys

# get-pip.py options that `pip install` does not know.
GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}
CA_BUNDLE_CANDIDATES = (
    os.environ.get("PIP_CERT", ""),
    os.environ.get("REQUESTS_CA_BUNDLE", ""),
    "/etc/ssl/certs/ca-certificates.crt",
)

ca_bundle = next((path for path in CA_BUNDLE_CANDIDATES if path and os.path.isfile(path)), None)
if ca_bundle and sys.prefix != sys.base_prefix:
    with open(os.path.join(sys.prefix, "pip.conf"), "w", encoding="utf-8") as conf:
        conf.write(f"[global]\ncert = {ca_bundle}\n")

# ensurepip points PIP_CONFIG_FILE at /dev/null in os.environ; pip must see its config again.
environment = dict(os.environ)
ensurepip.bootstrap(upgrade=True)
args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--quiet", *args], env=environment))
