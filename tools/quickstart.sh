#!/usr/bin/env bash
# The main job on a fresh machine, CPU only: set up the environment, build the
# bundled synthetic AVS dataset (MS3, 270 training clips), train a small
# audio-visual model on it (TPAVI's architecture with CAVP's per-frame
# cross-attention, see configs/tpavi/README.md), test it and draw its
# predictions, test it again with swapped audio, silence and white noise
# (audio reliance), and segment a video of test clips with
# demo/video_demo.py. Seeded and deterministic.
# Outputs go to work_dirs/quickstart/ ($MMAVS_QUICKSTART_WORK), the data to
# data/synthetic_avs/ ($MMAVS_QUICKSTART_DATA).
#
#   bash tools/quickstart.sh               # set-up included
#   bash tools/quickstart.sh --skip-setup  # reuse an existing environment
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
start=$SECONDS
if [ "${1:-}" != "--skip-setup" ]; then
    bash "$root/tools/setup_env.sh"
fi
py=${MMAVS_VENV:-$root/.venv}/bin/python
cd "$root"

config=configs/tpavi/ca_r18-tiny_1xb4-10e_synthetic-ms3-96x96.py
work=${MMAVS_QUICKSTART_WORK:-work_dirs/quickstart}
data=${MMAVS_QUICKSTART_DATA:-data/synthetic_avs}
data_options=(--cfg-options "train_dataloader.dataset.data_root=$data"
    "val_dataloader.dataset.data_root=$data"
    "test_dataloader.dataset.data_root=$data")

step() {  # step NAME COMMAND...: run and time one step
    local name=$1 t0=$SECONDS
    shift
    echo "[quickstart] $name"
    "$@"
    echo "[quickstart] $name: $((SECONDS - t0)) s"
}

step data "$py" tools/dataset_converters/make_synthetic_avs.py --out "$data" \
    --seed 0 --subsets ms3 --num-train 270
step train "$py" tools/train.py "$config" --work-dir "$work" "${data_options[@]}"
ckpt=$(cat "$work/last_checkpoint")
step test "$py" tools/test.py "$config" "$ckpt" \
    --work-dir "$work/test_true_audio" --out "$work/pred_test_true_audio" \
    --show-dir "$work/show" "${data_options[@]}"
step reliance "$py" tools/analysis_tools/audio_reliance.py "$config" "$ckpt" \
    --work-dir "$work/audio_reliance" "${data_options[@]}"
rm -rf "$work/demo_clips"
step demo-input "$py" tools/misc/join_avs_clips.py "$data" "$work/demo_clips" \
    --subset ms3 --split test --num-clips 4
step demo "$py" demo/video_demo.py "$work/demo_clips" "$config" "$ckpt" \
    --out "$work/demo.mp4"
cat "$work/audio_reliance/reliance.md"
echo "[quickstart] done in $((SECONDS - start)) s: $work/audio_reliance/" \
    "(reliance.png, predictions.png), $work/demo.mp4"
