# Decide how tools/setup_env.sh builds mmcv's ops; sourced, not run.
#
#   mmcv_build_kind PYTHON   prints "cuda" or "cpu" (and why, on stderr)
#
# FORCE_CUDA=1 / FORCE_CUDA=0 in the environment decide. Otherwise the CUDA
# ops are built when nvcc is on PATH, a GPU is visible (nvidia-smi lists one,
# or torch.cuda.is_available()) and torch itself is a CUDA build; a machine
# with nvcc but no GPU stays a CPU build.

mmcv_gpu_visible() {
    local py=$1
    if command -v nvidia-smi >/dev/null 2>&1 &&
        nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
        return 0
    fi
    "$py" -c 'import sys, torch; sys.exit(not torch.cuda.is_available())' \
        >/dev/null 2>&1
}

mmcv_build_kind() {
    local py=$1
    case "${FORCE_CUDA:-}" in
    1) echo "[mmavs] FORCE_CUDA=1: building mmcv's CUDA ops" >&2; echo cuda; return ;;
    0) echo "[mmavs] FORCE_CUDA=0: building mmcv's CPU ops only" >&2; echo cpu; return ;;
    esac
    if ! command -v nvcc >/dev/null 2>&1; then
        echo "[mmavs] no nvcc on PATH: building mmcv's CPU ops only" >&2
        echo cpu
    elif ! mmcv_gpu_visible "$py"; then
        echo "[mmavs] nvcc found but no GPU visible: building mmcv's CPU ops only" >&2
        echo cpu
    elif ! "$py" -c 'import sys, torch; sys.exit(torch.version.cuda is None)' \
        >/dev/null 2>&1; then
        echo "[mmavs] GPU and nvcc found, but torch is a CPU build: building mmcv's CPU ops only" >&2
        echo cpu
    else
        echo "[mmavs] GPU and nvcc found: building mmcv with its CUDA ops (FORCE_CUDA=1)" >&2
        echo cuda
    fi
}

# The wheel-cache suffix of a build kind: "-cuda<nvcc release>" for a CUDA
# build, nothing for a CPU build (the key CPU wheels always had).
mmcv_build_tag() {
    local kind=$1
    if [ "$kind" = cuda ]; then
        local release
        release=$(nvcc --version 2>/dev/null | sed -n 's/.*release \([0-9.]*\).*/\1/p')
        echo "-cuda${release:-unknown}"
    fi
}
