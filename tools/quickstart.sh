#!/usr/bin/env bash
# The main job on a fresh machine, CPU only: set up the environment, build the
# bundled synthetic AVS dataset, train a small TPAVI on its MS3 split, test it
# and draw its predictions, then test it again with swapped audio, silence and
# white noise (audio reliance). Outputs go to work_dirs/quickstart/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/tools/setup_env.sh"
py=${MMAVS_VENV:-$root/.venv}/bin/python
cd "$root"

config=configs/tpavi/tpavi_r18-tiny_1xb4-40e_synthetic-ms3-96x96.py
work=work_dirs/quickstart
data=data/synthetic_avs

"$py" tools/dataset_converters/make_synthetic_avs.py --out "$data" --seed 0
"$py" tools/train.py "$config" --work-dir "$work"
ckpt=$(cat "$work/last_checkpoint")
"$py" tools/test.py "$config" "$ckpt" --work-dir "$work/test_true_audio" \
    --out "$work/pred_test_true_audio" --show-dir "$work/show"
"$py" tools/analysis_tools/audio_reliance.py "$config" "$ckpt" \
    --work-dir "$work/audio_reliance"
