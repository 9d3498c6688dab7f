"""neo data as plain arrays and JSON, the form in which ``results/`` holds every result.

Committed results arrive in pull requests, so nothing in them may be able to
run code: no pickle is ever stored or read there. A job's neo pickle is stored
as a folder ``<file>.neo/`` with ``block.json`` (the objects, their names,
units and annotations) and one ``.npy`` array per signal, read back with
``allow_pickle=False``. Replay writes the job's ``.dat`` from it again, so the
notebook reads the file the tutorial's code expects.

The layout covers what PyNN's ``get_data()`` returns: blocks of segments with
analog and irregularly sampled signals, spike trains and events. Anything else
is refused when a result is stored, with a message that names it. (neo's own
pickle-free formats, NIX and NWB, would bring HDF5 for this alone.)
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import neo
import numpy as np
import quantities as pq

from ..errors import BSS2Error

SUFFIX = ".neo"
INDEX = "block.json"
FORMAT = "bss2-neo-arrays/1"
_ARRAY = re.compile(r"[0-9]{4}\.npy")
#: Unit names and simple products of them, as neo writes them ("mV", "ms", "1/s", "mV**2"); nothing else is parsed.
_UNITS = re.compile(r"[A-Za-z_]{1,20}(\*\*-?[0-9])?([*/][A-Za-z_]{1,20}(\*\*-?[0-9])?){0,3}|1/[A-Za-z_]{1,20}")
_SEGMENT_LISTS = ("analogsignals", "irregularlysampledsignals", "spiketrains", "events")


class CannotStore(BSS2Error, ValueError):
    """neo data that this layout does not hold."""


class BadArrays(BSS2Error, ValueError):
    """A stored result that does not follow the layout."""


def _plain(value: object, where: str) -> object:
    """``value`` as JSON data (numpy scalars and arrays become numbers and lists)."""
    if isinstance(value, np.generic | np.ndarray):
        value = value.tolist()
    if isinstance(value, tuple):
        value = list(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [_plain(v, where) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _plain(v, where) for k, v in value.items()}
    raise CannotStore(f"{where} holds a {type(value).__name__}, which results/ cannot store as JSON")


def _quantity(q: pq.Quantity) -> list:
    return [float(q.magnitude), q.dimensionality.string]


def _units(text: object) -> pq.Quantity:
    if not isinstance(text, str) or not (_UNITS.fullmatch(text) or text == "dimensionless"):
        raise BadArrays(f"its unit {str(text)[:40]!r} is not a unit name")
    return pq.Quantity(1.0, text).units


class _Writer:
    def __init__(self, folder: Path) -> None:
        self.folder, self.count = folder, 0

    def array(self, values: np.ndarray, where: str) -> str:
        values = np.asarray(values)
        if values.dtype.hasobject:
            raise CannotStore(f"{where} is an array of Python objects, which results/ cannot store")
        name = f"{self.count:04d}.npy"
        self.count += 1
        np.save(self.folder / name, values, allow_pickle=False)
        return name

    def common(self, obj, where: str) -> dict:
        return {
            "name": obj.name,
            "description": obj.description,
            "file_origin": obj.file_origin,
            "annotations": _plain(obj.annotations, f"{where}'s annotations"),
        }

    def data(self, obj, where: str) -> dict:
        entry = {
            "type": type(obj).__name__,
            **self.common(obj, where),
            "units": obj.dimensionality.string,
            "values": self.array(obj.magnitude, where),
            "array_annotations": {k: self.array(v, f"{where}.{k}") for k, v in obj.array_annotations.items()},
        }
        if isinstance(obj, neo.AnalogSignal):
            entry |= {"t_start": _quantity(obj.t_start), "sampling_rate": _quantity(obj.sampling_rate)}
        elif isinstance(obj, neo.IrregularlySampledSignal):
            entry |= {"times": self.array(obj.times.magnitude, where), "time_units": obj.times.dimensionality.string}
        elif isinstance(obj, neo.SpikeTrain):
            if obj.waveforms is not None:
                raise CannotStore(f"{where} has waveforms, which results/ does not store")
            entry |= {
                "t_start": _quantity(obj.t_start),
                "t_stop": _quantity(obj.t_stop),
                "sampling_rate": _quantity(obj.sampling_rate),
            }
        elif isinstance(obj, neo.Event):
            entry |= {"labels": self.array(obj.labels, f"{where}'s labels")}
        return entry

    def block(self, block: neo.Block) -> dict:
        if block.groups:
            raise CannotStore("the block has groups, which results/ does not store")
        segments = []
        for index, segment in enumerate(block.segments):
            where = f"segment {index}"
            for kind in ("epochs", "imagesequences"):
                if getattr(segment, kind):
                    raise CannotStore(f"{where} holds {kind}, which results/ does not store")
            segments.append(
                {
                    **self.common(segment, where),
                    "rec_datetime": segment.rec_datetime.isoformat() if segment.rec_datetime else None,
                    **{
                        kind: [self.data(obj, f"{where}'s {kind}[{i}]") for i, obj in enumerate(getattr(segment, kind))]
                        for kind in _SEGMENT_LISTS
                    },
                }
            )
        return {
            **self.common(block, "the block"),
            "rec_datetime": block.rec_datetime.isoformat() if block.rec_datetime else None,
            "segments": segments,
        }


def write(block: neo.Block, folder: Path) -> list[Path]:
    """Store ``block`` in the new folder ``folder``; return the files written."""
    folder.mkdir()
    writer = _Writer(folder)
    index = {"format": FORMAT, "neo": neo.__version__, "block": writer.block(block)}
    (folder / INDEX).write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
    return sorted(folder.iterdir())


class _Reader:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def array(self, name: object) -> np.ndarray:
        if not isinstance(name, str) or not _ARRAY.fullmatch(name):
            raise BadArrays(f"it names the array {str(name)[:40]!r}, which is not one of its NNNN.npy files")
        return np.load(self.folder / name, allow_pickle=False)

    @staticmethod
    def quantity(pair: object) -> pq.Quantity:
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], int | float)):
            raise BadArrays(f"{str(pair)[:40]!r} is not a [value, unit] pair")
        return pair[0] * _units(pair[1])

    @staticmethod
    def common(entry: dict) -> dict:
        annotations = entry.get("annotations") or {}
        if not isinstance(annotations, dict):
            raise BadArrays("its annotations are not a JSON object")
        texts = {k: entry.get(k) for k in ("name", "description", "file_origin")}
        if not all(v is None or isinstance(v, str) for v in texts.values()):
            raise BadArrays("a name, description or file origin is not text")
        return {**texts, **annotations}

    def data(self, entry: dict):
        kind = entry.get("type")
        arrays = {k: self.array(v) for k, v in (entry.get("array_annotations") or {}).items()}
        values, units = self.array(entry.get("values")), _units(entry.get("units"))
        common = {**self.common(entry), "array_annotations": arrays or None}
        if kind == "AnalogSignal":
            return neo.AnalogSignal(
                values,
                units=units,
                t_start=self.quantity(entry.get("t_start")),
                sampling_rate=self.quantity(entry.get("sampling_rate")),
                **common,
            )
        if kind == "IrregularlySampledSignal":
            times = self.array(entry.get("times"))
            return neo.IrregularlySampledSignal(
                times, values, units=units, time_units=_units(entry.get("time_units")), **common
            )
        if kind == "SpikeTrain":
            return neo.SpikeTrain(
                values,
                units=units,
                t_start=self.quantity(entry.get("t_start")),
                t_stop=self.quantity(entry.get("t_stop")),
                sampling_rate=self.quantity(entry.get("sampling_rate")),
                **common,
            )
        if kind == "Event":
            return neo.Event(values, labels=self.array(entry.get("labels")), units=units, **common)
        raise BadArrays(f"it holds an object of type {str(kind)[:40]!r}")

    def block(self, entry: dict) -> neo.Block:
        block = neo.Block(rec_datetime=_datetime(entry.get("rec_datetime")), **self.common(entry))
        for stored in entry.get("segments") or []:
            segment = neo.Segment(rec_datetime=_datetime(stored.get("rec_datetime")), **self.common(stored))
            for kind in _SEGMENT_LISTS:
                for item in stored.get(kind) or []:
                    getattr(segment, kind).append(self.data(item))
            block.segments.append(segment)
        block.check_relationships()
        return block


def _datetime(text: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if isinstance(text, str) else None


def read(folder: Path) -> neo.Block:
    """The block stored in ``folder``; ``BadArrays`` naming the problem if it does not follow the layout."""
    try:
        index = json.loads((folder / INDEX).read_text())
    except (OSError, ValueError) as error:
        raise BadArrays(f"{folder / INDEX} cannot be read ({error})") from None
    if not isinstance(index, dict) or index.get("format") != FORMAT or not isinstance(index.get("block"), dict):
        raise BadArrays(f"{folder / INDEX} is not a {FORMAT} index")
    try:
        return _Reader(folder).block(index["block"])
    except (AttributeError, TypeError, ValueError, KeyError, OSError) as error:
        if isinstance(error, BadArrays):
            raise
        raise BadArrays(f"{folder}: {type(error).__name__}: {error}") from None
