# Copyright (c) mmavs contributors. All rights reserved.
"""The one set of unpickling rules for every file mmavs reads.

A pickle may name only these globals (:func:`allowed_globals`):

- torch's weights-only defaults (tensors, storages, dtypes, ``OrderedDict``,
  ``torch.Size``, ...);
- numpy's array, scalar and dtype reconstruction;
- mmengine's ``HistoryBuffer`` (message hub statistics), rebuilt only from a
  state of its own attributes (numeric arrays, an int ``max_length``); the
  statistics methods its pickle carries are checked and never re-registered;
- ``builtins.getattr`` mapped to :func:`history_buffer_method`, which
  returns a ``HistoryBuffer`` statistics method by name and refuses anything
  else (a pickled ``HistoryBuffer`` names its methods that way);
- ``torch.storage._load_from_bytes`` (a plain ``pickle.dump`` of a tensor)
  mapped to a weights-only load of those bytes.

Torch files (zip and legacy) are read by ``torch.load(weights_only=True)``
with these globals (:func:`torch_load`); plain pickles by
:class:`SafeUnpickler`, which applies the same table and torch's limits on
what may be called, built or filled (:func:`load_pickle`). Anything else
raises :class:`UnsafePickleError` naming the file, before it can run.
"""
import _compat_pickle
import io
import os
import pickle
from collections import Counter, OrderedDict
from typing import IO, Any, Callable, Dict, List, Optional, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from torch import _weights_only_unpickler

#: statistics methods a pickled HistoryBuffer may name (mmengine's defaults)
STATISTICS_METHODS = ('current', 'max', 'mean', 'min')
_HISTORY_BUFFER_STATE = ('max_length', '_log_history', '_count_history',
                         'statistics_methods')
_HISTORY_BUFFER = 'mmengine.logging.history_buffer.HistoryBuffer'
_DICT_TYPES = (dict, OrderedDict, Counter)


class UnsafePickleError(pickle.UnpicklingError, ValueError):
    """A pickle names something outside mmavs' unpickling rules."""


def history_buffer_method(*args) -> Callable:
    """Stand-in for ``builtins.getattr`` while unpickling.

    Returns ``getattr(HistoryBuffer, name)`` for the statistics methods in
    :data:`STATISTICS_METHODS`; raises :class:`UnsafePickleError` for any
    other object or name.
    """
    if len(args) == 2 and isinstance(args[0], type) and issubclass(
            args[0], HistoryBuffer) and args[1] in STATISTICS_METHODS:
        return getattr(HistoryBuffer, args[1])
    shown = ', '.join('getattr' if a is history_buffer_method else
                      _short_repr(a) for a in args)
    raise UnsafePickleError(
        f'getattr({shown}) refused: only HistoryBuffer statistics methods '
        f'{STATISTICS_METHODS} may be looked up by name')


class _CheckedHistoryBuffer(HistoryBuffer):
    """What a pickled ``HistoryBuffer`` is rebuilt through.

    Its state is checked, then the object becomes a plain ``HistoryBuffer``
    with that state; the ``statistics_methods`` it carries (which mmengine
    would write into the class-wide registry) are checked and dropped.
    """

    def __init__(self, *args, **kwargs) -> None:
        raise UnsafePickleError(
            'HistoryBuffer may only be rebuilt from its pickled state')

    def __setstate__(self, state: Any) -> None:
        _check_history_buffer_state(state)
        self.__class__ = HistoryBuffer
        HistoryBuffer.__setstate__(
            self,
            {k: v
             for k, v in state.items() if k != 'statistics_methods'})


