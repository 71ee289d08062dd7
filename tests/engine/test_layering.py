"""fastnet's imports follow its layers (DESIGN.md, "Layers of the engine").

Every module of the package is read with `ast`, nothing is imported, and
three rules are checked:

1. No import circles. Imports inside functions count too, unless LAZY
   lists them with the reason they are there.
2. Nothing imports upward. The layers, top first: the `fastnet` command;
   the front ends (keras, scratch, and later sklearn, serve); the engine
   API (layers, nets, optimizers, gradient, functions, datasets, device,
   threads, plot, progress, gemm, readers); the backend; the compiled
   modules. A module imports its own layer or the ones below.
3. No private name across packages. An underscored module or name belongs
   to the package that holds it: the modules of that package (its
   `__init__` included) may import it, others may not. fastnet's own
   underscored modules at the root (`_build_check`, the compiled
   extensions while they live there) serve the engine and the backend,
   never a front end: those use only public names.
4. A front end reaches the backend through its registry only
   (`fastnet.backend`: current, load, ...), which hands out the checked
   backend; importing a backend's module would bypass the checks.

A new top-level module must be given a layer in LAYERS.
"""

import ast
import importlib.machinery
from pathlib import Path

import pytest

import fastnet

PACKAGE = "fastnet"

COMPILED, BACKEND, ENGINE, FRONT_END, COMMAND = range(5)
LAYER_NAMES = ("compiled", "backend", "engine API", "front end", "command")

# The layer of fastnet.<name>, for every name at the top of the package.
LAYERS = {
    # The command runs the front ends (`fastnet run` is fastnet.scratch's
    # runner), so it sits above them.
    "cli": COMMAND,
    "__main__": COMMAND,
    "keras": FRONT_END,
    "scratch": FRONT_END,
    # The book's code in plain NumPy, the baseline `fastnet train` compares against.
    "book_numpy": FRONT_END,
    "sklearn": FRONT_END,
    "serve": FRONT_END,
    "layers": ENGINE,
    "nets": ENGINE,
    "optimizers": ENGINE,
    "gradient": ENGINE,
    "numgrad": ENGINE,
    "functions": ENGINE,
    "datasets": ENGINE,
    "device": ENGINE,
    "threads": ENGINE,
    "plot": ENGINE,
    "progress": ENGINE,
    "gemm": ENGINE,
    "readers": ENGINE,
    "backend": BACKEND,
    # Whether the compiled modules were built: the backend registry asks it.
    "_build_check": BACKEND,
}
# fastnet/__init__.py: the engine's own face (set_backend, to_device, threads).
ROOT_LAYER = ENGINE

# (importer, imported): why this import inside a function may close a circle.
LAZY = {}


