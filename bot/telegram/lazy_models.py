"""aiogram's pydantic models, built when first used instead of while aiogram is imported.

Importing aiogram builds the validators of all of Telegram's types and methods up front: about 550 pydantic
models, 2.4 s of CPU on a quiet 2-core machine (4.3 s on a loaded one), which was most of the bot's cold start
(benchmarks/README.md). The bot uses a few dozen of them. pydantic's own ``defer_build`` setting postpones a
model's build to its first validation; aiogram already sets it on its types, but then defeats it with a loop at
the end of ``aiogram.types`` that calls ``model_rebuild`` on every type (to resolve their forward references),
and its methods do not set it at all.

:func:`install` (called by ``bot/__init__.py``, so before anything of the bot imports aiogram) puts a finder on
``sys.meta_path`` that changes two things while, and only while, the ``aiogram`` package itself is imported:

- every model class defined in an ``aiogram.*`` module gets ``defer_build=True``;
- ``aiogram.types``' ``model_rebuild(_types_namespace=...)`` loop does not build: it only makes each name of that
  namespace visible in the type's module, which is what the rebuild was for; the first validation then
  resolves the forward references from there, as an eager rebuild would have.

aiogram's code is not changed, and the models are the same classes with the same validation; only the moment
they are built moves (each one once, on first use: about 0.1 s for ``Update`` with everything it holds). If
aiogram was imported before :func:`install`, or pydantic's internals have moved, nothing is changed and aiogram
builds eagerly as it always did (slower, never wrong). ``tests/test_lazy_models.py`` holds both halves.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any

PACKAGE = "aiogram"


def install() -> None:
    """Defer the build of aiogram's models, if aiogram has not been imported yet (idempotent)."""
    if PACKAGE in sys.modules or any(isinstance(f, _AiogramFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _AiogramFinder())


class _AiogramFinder(importlib.abc.MetaPathFinder):
    """Finds ``aiogram`` through the other finders and wraps its loading in :func:`_deferred`. It steps aside
    after that one import: the package's submodules are imported while the package's own code runs."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != PACKAGE:
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec: importlib.machinery.ModuleSpec | None = find(fullname, path, target) if find else None
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _DeferringLoader(spec.loader)
                return spec
        return None


class _DeferringLoader(importlib.abc.Loader):
    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        result: ModuleType | None = self._loader.create_module(spec)
        return result

    def exec_module(self, module: ModuleType) -> None:
        with _deferred():
            self._loader.exec_module(module)
        _build_shared()


def _build_shared() -> None:
    """Build ``Message`` now: nearly every model the bot meets holds one (``Update``, ``CallbackQuery``, the
    answers to sendMessage and editMessageText), and while it is unbuilt each of them generates its schema
    again; built once, they refer to it (0.5 → 0.2 s of CPU for the five the bot needs first)."""
    from aiogram.types import Message

    Message.model_rebuild(raise_errors=False)


@contextlib.contextmanager
def _deferred() -> Iterator[None]:
    try:
        from pydantic import BaseModel
        from pydantic._internal._config import ConfigWrapper
    except ImportError:  # pragma: no cover - pydantic is a dependency of aiogram
        yield
        return
    original_for_model = ConfigWrapper.__dict__.get("for_model")
    original_rebuild = BaseModel.__dict__.get("model_rebuild")
    if not isinstance(original_for_model, classmethod) or not isinstance(original_rebuild, classmethod):
        yield  # pydantic's internals have moved: build eagerly, as aiogram does on its own
        return
    for_model = original_for_model.__func__
    rebuild = original_rebuild.__func__

    def deferring_for_model(cls: type[ConfigWrapper], bases: Any, namespace: dict[str, Any], *args: Any,
                            **kwargs: Any) -> ConfigWrapper:
        wrapper: ConfigWrapper = for_model(cls, bases, namespace, *args, **kwargs)
        if str(namespace.get("__module__", "")).startswith(PACKAGE + "."):
            wrapper.config_dict["defer_build"] = True
        return wrapper

    def resolving_rebuild(cls: type[BaseModel], *, force: bool = False, raise_errors: bool = True,
                          _parent_namespace_depth: int = 2,
                          _types_namespace: dict[str, Any] | None = None) -> bool | None:
        if _types_namespace is not None and not force and cls.__module__.startswith(PACKAGE + "."):
            # What the eager rebuild would resolve names against, made visible where the lazy build looks.
            names = vars(sys.modules[cls.__module__])
            for name, value in _types_namespace.items():
                names.setdefault(name, value)
            return None
        result: bool | None = rebuild(cls, force=force, raise_errors=raise_errors,
                                      _parent_namespace_depth=_parent_namespace_depth,
                                      _types_namespace=_types_namespace)
        return result

    setattr(ConfigWrapper, "for_model", classmethod(deferring_for_model))  # noqa: B010 (a patch, for a while)
    setattr(BaseModel, "model_rebuild", classmethod(resolving_rebuild))  # noqa: B010
    try:
        yield
    finally:
        setattr(ConfigWrapper, "for_model", original_for_model)  # noqa: B010
        setattr(BaseModel, "model_rebuild", original_rebuild)  # noqa: B010
