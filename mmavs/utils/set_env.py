# Copyright (c) mmavs contributors. All rights reserved.
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register all mmavs (and the mmseg) modules into the registries.

    Args:
        init_default_scope (bool): Make ``mmavs`` the default scope, so that
            registries build modules from mmavs' nodes (and, through them,
            mmseg's and mmengine's). Defaults to True.
    """
    import mmavs.datasets  # noqa: F401,F403
    import mmavs.engine  # noqa: F401,F403
    import mmavs.evaluation  # noqa: F401,F403
    import mmavs.models  # noqa: F401,F403
    import mmavs.visualization  # noqa: F401,F403

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created('mmavs'):
        DefaultScope.get_instance('mmavs', scope_name='mmavs')
    elif current.scope_name != 'mmavs':
        warnings.warn(f'The current default scope "{current.scope_name}" is '
                      'not "mmavs"; register_all_modules switches it to '
                      '"mmavs". Pass init_default_scope=False to keep it.')
        DefaultScope.get_instance(
            f'mmavs-{datetime.datetime.now()}', scope_name='mmavs')
