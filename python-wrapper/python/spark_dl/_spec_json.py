"""The JSON form of a network: the canonical writer (byte for byte what Java's ``SpecWriter`` writes)
and a reader that accepts what Java's ``SpecReader`` accepts."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Tuple

from spark_dl._json_fields import JsonFields, describe, object_at
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
    _default_alpha,
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
    input_objects = [dict({"name": i.name, "shape": list(i.shape)}, **({"sparse": True} if i.sparse else {}))
                     for i in inputs]
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
    """Parses network JSON into its inputs, layers and outputs (``None``: the last layer), checking
    fields in the order Java's ``SpecReader`` does and with its messages."""
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
        raise NetworkSpecError("Network JSON must be an object, found %s." % describe(root))
    network = JsonFields(root, "Network")
    # The version comes first: a newer file may legitimately carry fields this reader lacks.
    version = network.require_int("format_version")
    if version != FORMAT_VERSION:
        raise NetworkSpecError("Unsupported format_version %d; this library reads format_version %d."
                               % (version, FORMAT_VERSION))
    network.allow_only(("format_version", "inputs", "layers", "outputs"))
    inputs = _read_inputs(network.require_array("inputs"))
    layers = _read_layers(network.require_array("layers"), inputs)
    outputs = network.require_string_list("outputs") if network.has("outputs") else None
    return inputs, layers, outputs


def _read_inputs(array: List[Any]) -> List[Input]:
    inputs = []
    for i, node in enumerate(array):
        name = object_at(node, "inputs[%d]" % i).require_string("name")
        fields = JsonFields(node, "Input '%s'" % name)
        fields.allow_only(("name", "shape", "sparse"))
        inputs.append(Input(name, tuple(fields.require_int_list("shape")), fields.boolean_or("sparse", False)))
    return inputs


def _read_layers(array: List[Any], inputs: List[Input]) -> List[Layer]:
    layers: List[Layer] = []
    known = ", ".join(sorted(_LAYER_TYPES))
    for i, node in enumerate(array):
        name = object_at(node, "layers[%d]" % i).require_string("name")
        owner = "Layer '%s'" % name
        fields = JsonFields(node, owner)
        if not fields.has("type"):
            raise NetworkSpecError("%s has no 'type'; known types: %s." % (owner, known))
        type_ = fields.require_string("type")
        if type_ not in _LAYER_TYPES:
            raise NetworkSpecError("%s has unknown type '%s'; known types: %s." % (owner, type_, known))
        # Unknown fields are reported before missing ones, so a typo like "unit" is named as such.
        fields.allow_only(("type", "name", "inputs") + _TYPE_FIELDS[type_])
        if fields.has("inputs"):
            reads = tuple(fields.require_string_list("inputs"))
        elif layers:
            reads = (str(layers[-1].name),)
        elif len(inputs) == 1:
            reads = (inputs[0].name,)
        else:
            raise NetworkSpecError("%s has no 'inputs' and is the first layer of a network with %d inputs; list the "
                                   "inputs it reads." % (owner, len(inputs)))
        layers.append(_layer_from(type_, name, reads, fields))
    return layers


def _layer_from(type_: str, name: str, reads: Tuple[str, ...], f: JsonFields) -> Layer:
    """Reads a layer's own fields, in the order of the Java readers registered by ``org.sparkdl.nn.*Layers``."""
    reader = getattr(_LAYER_TYPES[type_], "_from_json", None)
    if reader is not None:
        layer: Layer = reader(name, reads, f)
        return layer
    if type_ == "dense":
        return Dense(f.require_int("units"), f.boolean_or("bias", True), f.string_or("init", DEFAULT_INIT),
                     name=name, inputs=reads)
    if type_ == "activation":
        function = f.require_string("function")
        if not _uses_alpha(function):
            if f.has("alpha") and function in ACTIVATION_FUNCTIONS:
                raise _layer_error(name, "function '%s' takes no alpha; remove the field." % function)
            return Activation(function, 0.0, name=name, inputs=reads)
        return Activation(function, f.double_or("alpha", _default_alpha(function)), name=name, inputs=reads)
    if type_ == "dropout":
        return Dropout(f.require_double("rate"), name=name, inputs=reads)
    if type_ == "add":
        return Add(reads, name=name)
    if type_ == "concat":
        return Concat(reads, f.int_or("axis", -1), name=name)
    if type_ == "reshape":
        return Reshape(tuple(f.require_int_list("shape")), name=name, inputs=reads)
    return Flatten(name=name, inputs=reads)