def _check_history_buffer_state(state: Any) -> None:
    """Raise unless ``state`` is what mmengine pickles for a buffer."""
    if not isinstance(state, dict) or not set(state) <= set(
            _HISTORY_BUFFER_STATE):
        keys = sorted(state) if isinstance(state, dict) else type(state)
        raise UnsafePickleError(
            f'HistoryBuffer state {keys} refused: expected keys among '
            f'{_HISTORY_BUFFER_STATE}')
    methods = state.get('statistics_methods', {})
    if not isinstance(methods, dict) or any(
            name not in STATISTICS_METHODS
            or func is not getattr(HistoryBuffer, name)
            for name, func in methods.items()):
        raise UnsafePickleError(
            'HistoryBuffer statistics_methods refused: each must be the '
            f'HistoryBuffer method of its own name among {STATISTICS_METHODS}'
        )
    max_length = state.get('max_length', 1)
    if type(max_length) is not int or max_length < 1:
        raise UnsafePickleError(
            f'HistoryBuffer max_length {_short_repr(max_length)} refused: '
            'expected a positive int')
    for key in ('_log_history', '_count_history'):
        value = state.get(key)
        if value is not None and not (isinstance(value, np.ndarray)
                                      and value.dtype.kind in 'biuf'):
            raise UnsafePickleError(
                f'HistoryBuffer {key} {_short_repr(value)} refused: expected '
                'a numeric numpy array')


def _short_repr(obj: Any, limit: int = 60) -> str:
    text = repr(obj)
    return text if len(text) <= limit else text[:limit] + '...'


def _load_storage_from_bytes(data: bytes) -> Any:
    """Safe stand-in for ``torch.storage._load_from_bytes``."""
    return torch.load(io.BytesIO(data), map_location='cpu', weights_only=True)


def _numpy_globals() -> List[Any]:
    """numpy callables and classes that pickled arrays and scalars use."""
    multiarray = getattr(np, '_core', None) or np.core
    types: List[Any] = [
        np.ndarray, np.dtype, multiarray.multiarray._reconstruct,
        multiarray.multiarray.scalar
    ]
    types += sorted({type(np.dtype(c))
                     for c in np.sctypeDict.values()}, key=str)
    # files pickled under numpy 1 (e.g. the VGGish PCA release) name these
    # numpy.core.multiarray.*, a module path numpy 2 no longer has
    types += [(f, f'numpy.core.multiarray.{f.__name__}')
              for f in (multiarray.multiarray._reconstruct,
                        multiarray.multiarray.scalar)]
    return types


def allowed_globals() -> List[Any]:
    """mmavs' additions to torch's weights-only globals, in the form of
    :func:`torch.serialization.safe_globals` (an object, or an object and
    the name a pickle calls it by)."""
    # protocol >= 4 names the methods by qualified name, not via getattr
    methods = [(getattr(HistoryBuffer, name), f'{_HISTORY_BUFFER}.{name}')
               for name in STATISTICS_METHODS]
    return _numpy_globals() + methods + [
        (_CheckedHistoryBuffer, _HISTORY_BUFFER),
        (history_buffer_method, 'builtins.getattr'),
        (_load_storage_from_bytes, 'torch.storage._load_from_bytes'),
    ]


def _global_table() -> Dict[str, Any]:
    """Every name a pickle may use and the object it stands for."""
    table = dict(_weights_only_unpickler._get_allowed_globals())
    for entry in allowed_globals():
        obj, name = entry if isinstance(entry, tuple) else (
            entry, f'{entry.__module__}.{entry.__qualname__}')
        table[name] = obj
    return table


def _refused(source: str, err: BaseException) -> UnsafePickleError:
    """The error for a refused file, with the unpickler's own reason (torch
    wraps it in advice to load with ``weights_only=False``)."""
    reason = err.__context__ if isinstance(
        err.__context__, pickle.UnpicklingError) else err
    return UnsafePickleError(
        f'{source}: refused to unpickle ({reason}). mmavs reads only '
        'tensors, numpy arrays and scalars and mmengine message-hub '
        'statistics (see mmavs/utils/safe_unpickle.py).')


def torch_load(file: Union[str, os.PathLike, IO[bytes]],
               map_location: Optional[Any] = None) -> Any:
    """``torch.load(weights_only=True)`` with :func:`allowed_globals`.

    Args:
        file (str | os.PathLike | IO[bytes]): A ``torch.save`` file (zip or
            legacy format).
        map_location (optional): As in :func:`torch.load`.

    Returns:
        The unpickled object.

    Raises:
        UnsafePickleError: The file names something outside the rules.
    """
    with torch.serialization.safe_globals(allowed_globals()):
        try:
            return torch.load(
                file, map_location=map_location, weights_only=True)
        except pickle.UnpicklingError as err:
            raise _refused(_name_of(file), err) from err


def _name_of(file: Union[str, os.PathLike, IO[bytes]]) -> str:
    if isinstance(file, (str, os.PathLike)):
        return os.fspath(file)
    return getattr(file, 'name', '<stream>')


