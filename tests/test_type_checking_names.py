"""The argument checker resolves the names a module imports only for type checking by importing
them itself (``importlib``, no ``exec``), the first time an annotation names them: relative
imports against the module's package, ``import a.b`` as ``a``, ``import a.b as c`` as ``a.b``."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from constructs_ecs._errors import ConfigurationError

_PACKAGE = {
    "__init__.py": "",
    "kinds.py": "class Kind:\n    pass\n",
    "sub/__init__.py": "",
    "sub/deep.py": "class Deep:\n    pass\n",
    "heavy.py": "class Heavy:\n    pass\n",
    "user.py": """
        from __future__ import annotations

        from typing import TYPE_CHECKING

        from constructs_ecs._arguments import checked

        if TYPE_CHECKING:
            import json.decoder
            import xml.dom as dom

            from . import kinds
            from .heavy import Heavy
            from .kinds import Kind as Renamed
            from .sub import deep


        @checked()
        def takes_kind(value: Renamed) -> None:
            pass


        @checked()
        def takes_module_attribute(value: kinds.Kind | deep.Deep) -> None:
            pass


        @checked()
        def takes_plain_imports(value: json.decoder.JSONDecoder | dom.Node) -> None:
            pass


        @checked()
        def takes_heavy(value: Heavy) -> None:
            pass
    """,
}


@pytest.fixture
def package(tmp_path: Path) -> Iterator[str]:
    name = "tc_names_probe"
    for path, text in _PACKAGE.items():
        file = tmp_path / name / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(textwrap.dedent(text))
    sys.path.insert(0, str(tmp_path))
    try:
        yield name
    finally:
        sys.path.remove(str(tmp_path))
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]


def test_relative_and_renamed_from_imports_resolve(package: str) -> None:
    import importlib

    user = importlib.import_module(f"{package}.user")
    kinds = importlib.import_module(f"{package}.kinds")
    user.takes_kind(kinds.Kind())
    with pytest.raises(ConfigurationError, match=r"^value: got 1; expected a Kind"):
        user.takes_kind(1)


def test_a_submodule_imported_from_its_package_resolves(package: str) -> None:
    import importlib

    user = importlib.import_module(f"{package}.user")
    assert f"{package}.sub.deep" not in sys.modules
    deep = importlib.import_module(f"{package}.sub.deep")
    user.takes_module_attribute(deep.Deep())
    with pytest.raises(ConfigurationError, match=r"^value: got 'x'; expected a Kind or a Deep"):
        user.takes_module_attribute("x")


def test_plain_imports_bind_the_top_package_or_the_alias(package: str) -> None:
    import importlib
    import json
    from xml.dom import minidom

    user = importlib.import_module(f"{package}.user")
    user.takes_plain_imports(json.decoder.JSONDecoder())
    user.takes_plain_imports(minidom.Document())
    with pytest.raises(
        ConfigurationError, match=r"^value: got 2; expected a JSONDecoder or a Node"
    ):
        user.takes_plain_imports(2)


def test_a_type_checking_import_runs_only_when_an_annotation_is_read(package: str) -> None:
    import importlib

    user = importlib.import_module(f"{package}.user")
    assert f"{package}.heavy" not in sys.modules
    user.takes_kind(importlib.import_module(f"{package}.kinds").Kind())
    assert f"{package}.heavy" not in sys.modules  # hints resolve per function, name by name
    with pytest.raises(ConfigurationError):
        user.takes_heavy(None)
    assert f"{package}.heavy" in sys.modules
