#!/usr/bin/env bash
# Set up the environment (tools/setup_env.sh), lint, and run the whole test
# suite, the slow end-to-end tests included. Extra args go to pytest.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/tools/setup_env.sh"
venv=${MMAVS_VENV:-$root/.venv}
cd "$root"
"$venv/bin/python" -m flake8 mmavs tools tests demo
"$venv/bin/python" -m isort --check-only --quiet mmavs tools tests demo
"$venv/bin/python" -m pytest tests "$@"
