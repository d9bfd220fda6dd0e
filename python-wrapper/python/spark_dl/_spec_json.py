"""The JSON form of a network: the canonical writer (byte for byte what Java's ``SpecWriter`` writes)
and a reader that accepts what Java's ``SpecReader`` accepts."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Tuple

from spark_dl._json_fields import JsonFields
from spark_dl._spec_checks import DEFAULT_INIT, FORMAT_VERSION, _java_double, _layer_error
from spark_dl.errors import NetworkSpecError
from spark_dl.layers import (
    ACTIVATION_FUNCTIONS,
    Activation,
    Add,
    Concat,
    Dense,
    Dropout,
    Flatten,
    Input,
    Layer,
    Reshape,
    _LAYER_TYPES,
    _TYPE_FIELDS,
    _uses_alpha,
)

_INDENT = "  "


def _objects(objects: List[Dict[str, Any]]) -> str:
    """An array of objects: on one line for a single element, else one element per line."""
    if len(objects) == 1:
        return "[ " + _inline(objects[0]) + " ]"
    lines = ",\n".join(_INDENT + _INDENT + _inline(o) for o in objects)
    return "[\n" + lines + "\n" + _INDENT + "]"


def _inline(value: Any) -> str:
    """A value on one line, spaced like Jackson's default pretty printer."""
    if isinstance(value, dict):
        if not value:
            return "{ }"
        return "{ " + ", ".join(_string(k) + " : " + _inline(v) for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[ ]"
        return "[ " + ", ".join(_inline(v) for v in value) + " ]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, str):
        return _string(value)
    raise TypeError("Cannot write %r as network JSON." % (value,))


# Jackson's escapes: the short forms for these, \\u00XX (upper-case hex) for other control chars.
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04X" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def write_json(inputs: Sequence[Input], layers: Sequence[Layer], outputs: Sequence[str]) -> str:
    """The canonical JSON text: fixed key order, every default written, one layer per line."""
    input_objects = [{"name": i.name, "shape": list(i.shape)} for i in inputs]
    layer_objects = [layer.to_dict() for layer in layers]
    return (
        "{\n"
        + _INDENT + '"format_version" : %d,\n' % FORMAT_VERSION
        + _INDENT + '"inputs" : ' + _objects(input_objects) + ",\n"
        + _INDENT + '"layers" : ' + _objects(layer_objects) + ",\n"
        + _INDENT + '"outputs" : ' + _inline(list(outputs))
        + "\n}"
    )


def _no_duplicates(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise NetworkSpecError("Malformed network JSON: duplicate field '%s'." % key)
        out[key] = value
    return out


def read_json(text: str) -> Tuple[List[Input], List[Layer], Optional[List[str]]]:
    """Parses network JSON into its inputs, layers and outputs (``None``: the last layer)."""
    if text is None:
        raise NetworkSpecError("Network JSON is null.")
    if not isinstance(text, str):
        raise NetworkSpecError("Network JSON must be a string, found %s." % type(text).__name__)
    if not text.strip():
        raise NetworkSpecError("Network JSON is empty.")
    try:
        root = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as e:
        raise NetworkSpecError("Malformed network JSON at line %d, column %d: %s" % (e.lineno, e.colno, e.msg)) from None
    if not isinstance(root, dict):
        raise NetworkSpecError("Network JSON must be an object, found %s." % type(root).__name__)
    if "format_version" not in root:
        raise NetworkSpecError("Network has no 'format_version'.")
    version = root["format_version"]
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise NetworkSpecError("Unsupported format_version %s; this library reads format_version %d." % (version, FORMAT_VERSION))
    _allow_only(root, ("format_version", "inputs", "layers", "outputs"), "Network")
    inputs = []
    for i, node in enumerate(_require_list(root, "inputs", "Network")):
        if not isinstance(node, dict):
            raise NetworkSpecError("inputs[%d] must be an object." % i)
        name = _require(node, "name", "inputs[%d]" % i)
        _allow_only(node, ("name", "shape"), "Input '%s'" % name)
        inputs.append(Input(name, tuple(_require_list(node, "shape", "Input '%s'" % name))))
    layers: List[Layer] = []
    for i, node in enumerate(_require_list(root, "layers", "Network")):
        if not isinstance(node, dict):
            raise NetworkSpecError("layers[%d] must be an object." % i)
        name = _require(node, "name", "layers[%d]" % i)
        owner = "Layer '%s'" % name
        known = ", ".join(sorted(_LAYER_TYPES))
        if "type" not in node:
            raise NetworkSpecError("%s has no 'type'; known types: %s." % (owner, known))
        type_ = node["type"]
        if type_ not in _LAYER_TYPES:
            raise NetworkSpecError("%s has unknown type '%s'; known types: %s." % (owner, type_, known))
        fields = _TYPE_FIELDS[type_]
        _allow_only(node, ("type", "name", "inputs") + fields, owner)
        if "inputs" in node:
            reads = tuple(_require_list(node, "inputs", owner))
        elif layers:
            reads = (layers[-1].name,)  # type: ignore[assignment]
        elif len(inputs) == 1:
            reads = (inputs[0].name,)
        else:
            raise NetworkSpecError("%s has no 'inputs' and is the first layer of a network with %d inputs; list the "
                                   "inputs it reads." % (owner, len(inputs)))
        layers.append(_layer_from(type_, name, reads, node, owner))
    outputs = _require_list(root, "outputs", "Network") if "outputs" in root else None
    return inputs, layers, outputs


def _layer_from(type_: str, name: str, reads: Tuple[str, ...], node: Dict[str, Any], owner: str) -> Layer:
    reader = getattr(_LAYER_TYPES[type_], "_from_json", None)
    if reader is not None:  # the convolution, pooling and normalisation types read their fields as Java does
        layer: Layer = reader(name, reads, JsonFields(node, owner))
        return layer
    if type_ == "dense":
        return Dense(_require(node, "units", owner), node.get("bias", True), node.get("init", DEFAULT_INIT),
                     name=name, inputs=reads)
    if type_ == "activation":
        function = _require(node, "function", owner)
        if "alpha" in node and not _uses_alpha(function) and function in ACTIVATION_FUNCTIONS:
            raise _layer_error(name, "function '%s' takes no alpha; remove the field." % function)
        return Activation(function, node.get("alpha"), name=name, inputs=reads)
    if type_ == "dropout":
        return Dropout(_require(node, "rate", owner), name=name, inputs=reads)
    if type_ == "add":
        return Add(reads, name=name)
    if type_ == "concat":
        return Concat(reads, node.get("axis", -1), name=name)
    if type_ == "reshape":
        return Reshape(tuple(_require_list(node, "shape", owner)), name=name, inputs=reads)
    return Flatten(name=name, inputs=reads)


def _allow_only(node: Dict[str, Any], known: Sequence[str], owner: str) -> None:
    for key in node:
        if key not in known:
            raise NetworkSpecError("%s has unknown field '%s'; known fields: %s." % (owner, key, ", ".join(sorted(known))))


def _require(node: Dict[str, Any], key: str, owner: str) -> Any:
    if key not in node:
        raise NetworkSpecError("%s has no '%s'." % (owner, key))
    return node[key]


def _require_list(node: Dict[str, Any], key: str, owner: str) -> List[Any]:
    value = _require(node, key, owner)
    if not isinstance(value, list):
        raise NetworkSpecError("%s: field '%s' must be an array, found %s." % (owner, key, json.dumps(value)[:40]))
    return value
