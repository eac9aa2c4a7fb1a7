# Copyright (c) mmavs contributors. All rights reserved.
"""mmavs registries: children of MMSegmentation's (and, where mmseg has none,
MMEngine's), so configs with ``default_scope='mmavs'`` find mmavs, mmseg and
mmengine modules, and ``mmseg.``-prefixed types resolve in mmseg's scope."""
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import Registry
from mmseg.registry import DATA_SAMPLERS as MMSEG_DATA_SAMPLERS
from mmseg.registry import DATASETS as MMSEG_DATASETS
from mmseg.registry import EVALUATOR as MMSEG_EVALUATOR
from mmseg.registry import HOOKS as MMSEG_HOOKS
from mmseg.registry import INFERENCERS as MMSEG_INFERENCERS
from mmseg.registry import LOG_PROCESSORS as MMSEG_LOG_PROCESSORS
from mmseg.registry import LOOPS as MMSEG_LOOPS
from mmseg.registry import METRICS as MMSEG_METRICS
from mmseg.registry import MODEL_WRAPPERS as MMSEG_MODEL_WRAPPERS
from mmseg.registry import MODELS as MMSEG_MODELS
from mmseg.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMSEG_OPTIM_WRAPPER_CONSTRUCTORS
from mmseg.registry import OPTIM_WRAPPERS as MMSEG_OPTIM_WRAPPERS
from mmseg.registry import OPTIMIZERS as MMSEG_OPTIMIZERS
from mmseg.registry import PARAM_SCHEDULERS as MMSEG_PARAM_SCHEDULERS
from mmseg.registry import RUNNER_CONSTRUCTORS as MMSEG_RUNNER_CONSTRUCTORS
from mmseg.registry import RUNNERS as MMSEG_RUNNERS
from mmseg.registry import TASK_UTILS as MMSEG_TASK_UTILS
from mmseg.registry import TRANSFORMS as MMSEG_TRANSFORMS
from mmseg.registry import VISBACKENDS as MMSEG_VISBACKENDS
from mmseg.registry import VISUALIZERS as MMSEG_VISUALIZERS
from mmseg.registry import WEIGHT_INITIALIZERS as MMSEG_WEIGHT_INITIALIZERS

_ENGINE = ['mmavs.engine']

RUNNERS = Registry('runner', parent=MMSEG_RUNNERS, locations=_ENGINE)
RUNNER_CONSTRUCTORS = Registry(
    'runner constructor', parent=MMSEG_RUNNER_CONSTRUCTORS, locations=_ENGINE)
LOOPS = Registry('loop', parent=MMSEG_LOOPS, locations=_ENGINE)
HOOKS = Registry('hook', parent=MMSEG_HOOKS, locations=_ENGINE)
LOG_PROCESSORS = Registry(
    'log_processor', parent=MMSEG_LOG_PROCESSORS, locations=_ENGINE)
OPTIMIZERS = Registry('optimizer', parent=MMSEG_OPTIMIZERS, locations=_ENGINE)
OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMSEG_OPTIM_WRAPPERS, locations=_ENGINE)
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMSEG_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=_ENGINE)
PARAM_SCHEDULERS = Registry(
    'parameter scheduler', parent=MMSEG_PARAM_SCHEDULERS, locations=_ENGINE)

DATASETS = Registry(
    'dataset', parent=MMSEG_DATASETS, locations=['mmavs.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler', parent=MMSEG_DATA_SAMPLERS, locations=['mmavs.datasets'])
TRANSFORMS = Registry(
    'transform', parent=MMSEG_TRANSFORMS, locations=['mmavs.datasets'])
# collate functions (mmseg has no FUNCTIONS registry of its own)
FUNCTIONS = Registry(
    'function', parent=MMENGINE_FUNCTIONS, locations=['mmavs.datasets'])

MODELS = Registry('model', parent=MMSEG_MODELS, locations=['mmavs.models'])
MODEL_WRAPPERS = Registry(
    'model_wrapper', parent=MMSEG_MODEL_WRAPPERS, locations=['mmavs.models'])
WEIGHT_INITIALIZERS = Registry(
    'weight initializer',
    parent=MMSEG_WEIGHT_INITIALIZERS,
    locations=['mmavs.models'])
TASK_UTILS = Registry(
    'task util', parent=MMSEG_TASK_UTILS, locations=['mmavs.models'])

METRICS = Registry(
    'metric', parent=MMSEG_METRICS, locations=['mmavs.evaluation'])
EVALUATOR = Registry(
    'evaluator', parent=MMSEG_EVALUATOR, locations=['mmavs.evaluation'])

VISUALIZERS = Registry(
    'visualizer', parent=MMSEG_VISUALIZERS, locations=['mmavs.visualization'])
VISBACKENDS = Registry(
    'vis_backend', parent=MMSEG_VISBACKENDS, locations=['mmavs.visualization'])

INFERENCERS = Registry(
    'inferencer', parent=MMSEG_INFERENCERS, locations=['mmavs.apis'])
