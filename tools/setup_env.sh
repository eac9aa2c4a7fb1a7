#!/usr/bin/env bash
# Create (or update) a virtual environment with the whole mmavs stack.
#
#   bash tools/setup_env.sh            # -> ./.venv
#   MMAVS_VENV=/path/venv bash tools/setup_env.sh
#
# mmcv 2.1.x has no wheel for torch 2.11, so its ops are compiled from the sdist
# (about 20 minutes on 2 cores). The built wheel is cached per torch version and
# Python ABI in $MMAVS_WHEEL_CACHE (default ~/.cache/mmavs/wheels): pip's own
# cache is keyed by the sdist only, and a wheel built against another torch fails
# to import (`undefined symbol` in mmcv/_ext).
#
# With nvcc on PATH and a GPU visible (and a CUDA torch), mmcv is built with its
# CUDA ops (FORCE_CUDA=1), which AVSegFormer's deformable attention needs on GPU;
# otherwise a CPU build (FORCE_CUDA=0). FORCE_CUDA=0/1 overrides the detection.
# CUDA wheels are cached apart from CPU ones (tools/mmcv_build_kind.sh).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${MMAVS_VENV:-$root/.venv}
python=${PYTHON:-python3}
req=$root/requirements
constraints=(-c "$req/constraints.txt")

if [ ! -x "$venv/bin/python" ]; then
    echo "[mmavs] creating virtual environment $venv"
    "$python" -m venv "$venv"
fi
py=$venv/bin/python
pip=("$py" -m pip install --disable-pip-version-check "${constraints[@]}")

echo "[mmavs] installing build tools and torch"
"${pip[@]}" -q -U pip
"${pip[@]}" -q -r "$req/build.txt" -r "$req/torch.txt"

torch_version=$("$py" -c 'import torch; print(torch.__version__.split("+")[0])')
abi=$("$py" -c 'import sys; print(f"cp{sys.version_info.major}{sys.version_info.minor}")')
# shellcheck source=tools/mmcv_build_kind.sh
source "$root/tools/mmcv_build_kind.sh"
build_kind=$(mmcv_build_kind "$py")
force_cuda=0
[ "$build_kind" = cuda ] && force_cuda=1
cache=${MMAVS_WHEEL_CACHE:-$HOME/.cache/mmavs/wheels}/torch-$torch_version-$abi$(mmcv_build_tag "$build_kind")
mmcv_spec=$(grep -v '^#' "$req/mmcv.txt" | head -n 1)

if ! ls "$cache"/mmcv-*.whl >/dev/null 2>&1; then
    echo "[mmavs] building mmcv ($mmcv_spec) with $build_kind ops against torch $torch_version; this takes a while"
    mkdir -p "$cache.tmp"
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} FORCE_CUDA=$force_cuda \
        "$py" -m pip wheel --disable-pip-version-check "${constraints[@]}" \
        --no-build-isolation --no-deps --no-binary mmcv -w "$cache.tmp" "$mmcv_spec"
    mkdir -p "$cache"
    mv "$cache.tmp"/mmcv-*.whl "$cache"/
    rm -rf "$cache.tmp"
fi
echo "[mmavs] installing mmcv from $cache"
"${pip[@]}" -q "$cache"/mmcv-*.whl

echo "[mmavs] installing mmavs and its runtime and test requirements"
"${pip[@]}" -q -r "$req/runtime.txt" -r "$req/tests.txt"
"${pip[@]}" -q --no-build-isolation --no-deps -e "$root"

"$py" - <<'PY'
import mmcv, mmcv.ops, mmengine, mmseg, torch, torchaudio
import mmavs
from mmavs.utils import mmcv_cuda_ops_available
assert torch.__version__.split('+')[0] == torchaudio.__version__.split('+')[0], \
    f'torch {torch.__version__} and torchaudio {torchaudio.__version__} differ'
print(f'[mmavs] ready: torch {torch.__version__}, torchaudio {torchaudio.__version__}, '
      f'mmcv {mmcv.__version__}, mmengine {mmengine.__version__}, mmseg {mmseg.__version__}, '
      f'mmavs {mmavs.__version__}, mmcv CUDA ops: {mmcv_cuda_ops_available()}')
PY
