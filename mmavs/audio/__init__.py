# Copyright (c) mmavs contributors. All rights reserved.
from .io import AudioDecodeError, check_wav_length, load_wav, require_finite
from .log_mel import (LOG_MEL_SAMPLE_RATE, cavp_crop_chunks, frame_windows,
                      log_mel_db, waveform_to_log_mel)
from .vggish_frontend import (frame, htk_mel_matrix, log_mel_spectrogram,
                              pad_or_cut_examples, periodic_hann,
                              stft_magnitude, waveform_to_vggish_examples)

__all__ = [
    'AudioDecodeError', 'check_wav_length', 'load_wav', 'require_finite',
    'frame', 'htk_mel_matrix', 'log_mel_spectrogram', 'pad_or_cut_examples',
    'periodic_hann', 'stft_magnitude', 'waveform_to_vggish_examples',
    'LOG_MEL_SAMPLE_RATE', 'cavp_crop_chunks', 'frame_windows', 'log_mel_db',
    'waveform_to_log_mel'
]
