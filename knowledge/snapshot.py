"""A built matcher saved on disk, so that a restart reads again only what changed since.

Loading 10,000 entries means parsing their YAML and running every text through Sudachi: seconds.
A snapshot is the matcher as it was built last time, with the engine's own fingerprint (its source
code, Python and the versions of the libraries that shape the index). On a restart it is reused
as it is when the folder still holds the same bytes (and no review date passed in between), and
otherwise serves as `earlier` for the rebuild: only the changed files are parsed and only the
changed texts analysed. A snapshot written by other code is never read past its small header.

The snapshot is a pickle: the cache folder must be writable by the bot's own account only (it is
created so), like the SQLite database beside it.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import logging
import os
import pickle
import sys
from collections.abc import Iterator
from datetime import date
from importlib import metadata
from pathlib import Path

from knowledge.loader import is_unchanged, load
from knowledge.matcher import Matcher, MatchSettings

log = logging.getLogger(__name__)

_FORMAT = 1
# What else shapes a built matcher, besides the engine's own source files.
_LIBRARIES = ("sudachipy", "sudachidict-core", "numpy", "rapidfuzz", "pyyaml", "snowballstemmer", "jaconv")


@functools.cache
def engine_fingerprint() -> str:
    """Changes whenever this package's code, Python or a library that shapes the index does."""
    return code_fingerprint(Path(__file__).parent)


def code_fingerprint(package: Path) -> str:
    """A digest of the `*.py` files of `package`, Python's version and the libraries' versions."""
    digest = hashlib.blake2b(f"{_FORMAT} {sys.version}".encode(), digest_size=16)
    for library in _LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f" {library}={metadata.version(library)}".encode())
    for source in sorted(package.glob("*.py")):
        digest.update(source.name.encode() + source.read_bytes())
    return digest.hexdigest()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    # Hundreds of thousands of new long-lived objects: the cyclic collector would walk them again
    # and again while they are made, for nothing (they hold no cycles to collect).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Snapshots:
    """The last built matcher of each knowledge-base folder, in `folder`."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def _path(self, directory: Path | str) -> Path:
        name = hashlib.blake2b(str(Path(directory).resolve()).encode(), digest_size=8).hexdigest()
        return self.folder / f"{name}.snapshot"

    def read(self, directory: Path | str) -> Matcher | None:
        """The matcher last saved for `directory` by this same engine; None if there is none."""
        path = self._path(directory)
        try:
            with path.open("rb") as file, collector_paused():
                if pickle.load(file) != engine_fingerprint():
                    return None  # another version of the engine wrote it: its analyses may differ
                matcher = pickle.load(file)
        except FileNotFoundError:
            return None
        except Exception as error:  # a torn or foreign file is only a slower start
            log.warning("knowledge snapshot %s not used: %r", path, error)
            return None
        return matcher if isinstance(matcher, Matcher) else None

    def save(self, matcher: Matcher) -> None:
        """Write the matcher for its folder (atomically: a reader sees the old or the new file)."""
        path = self._path(matcher.kb.directory)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            with partial.open("wb") as file:
                pickle.dump(engine_fingerprint(), file, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(matcher, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, path)
        except OSError as error:  # a read-only disk or a full one: restarts are slower, no more
            log.warning("knowledge snapshot %s not saved: %s", path, error)
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)


def build(
    directory: Path | str,
    settings: MatchSettings,
    *,
    earlier: Matcher | None = None,
    today: date | None = None,
) -> Matcher:
    """load() and Matcher() of `directory`, or `earlier` itself when nothing it read has changed;
    otherwise only what changed is read. Raises KnowledgeError like load()."""
    if earlier is not None and earlier.settings == settings and is_unchanged(earlier.kb, directory, today):
        return earlier
    with collector_paused():
        kb = load(directory, today=today, earlier=earlier.kb if earlier else None)
        return Matcher(kb, settings, earlier=earlier)
