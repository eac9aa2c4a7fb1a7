#!/usr/bin/env bash
# Usage: bash tools/dist_launch.sh TOOL NPROC [TOOL args]
# Runs tools/TOOL (train.py, test.py) in NPROC processes on this node with
# torch.distributed.run: one per GPU (NCCL), or CPU processes (gloo) on a
# machine without CUDA. Several nodes: run it on each node with NNODES,
# NODE_RANK (0..NNODES-1), MASTER_ADDR (node 0's address) and PORT.
# The interpreter: see tools/python_env.sh.
set -eu
TOOL=$1
NPROC=$2
source "$(dirname "${BASH_SOURCE[0]}")/python_env.sh"

"$PYTHON" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --master_port="${PORT:-29500}" \
    --nproc_per_node="$NPROC" \
    "$ROOT/tools/$TOOL" "${@:3}" --launcher pytorch
