#!/usr/bin/env bash
# Usage: bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG [train.py args]
# Processes, GPUs, srun options: environment of tools/slurm_launch.sh.
exec bash "$(dirname "${BASH_SOURCE[0]}")/slurm_launch.sh" "$1" "$2" \
    train.py "${@:3}"
