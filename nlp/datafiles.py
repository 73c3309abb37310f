"""The spaCy life cycle of Murmure's rule components, whose behaviour is data files.

`initialize` reads the shipped files (nlp/data, the taxonomy), `to_disk` saves them with the
pipeline and `from_disk` reads them back from it, so a saved pipeline tags the same way whatever
the installed files have become since. Profile values stay in the component's config.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Self

DATA_DIR = Path(__file__).with_name("data")  # every file here is part of the stage's version


class DataComponent:
    """A component built from named data files; `files` says where each shipped one is."""

    files: ClassVar[dict[str, Path]] = {}
    data: dict[str, str]

    def build(self, data: Mapping[str, str]) -> None:
        """Compiles the component from the files' texts, by name."""
        raise NotImplementedError

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Any = None,
        data_dir: str | None = None,
    ) -> None:
        """Reads the shipped files, or the same names in `data_dir`."""
        folder = Path(data_dir) if data_dir else None
        self._load({name: folder / name if folder else path for name, path in self.files.items()})

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in self.data.items():
            (folder / name).write_text(text, encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> Self:
        self._load({name: Path(path) / name for name in self.files})
        return self

    def _load(self, paths: Mapping[str, Path]) -> None:
        self.data = {name: path.read_text(encoding="utf-8") for name, path in paths.items()}
        self.build(self.data)

    def __getattr__(self, name: str) -> Any:
        # Only reached when the attribute is missing: costs nothing once the data is loaded.
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(
            f"{type(self).__name__}.{name} is missing: its data files are not loaded "
            "(nlp.initialize(), or spacy.load of a saved pipeline)"
        )
