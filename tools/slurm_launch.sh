#!/usr/bin/env bash
# Usage: [NPROC=4] [NPROC_PER_NODE=4] [GPUS_PER_NODE=$NPROC_PER_NODE]
#        [CPUS_PER_TASK=5] [SRUN_ARGS=...] \
#        bash tools/slurm_launch.sh PARTITION JOB_NAME TOOL [TOOL args]
# Runs tools/TOOL (train.py, test.py) as NPROC srun tasks, NPROC_PER_NODE
# per node; GPUS_PER_NODE=0 on CPU nodes (gloo). mmengine reads the ranks
# from SLURM_PROCID / SLURM_LOCALID and node 0's address from scontrol
# (or MASTER_ADDR; port: MASTER_PORT, default 29500).
# The interpreter: see tools/python_env.sh.
set -eu
PARTITION=$1
JOB_NAME=$2
TOOL=$3
NPROC=${NPROC:-4}
NPROC_PER_NODE=${NPROC_PER_NODE:-4}
GPUS_PER_NODE=${GPUS_PER_NODE:-$NPROC_PER_NODE}
source "$(dirname "${BASH_SOURCE[0]}")/python_env.sh"
GRES=""
if [ "$GPUS_PER_NODE" -gt 0 ]; then
    GRES="--gres=gpu:$GPUS_PER_NODE"
fi

# shellcheck disable=SC2086  # GRES and SRUN_ARGS: zero or more words
srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    $GRES \
    --ntasks="$NPROC" \
    --ntasks-per-node="$NPROC_PER_NODE" \
    --cpus-per-task="${CPUS_PER_TASK:-5}" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS:-} \
    "$PYTHON" -u "$ROOT/tools/$TOOL" "${@:4}" --launcher slurm
