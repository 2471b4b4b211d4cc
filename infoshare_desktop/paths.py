"""Where the store, settings and logs live.

The data folder comes, in order of precedence, from `--data-dir`, the
`INFOSHARE_DATA_DIR` environment variable, or the platform's per-user data folder
(platformdirs): `~/.local/share/InfoShareDesktop` on Linux (or under $XDG_DATA_HOME),
`%APPDATA%\\InfoShareDesktop` on Windows (the roaming profile, which follows a user
between a council's machines), `~/Library/Application Support/InfoShareDesktop` on macOS.
File names never contain personal data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_DATA_DIR = "INFOSHARE_DATA_DIR"


@dataclass(frozen=True)
class DataPaths:
    """The files of one store, all inside one data folder."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "infoshare.db"

    @property
    def keystore(self) -> Path:
        return self.root / "keystore.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def backups(self) -> Path:
        """Automatic backups (before migrations) and stores set aside by a restore."""
        return self.root / "backups"

    def sidecars(self) -> list[Path]:
        """The database's WAL and shared-memory files."""
        return [self.database.with_name(self.database.name + s) for s in ("-wal", "-shm")]


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("InfoShareDesktop", appauthor=False, roaming=True))


def resolve(data_dir: str | os.PathLike[str] | None = None) -> DataPaths:
    """The data paths for an explicit folder, the environment, or the platform default."""
    chosen = data_dir or os.environ.get(ENV_DATA_DIR) or default_data_dir()
    return DataPaths(Path(chosen).expanduser().resolve())
