#!/usr/bin/env bash
# Sourced by the launchers (dist_*.sh, slurm_*.sh): sets ROOT (the
# repository) and PYTHON, the interpreter they run, so that they work from
# any shell (no activated virtual environment, no torchrun on PATH):
# $PYTHON if set, else $MMAVS_VENV/bin/python, else $ROOT/.venv/bin/python
# (tools/setup_env.sh's default), else the active virtual environment's,
# else python3 on PATH.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -z "${PYTHON:-}" ]; then
    for candidate in "${MMAVS_VENV:+$MMAVS_VENV/bin/python}" \
        "$ROOT/.venv/bin/python" "${VIRTUAL_ENV:+$VIRTUAL_ENV/bin/python}"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then
            PYTHON=$candidate
            break
        fi
    done
fi
PYTHON=${PYTHON:-$(command -v python3 || command -v python)}
if [ -z "$PYTHON" ]; then
    echo "[mmavs] no Python interpreter found; set PYTHON or MMAVS_VENV" >&2
    exit 1
fi
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
