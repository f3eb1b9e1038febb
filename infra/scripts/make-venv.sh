#!/usr/bin/env bash
# Usage: infra/scripts/make-venv.sh VENV_DIR REQUIREMENTS_FILE
#
# Creates VENV_DIR (if missing) and installs REQUIREMENTS_FILE into it. PYTHON (default python3)
# is the interpreter the venv is made from. Works where the interpreter lacks ensurepip (Debian's
# python3 without python3-venv): the venv is then made without pip and pip is installed into it
# by the interpreter's own pip.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 VENV_DIR REQUIREMENTS_FILE" >&2
    exit 2
fi
venv="$1"
requirements="$2"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
    if ! "$python" -m venv "$venv" 2>/dev/null; then
        echo "make-venv: '$python -m venv' failed (no ensurepip?); creating the venv without pip" >&2
        rm -rf "$venv"
        "$python" -m venv --without-pip "$venv"
    fi
fi
if ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    "$python" -m pip --python "$venv/bin/python" install --disable-pip-version-check --quiet pip
fi
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$requirements"