class SafeUnpickler(pickle._Unpickler):
    """Unpickler of plain pickles with the rules of :func:`torch_load`.

    Globals come from the same table; a call (``REDUCE``, ``NEWOBJ``) needs
    an allowed callable, ``BUILD`` an instance of an allowed type (or an
    ``OrderedDict``), items go only into lists, dicts and sets; ``INST``,
    ``OBJ``, extension codes and persistent ids are refused.
    """

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file: IO[bytes]) -> None:
        super().__init__(file)
        self._table = _global_table()
        self._allowed_ids = {id(obj) for obj in self._table.values()}

    def _check_allowed(self, obj: Any, what: str) -> None:
        if id(obj) not in self._allowed_ids:
            raise UnsafePickleError(f'{what} {_short_repr(obj)} refused: '
                                    'not an allowed global')

    def find_class(self, module: str, name: str) -> Any:
        if self.proto < 3:
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        obj = self._table.get(f'{module}.{name}')
        if obj is None:
            raise UnsafePickleError(
                f'global {module}.{name} refused: not an allowed global')
        return obj

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickleError('persistent ids are refused')

    def load_reduce(self) -> None:
        self._check_allowed(self.stack[-2], 'call of')
        super().load_reduce()

    def load_newobj(self) -> None:
        self._check_allowed(self.stack[-2], 'instance of')
        super().load_newobj()

    def load_newobj_ex(self) -> None:
        self._check_allowed(self.stack[-3], 'instance of')
        super().load_newobj_ex()

    def load_build(self) -> None:
        inst = self.stack[-2]
        if type(inst) is not OrderedDict:
            self._check_allowed(type(inst), 'building an instance of')
        super().load_build()

    def _check_target(self, types: tuple, what: str,
                      depth: Optional[int]) -> None:
        """Raise unless the object filled (``depth`` below the top of the
        stack, or the one below the last mark if None) is of ``types``."""
        target = (self.metastack[-1][-1]
                  if depth is None else self.stack[-depth])
        if type(target) not in types:
            raise UnsafePickleError(
                f'{what} into a {type(target).__name__} refused')

    def load_append(self) -> None:
        self._check_target((list, ), 'append', 2)
        super().load_append()

    def load_appends(self) -> None:
        self._check_target((list, ), 'append', None)
        super().load_appends()

    def load_setitem(self) -> None:
        self._check_target(_DICT_TYPES, 'setitem', 3)
        super().load_setitem()

    def load_setitems(self) -> None:
        self._check_target(_DICT_TYPES, 'setitems', None)
        super().load_setitems()

    def load_additems(self) -> None:
        self._check_target((set, ), 'additems', None)
        super().load_additems()

    def _refuse_opcode(self) -> None:
        raise UnsafePickleError(
            'INST, OBJ and extension-code opcodes are refused')

    for _opcode, _method in ((pickle.REDUCE, load_reduce),
                             (pickle.NEWOBJ, load_newobj),
                             (pickle.NEWOBJ_EX, load_newobj_ex),
                             (pickle.BUILD, load_build),
                             (pickle.APPEND, load_append),
                             (pickle.APPENDS, load_appends),
                             (pickle.SETITEM, load_setitem),
                             (pickle.SETITEMS, load_setitems),
                             (pickle.ADDITEMS, load_additems),
                             (pickle.INST, _refuse_opcode),
                             (pickle.OBJ, _refuse_opcode),
                             (pickle.EXT1, _refuse_opcode),
                             (pickle.EXT2, _refuse_opcode),
                             (pickle.EXT4, _refuse_opcode)):
        dispatch[_opcode[0]] = _method
    del _opcode, _method


def load_pickle(file: Union[str, os.PathLike]) -> Any:
    """Unpickle a plain pickle file with :class:`SafeUnpickler`.

    Args:
        file (str | os.PathLike): A ``pickle.dump`` file.

    Returns:
        The unpickled object.

    Raises:
        UnsafePickleError: The file names something outside the rules.
    """
    with open(file, 'rb') as f:
        try:
            return SafeUnpickler(f).load()
        except pickle.UnpicklingError as err:
            raise _refused(os.fspath(file), err) from err