class Package:
    """The modules of a package on disk and the imports each one makes."""

    def __init__(self, directory, name=PACKAGE):
        self.directory = Path(directory)
        self.name = name
        self.sources = {}  # module name -> .py path
        self.packages = set()
        self.compiled = set()
        for path in sorted(self.directory.rglob("*")):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            module = self._module_name(path)
            if module is None:
                continue
            if path.suffix == ".py":
                self.sources[module] = path
                if path.name == "__init__.py":
                    self.packages.add(module)
            else:
                self.compiled.add(module)
        self.compiled -= set(self.sources)
        self.modules = set(self.sources) | self.compiled
        self.imports = {module: list(self._imports(module)) for module in self.sources}

    def _module_name(self, path):
        relative = path.relative_to(self.directory)
        file = relative.name
        if file.endswith(".py"):
            stem = file[:-3]
        elif file.endswith((".pyx", ".pyi")):
            stem = file[:-4]
        else:
            stem = next((file[:-len(s)] for s in importlib.machinery.EXTENSION_SUFFIXES
                         if file.endswith(s)), None)
            if stem is None:
                return None
        parts = [self.name, *relative.parent.parts]
        if stem != "__init__":
            parts.append(stem)
        return ".".join(parts)

    def package_of(self, module):
        """The package a module belongs to: itself for a package, else its parent."""
        return module if module in self.packages else module.rpartition(".")[0]

    def _imports(self, module):
        """(imported module, full dotted name, line, inside a function) for each import."""
        tree = ast.parse(self.sources[module].read_text(encoding="utf-8"))
        for node, lazy in _walk(tree, False):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield self._resolve(alias.name), alias.name, node.lineno, lazy
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = self.package_of(module).split(".")
                    anchor = anchor[:len(anchor) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    yield self._resolve(full), full, node.lineno, lazy

    def _resolve(self, dotted):
        """The module a dotted name lives in: the longest known module it starts with."""
        parts = dotted.split(".")
        while parts:
            name = ".".join(parts)
            if name in self.modules:
                return name
            parts.pop()
        return None  # outside this package

    def layer(self, module):
        if module in self.compiled:
            return COMPILED
        parts = module.split(".")
        return ROOT_LAYER if len(parts) == 1 else LAYERS.get(parts[1])


def _walk(node, lazy):
    """Every node with whether it runs only when a function is called."""
    for child in ast.iter_child_nodes(node):
        inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        yield child, inner
        yield from _walk(child, inner)


def unplaced(package):
    return sorted(m for m in package.modules if package.layer(m) is None)


def upward_imports(package):
    found = []
    for module, imports in package.imports.items():
        for target, _, line, _ in imports:
            if target is None or package.layer(module) is None or package.layer(target) is None:
                continue
            if package.layer(target) > package.layer(module):
                found.append(f"{module} (line {line}, {LAYER_NAMES[package.layer(module)]}) "
                             f"imports {target} ({LAYER_NAMES[package.layer(target)]})")
    return found


def private_imports(package):
    found = []
    for module, imports in package.imports.items():
        importer_package = package.package_of(module)
        for target, full, line, _ in imports:
            if target is None:
                continue
            parts = full.split(".")
            private = next((i for i, part in enumerate(parts)
                            if part.startswith("_") and not part.endswith("__")), None)
            if private is None:
                continue
            holder = ".".join(parts[:private])
            owner = holder if holder in package.packages else holder.rpartition(".")[0]
            if owner == importer_package:
                continue
            at_root = owner == package.name and holder == package.name
            if at_root and package.layer(module) is not None \
                    and package.layer(module) <= ENGINE:
                continue
            found.append(f"{module} (line {line}) imports {full}, private to {owner}")
    return found


def backend_bypasses(package):
    found = []
    for module, imports in package.imports.items():
        if (package.layer(module) or 0) < FRONT_END:
            continue
        for target, _, line, _ in imports:
            if target is not None and target != f"{package.name}.backend" \
                    and package.layer(target) in (BACKEND, COMPILED):
                found.append(f"{module} (line {line}) imports {target}")
    return found


def circles(package, lazy_allowed=LAZY):
    """Each strongly connected group of modules (Tarjan), as a sorted list."""
    graph = {module: sorted({target for target, _, _, lazy in imports
                             if target is not None and target != module
                             and not (lazy and (module, target) in lazy_allowed)})
             for module, imports in package.imports.items()}
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph.get(module, ()):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(groups)


@pytest.fixture(scope="module")
def package():
    return Package(Path(fastnet.__file__).parent)


def test_every_module_has_a_layer(package):
    assert not unplaced(package), "give these a layer in LAYERS"


def test_no_import_circles(package):
    assert circles(package) == []


def test_nothing_imports_upward(package):
    assert upward_imports(package) == []


def test_no_private_names_across_packages(package):
    assert private_imports(package) == []


def test_front_ends_reach_the_backend_only_through_its_registry(package):
    assert backend_bypasses(package) == []


def test_lazy_imports_listed_are_still_there(package):
    present = {(module, target) for module, imports in package.imports.items()
               for target, _, _, lazy in imports if lazy}
    assert set(LAZY) <= present


def _write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_rules_catch_what_they_forbid(tmp_path):
    root = tmp_path / PACKAGE
    _write(root, {
        "__init__.py": "",
        "_gemm.pyx": "",
        "cli.py": "from .scratch import run\n",
        "scratch/__init__.py": "from .runner import run\n",
        "scratch/runner.py": "from fastnet.cli import main\nfrom fastnet.nets import _helper\n"
                             "from fastnet.backend import load, reference\n",
        "backend/reference.py": "",
        "scratch/__main__.py": "def main():\n    from .. import cli\n",
        "nets/__init__.py": "from ._init import zeros\nfrom .base import Net\n",
        "nets/_init.py": "from .. import _gemm\n",
        "nets/base.py": "from . import _init\ndef f():\n    from fastnet.nets import Net\n",
        "keras/__init__.py": "from . import models\n",
        "keras/models.py": "from .layers.base import Layer\nfrom fastnet import _gemm\n",
        "keras/layers/__init__.py": "",
        "keras/layers/base.py": "def get():\n    from ..models import _to_numpy\n",
        "backend/__init__.py": "from ..layers import Affine\nfrom .. import _gemm\n",
        "layers/__init__.py": "",
        "newthing.py": "",
    })
    fake = Package(root)
    assert unplaced(fake) == ["fastnet.newthing"]
    assert circles(fake) == [
        ["fastnet.cli", "fastnet.scratch", "fastnet.scratch.runner"],
        ["fastnet.keras.layers.base", "fastnet.keras.models"],
        ["fastnet.nets", "fastnet.nets.base"],
    ]
    assert sorted(upward_imports(fake)) == [
        "fastnet.backend (line 1, backend) imports fastnet.layers (engine API)",
        "fastnet.scratch.__main__ (line 2, front end) imports fastnet.cli (command)",
        "fastnet.scratch.runner (line 1, front end) imports fastnet.cli (command)",
    ]
    assert sorted(private_imports(fake)) == [
        "fastnet.keras.layers.base (line 2) imports fastnet.keras.models._to_numpy, "
        "private to fastnet.keras",
        "fastnet.keras.models (line 2) imports fastnet._gemm, private to fastnet",
        "fastnet.scratch.runner (line 2) imports fastnet.nets._helper, private to fastnet.nets",
    ]
    assert backend_bypasses(fake) == [
        "fastnet.keras.models (line 2) imports fastnet._gemm",
        "fastnet.scratch.runner (line 3) imports fastnet.backend.reference",
    ]
    assert circles(fake, {("fastnet.keras.layers.base", "fastnet.keras.models"): "why"}) == [
        ["fastnet.cli", "fastnet.scratch", "fastnet.scratch.runner"],
        ["fastnet.nets", "fastnet.nets.base"],
    ]
