#!/usr/bin/env bash
# Usage: bash tools/dist_train.sh CONFIG NPROC [more tools/train.py args]
# NPROC GPUs, or CPU processes without CUDA; environment: tools/dist_launch.sh.
exec bash "$(dirname "${BASH_SOURCE[0]}")/dist_launch.sh" train.py "$2" \
    "$1" "${@:3}"
