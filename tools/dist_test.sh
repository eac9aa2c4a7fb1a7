#!/usr/bin/env bash
# Usage: bash tools/dist_test.sh CONFIG CHECKPOINT NPROC [tools/test.py args]
# NPROC GPUs, or CPU processes without CUDA; environment: tools/dist_launch.sh.
exec bash "$(dirname "${BASH_SOURCE[0]}")/dist_launch.sh" test.py "$3" \
    "$1" "$2" "${@:4}"
