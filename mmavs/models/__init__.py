# Copyright (c) mmavs contributors. All rights reserved.
# mmengine resolves parent-registry names only among modules already
# imported, so register mmseg's models before building any config.
import mmseg.models  # noqa: F401

from .audio_backbones import *  # noqa: F401,F403
from .backbones import *  # noqa: F401,F403
from .data_preprocessor import AVSDataPreprocessor  # noqa: F401
from .decode_heads import *  # noqa: F401,F403
from .fusion import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .necks import *  # noqa: F401,F403
from .segmentors import *  # noqa: F401,F403
