#!/usr/bin/env bash
# Usage: bash tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT \
#        [test.py args]
# Processes, GPUs, srun options: environment of tools/slurm_launch.sh.
exec bash "$(dirname "${BASH_SOURCE[0]}")/slurm_launch.sh" "$1" "$2" \
    test.py "${@:3}"
