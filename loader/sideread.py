"""Read large RF2 relationship and language files in a second process.

``python -m loader.sideread FOLDER FILE...`` writes, for the k-th file, ``FOLDER/k.pickle``:
what the load keeps of it (:func:`loader.pipeline.side_facts`), or the
:class:`~loader.errors.InputError` its first bad row raised (then it stops). A full UK
snapshot's relationship and language files take about 16 s to read and check; the loading
process reads the other files meanwhile (there are two cores). A fresh interpreter is used,
not a fork, so no lock or thread of the loading process is copied.
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

from loader.errors import InputError


def main(argv: list[str]) -> int:
    from loader.pipeline import side_facts

    folder, *paths = argv
    for k, path in enumerate(paths):
        value: object
        try:
            value = side_facts(path)
        except InputError as err:
            value = err
        part = Path(folder) / f"{k}.part"
        part.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(part, Path(folder) / f"{k}.pickle")
        if isinstance(value, InputError):
            break
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
