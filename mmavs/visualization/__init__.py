# Copyright (c) mmavs contributors. All rights reserved.
# mmseg's SegLocalVisualizer and backends, visible from the mmavs scope.
import mmseg.visualization  # noqa: F401
